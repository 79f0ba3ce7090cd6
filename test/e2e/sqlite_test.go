package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/glint-dev/glint/internal/secret"
	"github.com/glint-dev/glint/internal/settings"
	"github.com/glint-dev/glint/internal/store/sqlstore"
)

// TestFirstStartSQLite: the first start creates root and prints its token
// once (also in <data-dir>/root-token, 0600); SIGTERM exits 0; a restart
// prints nothing and keeps the token; the flags are documented in --help
// and can be given by the environment instead.
func TestFirstStartSQLite(t *testing.T) {
	dir := t.TempDir()
	a := serve(t, "first", dir, nil)
	a.waitReady(15 * time.Second)

	tokens := tokenRE.FindAllString(a.stdout.String(), -1)
	if len(tokens) != 1 {
		t.Fatalf("first start: want one token line on stdout, got %q", a.stdout.String())
	}
	token := tokens[0]
	if !strings.Contains("\n"+a.stdout.String(), "\n"+token+"\n") {
		t.Errorf("the token is not on a line of its own: %q", a.stdout.String())
	}
	fi, err := os.Stat(filepath.Join(dir, "root-token"))
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("root-token mode %v, want 0600", perm)
	}
	data, err := os.ReadFile(filepath.Join(dir, "root-token"))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(data)); got != token {
		t.Errorf("root-token holds %q, stdout printed %q", got, token)
	}
	if u := whoami(t, a, token); u.Username != "root" || !u.IsAdmin {
		t.Errorf("GET /user with the root token: %+v, want the admin root", u)
	}
	call(t, "GET", a.url("/api/v4/user"), "glpat-notavalidtoken000000", nil, 401, nil)
	a.stop()

	b := serve(t, "restart", dir, nil)
	b.waitReady(15 * time.Second)
	if out := b.stdout.String(); strings.Contains(out, "glpat-") {
		t.Errorf("restart printed a token again: %q", out)
	}
	if u := whoami(t, b, token); u.Username != "root" {
		t.Errorf("old token after restart: %+v", u)
	}
	b.stop()

	t.Run("help", func(t *testing.T) {
		out, errOut, code := runGlint(t, nil, "serve", "--help")
		help := out + errOut
		for _, want := range []string{"--listen", "--data-dir", "GLINT_LISTEN", "GLINT_DATA_DIR", "--database"} {
			if !strings.Contains(help, want) {
				t.Errorf("glint serve --help does not mention %s:\n%s", want, help)
			}
		}
		if code != 0 {
			t.Errorf("glint serve --help exit code %d, want 0", code)
		}
	})

	t.Run("environment", func(t *testing.T) {
		envDir := filepath.Join(t.TempDir(), "from-env")
		addr := freeAddr(t)
		p := startGlint(t, "env", []string{"serve"}, []string{"GLINT_LISTEN=" + addr, "GLINT_DATA_DIR=" + envDir})
		p.addr = addr
		p.waitReady(15 * time.Second)
		data, err := os.ReadFile(filepath.Join(envDir, "root-token"))
		if err != nil {
			t.Fatalf("GLINT_DATA_DIR not used: %v", err)
		}
		token := strings.TrimSpace(string(data))
		if !strings.Contains(p.stdout.String(), token) {
			t.Errorf("stdout %q lacks the token of %s", p.stdout.String(), envDir)
		}
		if u := whoami(t, p, token); u.Username != "root" {
			t.Errorf("GET /user: %+v", u)
		}
		if _, err := os.Stat(filepath.Join(p.cmd.Dir, "glint-data")); err == nil {
			t.Errorf("the default ./glint-data was created although GLINT_DATA_DIR was set")
		}
		p.stop()
	})
}

// chatForm is a full slack/mattermost PUT whose values all carry i.
func chatForm(host string, i int) url.Values {
	f := url.Values{
		"webhook":                      {fmt.Sprintf("https://%s/%d", host, i)},
		"username":                     {fmt.Sprintf("u%d", i)},
		"notify_only_broken_pipelines": {fmt.Sprint(i%2 == 0)},
		"branches_to_be_notified":      {[]string{"all", "default", "protected", "default_and_protected"}[i%4]},
		"push_events":                  {fmt.Sprint(i%2 == 1)},
		"issues_events":                {fmt.Sprint(i%3 == 0)},
		"note_events":                  {fmt.Sprint(i%5 == 0)},
	}
	for _, ch := range []string{"push", "issue", "confidential_issue", "merge_request", "note", "confidential_note",
		"tag_push", "pipeline", "wiki_page", "deployment"} {
		f.Set(ch+"_channel", fmt.Sprintf("%s-c%d", ch, i))
	}
	return f
}

// checkChat checks that a slack/mattermost entity is exactly what
// chatForm(host, i) wrote, for the i its webhook names, and returns i (-1
// if the body is not such an entity). It may run on any goroutine.
func checkChat(t *testing.T, what, host string, body []byte) int {
	t.Helper()
	var sv serviceJSON
	if err := json.Unmarshal(body, &sv); err != nil {
		t.Errorf("%s: decoding %q: %v", what, body, err)
		return -1
	}
	var i int
	hook, _ := sv.Properties["webhook"].(string)
	if _, err := fmt.Sscanf(hook, "https://"+host+"/%d", &i); err != nil {
		t.Errorf("%s: webhook %q: %v", what, hook, err)
		return -1
	}
	want := chatForm(host, i)
	if !sv.Active || sv.PushEvents != (i%2 == 1) || sv.Issues != (i%3 == 0) || sv.Notes != (i%5 == 0) {
		t.Errorf("%s: flags are not those of write %d: %s", what, i, body)
	}
	for name, vals := range want {
		if strings.HasSuffix(name, "_events") {
			continue
		}
		got := fmt.Sprint(sv.Properties[name])
		if got != vals[0] {
			t.Errorf("%s: %s = %q, but the webhook is write %d's, which set %q\n%s", what, name, got, i, vals[0], body)
		}
	}
	return i
}

// TestSIGTERMDrains: requests in flight when SIGTERM arrives are answered
// completely, every answer that arrives at all is whole, and the process
// exits 0.
func TestSIGTERMDrains(t *testing.T) {
	dir := t.TempDir()
	p := serve(t, "drain", dir, nil)
	p.waitReady(15 * time.Second)
	token := tokenRE.FindString(p.stdout.String())
	call(t, "POST", p.url("/api/v4/projects"), token, url.Values{"name": {"demo"}}, 201, nil)
	slack := p.url("/api/v4/projects/1/services/slack")

	transport := &http.Transport{MaxIdleConnsPerHost: 100}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: 15 * time.Second}

	// checkAnswer verifies one complete answer to chatForm(host, i).
	var bad atomic.Int32
	checkAnswer := func(i int, r response) {
		if r.status != 200 {
			bad.Add(1)
			t.Errorf("request %d: got %s, want 200", i, r)
			return
		}
		if got := checkChat(t, fmt.Sprintf("answer to request %d", i), "hooks.slack.com", r.body); got != i {
			bad.Add(1)
			t.Errorf("request %d: answer shows write %d (a PUT answers with what it stored)", i, got)
		}
	}

	// Slow requests: each sends its headers and half its body, then waits
	// for release, which comes after SIGTERM. They are in flight for sure
	// when the signal arrives, so all of them must be answered.
	const slow = 50
	release := make(chan struct{})
	var headersSent sync.WaitGroup
	headersSent.Add(slow)
	var wg sync.WaitGroup
	for i := range slow {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := []byte(chatForm("hooks.slack.com", i).Encode())
			half := len(body) / 2
			pr, pw := io.Pipe()
			go func() {
				_, _ = pw.Write(body[:half])
				<-release
				_, _ = pw.Write(body[half:])
				pw.Close()
			}()
			var once sync.Once
			trace := &httptrace.ClientTrace{WroteHeaders: func() { once.Do(headersSent.Done) }}
			ctx := httptrace.WithClientTrace(context.Background(), trace)
			req, _ := http.NewRequestWithContext(ctx, "PUT", slack, pr)
			req.ContentLength = int64(len(body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("PRIVATE-TOKEN", token)
			resp, err := client.Do(req)
			once.Do(headersSent.Done)
			if err != nil {
				bad.Add(1)
				t.Errorf("slow request %d in flight at SIGTERM got no answer: %v", i, err)
				return
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			if err != nil {
				bad.Add(1)
				t.Errorf("slow request %d: truncated answer (%d bytes read): %v", i, len(b), err)
				return
			}
			checkAnswer(i, response{status: resp.StatusCode, body: b})
		}()
	}

	// Fast requests hammer the server before, during and after SIGTERM;
	// they may fail to connect once it stops listening, but any answer
	// must be whole.
	stopFast := make(chan struct{})
	var fastOK, fastRefused atomic.Int32
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stopFast:
					return
				default:
				}
				i := 1000 + g*1000 + n
				r, err := do(client, "PUT", slack, token, chatForm("hooks.slack.com", i))
				if err != nil {
					if strings.Contains(err.Error(), "reading the body") {
						bad.Add(1)
						t.Errorf("fast request %d: truncated answer: %v", i, err)
						return
					}
					fastRefused.Add(1)
					time.Sleep(5 * time.Millisecond)
					continue
				}
				fastOK.Add(1)
				checkAnswer(i, r)
			}
		}()
	}

	waitGroup(t, &headersSent, 10*time.Second, "the slow requests to send their headers")
	time.Sleep(200 * time.Millisecond) // let the server accept them and start reading
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // the server is now draining
	if p.exited() {
		t.Fatalf("glint exited with requests still in flight: %v\n%s", p.err, tail(p.stderr.String(), 3000))
	}
	close(release)
	code := p.exitCode(10 * time.Second)
	close(stopFast)
	waitGroup(t, &wg, 20*time.Second, "the clients")
	if code != 0 {
		t.Errorf("exit code %d after SIGTERM, want 0", code)
	}
	if fastOK.Load() == 0 {
		t.Errorf("no fast request was answered at all")
	}
	t.Logf("slow requests drained: %d; fast requests answered: %d, refused after shutdown: %d; bad: %d",
		slow, fastOK.Load(), fastRefused.Load(), bad.Load())
	if !strings.Contains(p.stderr.String(), "stopped") {
		t.Errorf("no \"stopped\" log line:\n%s", tail(p.stderr.String(), 2000))
	}
}

func waitGroup(t *testing.T, wg *sync.WaitGroup, timeout time.Duration, what string) {
	t.Helper()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(timeout):
		t.Fatalf("timed out after %s waiting for %s", timeout, what)
	}
}

// TestAdminCommands: users, tokens, groups, projects and members made with
// "glint admin" are what the server then serves; rotate-key reseals the
// secrets under a new key file that the server then uses; the SQLite
// files never hold a secret in clear; a node given another key refuses to
// start.
func TestAdminCommands(t *testing.T) {
	dir := t.TempDir()
	first := serve(t, "bootstrap", dir, nil)
	first.waitReady(15 * time.Second)
	rootToken := tokenRE.FindString(first.stdout.String())
	first.stop()

	admin(t, dir, "create-user", "--username", "alice", "--email", "alice@example.com", "--name", "Alice")
	admin(t, dir, "create-user", "--username", "bob", "--email", "bob@example.com")
	aliceToken := strings.TrimSpace(admin(t, dir, "create-token", "--username", "alice"))
	bobToken := strings.TrimSpace(admin(t, dir, "create-token", "--username", "bob", "--scopes", "api"))
	for who, tok := range map[string]string{"alice": aliceToken, "bob": bobToken} {
		if !tokenRE.MatchString(tok) || tokenRE.FindString(tok) != tok {
			t.Fatalf("create-token for %s printed %q, want just the token", who, tok)
		}
	}
	admin(t, dir, "create-group", "--path", "team", "--owner", "root")
	admin(t, dir, "create-group", "--path", "backend", "--parent", "team")
	admin(t, dir, "create-project", "--namespace", "team/backend", "--path", "api")
	admin(t, dir, "add-member", "--project", "team/backend/api", "--username", "alice", "--access-level", "40")
	admin(t, dir, "add-member", "--project", "team/backend/api", "--username", "bob", "--access-level", "30")
	if _, errOut, code := runGlint(t, nil, "admin", "add-member", "--data-dir", dir,
		"--project", "team/backend/api", "--username", "nobody", "--access-level", "40"); code == 0 {
		t.Errorf("add-member of an unknown user succeeded (stderr %q)", errOut)
	}

	s := serve(t, "serve", dir, nil)
	s.waitReady(15 * time.Second)
	if out := s.stdout.String(); strings.Contains(out, "glpat-") {
		t.Errorf("serve printed a root token on a database that has users: %q", out)
	}
	if u := whoami(t, s, aliceToken); u.Username != "alice" || u.IsAdmin {
		t.Errorf("alice's token: %+v", u)
	}
	if u := whoami(t, s, bobToken); u.Username != "bob" {
		t.Errorf("bob's token: %+v", u)
	}
	var project struct {
		ID                int64  `json:"id"`
		PathWithNamespace string `json:"path_with_namespace"`
	}
	call(t, "GET", s.url("/api/v4/projects/team%2Fbackend%2Fapi"), aliceToken, nil, 200, &project)
	if project.PathWithNamespace != "team/backend/api" {
		t.Errorf("project: %+v", project)
	}
	svc := fmt.Sprintf("/api/v4/projects/%d/services/", project.ID)
	call(t, "GET", s.url(svc+"slack"), aliceToken, nil, 200, nil) // Maintainer
	call(t, "GET", s.url(svc+"slack"), bobToken, nil, 403, nil)   // Developer
	call(t, "GET", s.url(svc+"slack"), rootToken, nil, 200, nil)  // admin
	call(t, "PUT", s.url(svc+"asana"), bobToken, url.Values{"api_key": {"x"}}, 403, nil)
	var asana serviceJSON
	call(t, "PUT", s.url(svc+"asana"), aliceToken, url.Values{"api_key": {"SECRET123"}, "restrict_to_branch": {"main"}}, 200, &asana)
	if !asana.Active || asana.Properties["restrict_to_branch"] != "main" || asana.Properties["api_key"] != nil {
		t.Errorf("PUT asana answered %+v", asana)
	}
	s.stop()

	keyFile := filepath.Join(dir, "secret.key")
	oldKey, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	admin(t, dir, "rotate-key")
	newKey, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(bytes.TrimSpace(oldKey), bytes.TrimSpace(newKey)) {
		t.Fatalf("rotate-key left secret.key unchanged")
	}
	if fi, err := os.Stat(keyFile); err == nil && fi.Mode().Perm() != 0o600 {
		t.Errorf("secret.key mode %v after rotation, want 0600", fi.Mode().Perm())
	}

	s2 := serve(t, "after rotation", dir, nil)
	s2.waitReady(15 * time.Second)
	var got serviceJSON
	call(t, "GET", s2.url(svc+"asana"), aliceToken, nil, 200, &got)
	if !got.Active || got.Properties["restrict_to_branch"] != "main" {
		t.Errorf("asana after rotation: %+v", got)
	}
	s2.stop()

	// The SQLite files never hold the secret in clear.
	files, _ := filepath.Glob(filepath.Join(dir, "glint.db*"))
	if len(files) == 0 {
		t.Fatalf("no glint.db in %s", dir)
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(raw, []byte("SECRET123")) {
			t.Errorf("%s holds the secret in clear", filepath.Base(f))
		}
	}

	// The stored secret is sealed under the new key only, and opens to
	// what was written.
	keys, err := secret.ParseKeys(string(newKey))
	if err != nil || len(keys) != 1 {
		t.Fatalf("secret.key after rotation: %d keys, %v (want exactly the new one)", len(keys), err)
	}
	ring, err := secret.NewKeyring(keys...)
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlstore.OpenSQLite(filepath.Join(dir, "glint.db"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rec, err := st.Service(ctx, project.ID, "asana")
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	if id := secret.SealedWith(rec.Sealed["api_key"]); id != ring.CurrentID() {
		t.Errorf("api_key sealed under key %q, want the new key %q", id, ring.CurrentID())
	}
	if plain, err := ring.Open(rec.Sealed["api_key"], settings.AD("asana", "api_key")); err != nil || plain != "SECRET123" {
		t.Errorf("opening api_key with the new key: %q, %v", plain, err)
	}

	// Another key on this data dir: refuse to start, and never listen.
	bad := serve(t, "wrong key", dir, []string{"GLINT_SECRET_KEY=" + newSecretKey(t)})
	if code := bad.exitCode(15 * time.Second); code == 0 {
		t.Fatalf("serve with another GLINT_SECRET_KEY exited 0")
	}
	if msg := bad.stderr.String(); !strings.Contains(strings.ToLower(msg), "secret key") {
		t.Errorf("refusal does not mention the secret key: %q", msg)
	}
	if _, err := do(httpClient, "GET", bad.url("/-/readiness"), "", nil); err == nil {
		t.Errorf("the refused node answers HTTP on %s", bad.addr)
	} else if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Logf("refused node: %v", err)
	}
}
