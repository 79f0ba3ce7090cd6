// Package e2e runs the real glint binary as child processes and drives it
// over HTTP and signals: first start, SIGTERM draining, the admin commands,
// key rotation, several nodes on one PostgreSQL database, concurrent writes
// through two nodes, and a database outage behind a TCP proxy.
//
// TestMain builds the binary once from the module root. The PostgreSQL
// tests need GLINT_TEST_POSTGRES (see internal/store/storetest/pgtest).
package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// glintBin is the binary built by TestMain.
var glintBin string

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "glint-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(dir)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	gomod, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil || strings.TrimSpace(string(gomod)) == "" || strings.TrimSpace(string(gomod)) == os.DevNull {
		fmt.Fprintf(os.Stderr, "e2e: cannot find the module root (go env GOMOD: %q, %v)\n", gomod, err)
		return 1
	}
	root := filepath.Dir(strings.TrimSpace(string(gomod)))
	glintBin = filepath.Join(dir, "glint")
	args := []string{"build", "-o", glintBin}
	if raceEnabled {
		// The processes the tests start are checked for data races too
		// (a race found fails the test that started the process).
		args = append(args, "-race")
	}
	build := exec.CommandContext(ctx, "go", append(args, "./cmd/glint")...)
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: go build ./cmd/glint: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// syncBuffer is a bytes.Buffer safe for the writer goroutine of os/exec and
// the test reading it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// glintEnv is the environment of a child: the test's, without any GLINT_
// variable (so the caller's settings cannot leak in), plus extra.
func glintEnv(extra []string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GLINT_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// proc is a running glint child process.
type proc struct {
	t      *testing.T
	name   string
	cmd    *exec.Cmd
	addr   string // listen address, for serve
	stdout *syncBuffer
	stderr *syncBuffer
	done   chan struct{} // closed when the process has exited
	err    error         // Wait's result, valid after done
}

// startGlint starts the binary with args and extra environment, in a
// throwaway working directory. The process is killed at cleanup if still
// running, and never outlives the test binary's deadline.
func startGlint(t *testing.T, name string, args []string, env []string) *proc {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	cmd := exec.CommandContext(ctx, glintBin, args...)
	cmd.Dir = t.TempDir()
	cmd.Env = glintEnv(env)
	p := &proc{t: t, name: name, cmd: cmd, stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.stdout, p.stderr
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("%s: starting glint %v: %v", name, args, err)
	}
	go func() {
		p.err = cmd.Wait()
		cancel()
		close(p.done)
	}()
	t.Cleanup(func() {
		defer p.checkRaces()
		select {
		case <-p.done:
			return
		default:
		}
		_ = cmd.Process.Kill()
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			t.Errorf("%s: glint (pid %d) did not exit after SIGKILL", name, cmd.Process.Pid)
		}
		if t.Failed() {
			t.Logf("%s stderr:\n%s", name, tail(p.stderr.String(), 4000))
		}
	})
	return p
}

// checkRaces fails the test when the race detector reported a data race in
// the process (a -race build prints its reports on stderr).
func (p *proc) checkRaces() {
	if out := p.stderr.String(); strings.Contains(out, "WARNING: DATA RACE") {
		i := strings.Index(out, "WARNING: DATA RACE")
		p.t.Errorf("%s: the race detector reported a data race:\n%s", p.name, out[i:min(len(out), i+8000)])
	}
}

// serve starts "glint serve" listening on a free loopback port.
func serve(t *testing.T, name, dataDir string, env []string, extra ...string) *proc {
	t.Helper()
	addr := freeAddr(t)
	args := append([]string{"serve", "--data-dir", dataDir, "--listen", addr, "--log-format", "text"}, extra...)
	p := startGlint(t, name, args, env)
	p.addr = addr
	return p
}

// exited reports whether the process has exited.
func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// exitCode waits up to timeout for the process to exit and returns its
// exit code.
func (p *proc) exitCode(timeout time.Duration) int {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(timeout):
		p.t.Fatalf("%s: glint did not exit within %s\nstderr:\n%s", p.name, timeout, tail(p.stderr.String(), 4000))
	}
	var ee *exec.ExitError
	switch {
	case p.err == nil:
		return 0
	case errors.As(p.err, &ee):
		return ee.ExitCode()
	}
	p.t.Fatalf("%s: waiting for glint: %v", p.name, p.err)
	return -1
}

// stop sends SIGTERM and requires a clean exit within 10 s.
func (p *proc) stop() {
	p.t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		p.t.Fatalf("%s: SIGTERM: %v", p.name, err)
	}
	if code := p.exitCode(10 * time.Second); code != 0 {
		p.t.Fatalf("%s: exit code %d after SIGTERM, want 0\nstderr:\n%s", p.name, code, tail(p.stderr.String(), 4000))
	}
}

// url is the server's URL for path.
func (p *proc) url(path string) string { return "http://" + p.addr + path }

// waitReady polls /-/readiness until it answers 200. It fails at once if
// the process exits.
func (p *proc) waitReady(timeout time.Duration) {
	p.t.Helper()
	deadline := time.Now().Add(timeout)
	client := &http.Client{Timeout: time.Second}
	for {
		if p.exited() {
			p.t.Fatalf("%s: glint exited before becoming ready (%v)\nstdout:\n%s\nstderr:\n%s",
				p.name, p.err, p.stdout.String(), tail(p.stderr.String(), 4000))
		}
		resp, err := client.Get(p.url("/-/readiness"))
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("%s: /-/readiness not 200 within %s (last: %v)\nstderr:\n%s", p.name, timeout, err, tail(p.stderr.String(), 4000))
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// runGlint runs a short command (admin, --help) to completion and returns
// its stdout, stderr and exit code.
func runGlint(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	p := startGlint(t, strings.Join(args, " "), args, env)
	code = p.exitCode(60 * time.Second)
	return p.stdout.String(), p.stderr.String(), code
}

// admin runs "glint admin ..." and requires success.
func admin(t *testing.T, dataDir string, args ...string) string {
	t.Helper()
	args = append(append([]string{"admin"}, args...), "--data-dir", dataDir)
	out, errOut, code := runGlint(t, nil, args...)
	if code != 0 {
		t.Fatalf("glint %s: exit code %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// freeAddr returns a loopback address with a port that was free a moment
// ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

var tokenRE = regexp.MustCompile(`glpat-[A-Za-z0-9]{20}`)

// newSecretKey returns a fresh GLINT_SECRET_KEY value.
func newSecretKey(t *testing.T) string {
	t.Helper()
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(key)
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

// httpClient bounds every request of the tests.
var httpClient = &http.Client{Timeout: 10 * time.Second}

// response is a fully read HTTP response.
type response struct {
	status int
	body   []byte
	header http.Header
}

func (r response) String() string { return fmt.Sprintf("%d %s", r.status, bytes.TrimSpace(r.body)) }

// do sends a request with a form body (if form is not nil) and the token
// in PRIVATE-TOKEN, and reads the whole answer.
func do(client *http.Client, method, u, token string, form url.Values) (response, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		return response{}, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if token != "" {
		req.Header.Set("PRIVATE-TOKEN", token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return response{}, fmt.Errorf("reading the body of %s %s (%d): %w", method, u, resp.StatusCode, err)
	}
	return response{status: resp.StatusCode, body: b, header: resp.Header}, nil
}

// call is do that fails the test on a transport error or an unexpected
// status, and decodes a JSON answer into out (if not nil).
func call(t *testing.T, method, u, token string, form url.Values, want int, out any) response {
	t.Helper()
	r, err := do(httpClient, method, u, token, form)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	if r.status != want {
		t.Fatalf("%s %s: got %s, want status %d", method, u, r, want)
	}
	if out != nil {
		if err := json.Unmarshal(r.body, out); err != nil {
			t.Fatalf("%s %s: decoding %q: %v", method, u, r.body, err)
		}
	}
	return r
}

// user is the part of GitLab's user entity the tests look at.
type user struct {
	ID       int64  `json:"id"`
	Username string `json:"username"`
	IsAdmin  bool   `json:"is_admin"`
}

// serviceJSON is the part of the service entity the tests look at.
type serviceJSON struct {
	ID         *int64         `json:"id"`
	Slug       string         `json:"slug"`
	Active     bool           `json:"active"`
	PushEvents bool           `json:"push_events"`
	Issues     bool           `json:"issues_events"`
	Notes      bool           `json:"note_events"`
	Properties map[string]any `json:"properties"`
}

func whoami(t *testing.T, p *proc, token string) user {
	t.Helper()
	var u user
	call(t, "GET", p.url("/api/v4/user"), token, nil, 200, &u)
	return u
}
