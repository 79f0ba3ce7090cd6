package pushhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glint-dev/glint/internal/gitpush"
	"github.com/glint-dev/glint/internal/gitpush/gittest"
	"github.com/glint-dev/glint/internal/pushhook"
)

var text = gittest.Text

// received is one request the stand-in intake got.
type received struct {
	Event, Token, UUID, Path, Ref string
}

// intake stands in for glint's POST /hooks/gitlab/:id on 127.0.0.1: it
// records every request and answers as answer says.
type intake struct {
	URL    string
	mu     sync.Mutex
	got    []received
	answer func(w http.ResponseWriter, r *http.Request)
}

func newIntake(t *testing.T) *intake {
	in := &intake{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var p struct {
			Ref string `json:"ref"`
		}
		if err := json.Unmarshal(body, &p); err != nil {
			t.Errorf("the hook sent a body that is not JSON: %q", body)
		}
		in.mu.Lock()
		in.got = append(in.got, received{r.Header.Get("X-Gitlab-Event"), r.Header.Get("X-Gitlab-Token"),
			r.Header.Get("X-Gitlab-Event-Uuid"), r.URL.EscapedPath(), p.Ref})
		answer := in.answer
		in.mu.Unlock()
		if answer == nil {
			w.WriteHeader(202)
			io.WriteString(w, `{"message":"202 Accepted","deliveries":1}`)
			return
		}
		answer(w, r)
	}))
	t.Cleanup(srv.Close)
	in.URL = srv.URL
	return in
}

func (in *intake) setAnswer(f func(w http.ResponseWriter, r *http.Request)) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.answer = f
}

// take returns what was received since the last call.
func (in *intake) take() []received {
	in.mu.Lock()
	defer in.mu.Unlock()
	out := in.got
	in.got = nil
	return out
}

func refs(rs []received) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Ref)
	}
	return out
}

func status(code int) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(code)
		io.WriteString(w, `{"message":"no"}`)
	}
}

func spooled(t *testing.T, repo string) []string {
	t.Helper()
	files, err := pushhook.NewSpool(repo).List()
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// push commits and pushes ref names in the clone and runs PostReceive on
// the bare repository with the lines git gave the recording hook.
func push(t *testing.T, r *gittest.Repo, refspecs ...string) string {
	t.Helper()
	r.Git(append([]string{"push", "--quiet", "--force", "origin"}, refspecs...)...)
	var warn bytes.Buffer
	pushhook.PostReceive(context.Background(), r.Bare, strings.NewReader(r.Pushed()), gitpush.Pusher{}, "test", &warn)
	return warn.String()
}

func setUp(t *testing.T, url string) *gittest.Repo {
	t.Helper()
	r := gittest.New(t)
	c := pushhook.Config{URL: url + "/", Project: "acme/widgets", Token: "intake-secret", WebURL: "https://git.example.com/acme/widgets",
		Timeout: 2 * time.Second}
	if _, err := pushhook.Install(r.Bare, c, "/nonexistent/glint"); err != nil {
		t.Fatal(err)
	}
	r.RecordPushes() // the tests run PostReceive themselves
	return r
}

// TestPostReceiveSendsAndSpools: each push is posted with GitLab's
// headers and a fresh UUID; while glint is down or answers 5xx or too
// slowly, events are spooled (the run still ends within its timeout, with
// a one-line warning); the next run sends the spooled ones first, in
// order, with their UUIDs unchanged, and deletes each once answered 2xx
// (a duplicate's 200 too); a refused event is set aside and does not hold
// back the others.
func TestPostReceiveSendsAndSpools(t *testing.T) {
	in := newIntake(t)
	r := setUp(t, in.URL)

	r.Commit("one", map[string]*string{"a": text("1\n")})
	if warn := push(t, r, "master"); warn != "" {
		t.Errorf("warnings on a good push: %q", warn)
	}
	got := in.take()
	if len(got) != 1 || got[0] != (received{"Push Hook", "intake-secret", got[0].UUID, "/hooks/gitlab/acme%2Fwidgets", "refs/heads/master"}) || len(got[0].UUID) != 36 {
		t.Fatalf("received %+v", got)
	}
	if files := spooled(t, r.Bare); len(files) != 0 {
		t.Fatalf("spool after a good push: %v", files)
	}

	// Down: 503, then too slow; both runs end and spool.
	in.setAnswer(status(503))
	r.Commit("two", map[string]*string{"a": text("2\n")})
	warn := push(t, r, "master")
	if strings.Count(warn, "\n") != 1 || !strings.Contains(warn, "1 event(s) spooled") || !strings.Contains(warn, "503") {
		t.Errorf("warning %q, want one line saying the event is spooled", warn)
	}
	release := make(chan struct{})
	in.setAnswer(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
		w.WriteHeader(202)
	})
	r.Tag("v1", "")
	start := time.Now()
	warn = push(t, r, "v1")
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("a run against a stalled glint took %s", took)
	}
	close(release)
	if !strings.Contains(warn, "2 event(s) spooled") {
		t.Errorf("warning %q, want both events spooled", warn)
	}
	files := spooled(t, r.Bare)
	if len(files) != 2 {
		t.Fatalf("spool %v, want 2 files", files)
	}
	down := in.take()
	firstUUID := down[0].UUID

	// Up again, answering the first resend as a duplicate: the spooled
	// events go first, in order, with their UUIDs; then the new one.
	n := 0
	in.setAnswer(func(w http.ResponseWriter, r *http.Request) {
		n++
		if n == 1 {
			w.WriteHeader(200)
			io.WriteString(w, `{"message":"duplicate event ignored","deliveries":0}`)
			return
		}
		w.WriteHeader(202)
	})
	r.Git("checkout", "--quiet", "-b", "feature")
	r.Commit("three", map[string]*string{"b": text("3\n")})
	if warn := push(t, r, "feature"); warn != "" {
		t.Errorf("warnings once glint is back: %q", warn)
	}
	got = in.take()
	if !slices.Equal(refs(got), []string{"refs/heads/master", "refs/tags/v1", "refs/heads/feature"}) || got[0].UUID != firstUUID {
		t.Errorf("after the outage: %+v, want master (uuid %s), v1, feature", got, firstUUID)
	}
	if files := spooled(t, r.Bare); len(files) != 0 {
		t.Errorf("spool after the flush: %v", files)
	}

	// A refused event is set aside; the one after it is still sent.
	in.setAnswer(status(400))
	r.Commit("four", map[string]*string{"b": text("4\n")})
	warn = push(t, r, "feature")
	if !strings.Contains(warn, "set aside") {
		t.Errorf("warning %q, want the refused event set aside", warn)
	}
	rejected, _ := filepath.Glob(filepath.Join(r.Bare, pushhook.SpoolDir, pushhook.RejectedDir, "*.json"))
	if len(rejected) != 1 || len(spooled(t, r.Bare)) != 0 {
		t.Errorf("rejected %v, spooled %v", rejected, spooled(t, r.Bare))
	}
}

// TestFlushRepo: glint hook flush's work sends what a run left, exactly
// once: a second flush sends nothing.
func TestFlushRepo(t *testing.T) {
	in := newIntake(t)
	r := setUp(t, in.URL)
	in.setAnswer(status(502))
	r.Commit("one", map[string]*string{"a": text("1\n")})
	push(t, r, "master")
	r.Commit("two", map[string]*string{"a": text("2\n")})
	push(t, r, "master")
	in.take()
	res, err := pushhook.FlushRepo(context.Background(), r.Bare, 0, "test")
	if err != nil || res.Left != 2 || res.Sent != 0 || res.Err == nil {
		t.Fatalf("flush while down: %+v %v", res, err)
	}
	in.setAnswer(nil)
	in.take()
	res, err = pushhook.FlushRepo(context.Background(), r.Bare, time.Second, "test")
	if err != nil || res.Sent != 2 || res.Left != 0 {
		t.Fatalf("flush: %+v %v", res, err)
	}
	if got := in.take(); len(got) != 2 || got[0].UUID == got[1].UUID {
		t.Errorf("flush sent %+v", got)
	}
	if res, _ := pushhook.FlushRepo(context.Background(), r.Bare, time.Second, "test"); res.Sent != 0 || len(in.take()) != 0 {
		t.Errorf("a second flush sent again: %+v", res)
	}
}

// TestPostReceiveNotSetUp: a repository without settings, or a path that
// is no repository, gives a warning and nothing else.
func TestPostReceiveNotSetUp(t *testing.T) {
	r := gittest.New(t)
	var warn bytes.Buffer
	pushhook.PostReceive(context.Background(), r.Bare, strings.NewReader("x\n"), gitpush.Pusher{}, "test", &warn)
	if !strings.Contains(warn.String(), "is not set up") {
		t.Errorf("warning %q", warn.String())
	}
	warn.Reset()
	pushhook.PostReceive(context.Background(), t.TempDir(), strings.NewReader(""), gitpush.Pusher{}, "test", &warn)
	if !strings.Contains(warn.String(), "not a git repository") {
		t.Errorf("warning %q", warn.String())
	}
}

// TestInstall: the settings land in git config (as git reads them), the
// hook that was there is chained and keeps getting the pushes and giving
// the exit status, and installing again changes the settings, not the
// chain.
func TestInstall(t *testing.T) {
	r := gittest.New(t)
	hooks := filepath.Join(r.Bare, "hooks")
	old := "#!/bin/sh\ncat > old-hook.log\nexit 3\n"
	if err := os.WriteFile(filepath.Join(hooks, "post-receive"), []byte(old), 0o755); err != nil {
		t.Fatal(err)
	}
	// A stand-in for the glint binary, keeping its arguments and input.
	fake := filepath.Join(t.TempDir(), "it's glint")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\necho \"$@\" > glint-args.log\ncat > glint.log\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	c := pushhook.Config{URL: "http://127.0.0.1:9", Project: "7", Token: "tok", CompareURL: "https://cgit.example.com/w/diff/?id={after}&id2={before}", Timeout: 2 * time.Second}
	in, err := pushhook.Install(r.Bare, c, fake)
	if err != nil {
		t.Fatal(err)
	}
	if in.Chained != filepath.Join(hooks, pushhook.ChainedName) {
		t.Errorf("chained %q", in.Chained)
	}
	if b, _ := os.ReadFile(in.Chained); string(b) != old {
		t.Errorf("the old hook was not kept as it was: %q", b)
	}
	c.Project, c.Token = "acme/widgets", "tok2"
	if _, err := pushhook.Install(r.Bare, c, fake); err != nil {
		t.Fatalf("installing again: %v", err)
	}
	cfg, err := r.Run(r.Bare, "config", "--get-regexp", `^glint\.`)
	if err != nil {
		t.Fatal(err)
	}
	want := "glint.url http://127.0.0.1:9\nglint.project acme/widgets\nglint.token tok2\nglint.compareurl https://cgit.example.com/w/diff/?id={after}&id2={before}\nglint.timeout 2s\n"
	if cfg != want {
		t.Errorf("git config:\n%s\nwant:\n%s", cfg, want)
	}

	c1 := r.Commit("one", map[string]*string{"a": text("1\n")})
	out, err := r.Run(r.Work, "push", "origin", "master")
	if err != nil {
		t.Fatalf("push: %v\n%s", err, out)
	}
	line := gitpush.BlankSHA + " " + c1 + " refs/heads/master\n"
	for _, log := range []string{"glint.log", "old-hook.log"} {
		if b, _ := os.ReadFile(filepath.Join(r.Bare, log)); string(b) != line {
			t.Errorf("%s: %q, want %q", log, b, line)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(r.Bare, "glint-args.log")); string(b) != "hook post-receive\n" {
		t.Errorf("glint ran with %q", b)
	}
	// The chained hook's status is the hook's (git reports it, the push
	// still succeeds: post-receive runs after the refs are updated).
	cmd := exec.Command("sh", "-c", "echo x | hooks/post-receive; echo $?")
	cmd.Dir = r.Bare
	if b, _ := cmd.Output(); strings.TrimSpace(string(b)) != "3" {
		t.Errorf("the hook's exit status is %q, want the chained hook's 3", b)
	}

	if _, err := pushhook.Install(r.Bare, pushhook.Config{URL: "ftp://x", Project: "1", Token: "t"}, fake); err == nil || !strings.Contains(err.Error(), "--url") {
		t.Errorf("a bad --url: %v", err)
	}
	if _, err := pushhook.Install(r.Work, c, fake); err == nil || !strings.Contains(err.Error(), "not a bare repository") {
		t.Errorf("a work tree: %v", err)
	}
}

// TestConcurrentFlushes: flushes running at once (two pushes, a flush by
// hand) take the spool in turn: every spooled event is posted once, in
// order.
func TestConcurrentFlushes(t *testing.T) {
	in := newIntake(t)
	r := setUp(t, in.URL)
	in.setAnswer(status(503))
	for i := range 4 {
		r.Commit(fmt.Sprint("commit ", i), map[string]*string{"a": text(fmt.Sprint(i, "\n"))})
		push(t, r, "master")
	}
	spooledFiles := spooled(t, r.Bare)
	var want []string
	for _, f := range spooledFiles {
		e, err := pushhook.NewSpool(r.Bare).Read(f)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, e.UUID)
	}
	in.take()
	in.setAnswer(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(30 * time.Millisecond)
		w.WriteHeader(202)
	})
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			if _, err := pushhook.FlushRepo(context.Background(), r.Bare, 10*time.Second, "test"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	var got []string
	for _, rec := range in.take() {
		got = append(got, rec.UUID)
	}
	if len(want) != 4 || !slices.Equal(got, want) {
		t.Errorf("posted %v, want each of %v once, in order", got, want)
	}
}
