package integrationtest

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/outbound"
)

// fakeT records failures instead of failing.
type fakeT struct {
	testing.TB
	failures []string
}

func (f *fakeT) Helper() {}
func (f *fakeT) Errorf(format string, a ...any) {
	f.failures = append(f.failures, fmt.Sprintf(format, a...))
}
func (f *fakeT) Fatalf(format string, a ...any) { f.Errorf(format, a...) }
func (f *fakeT) Fatal(a ...any)                 { f.failures = append(f.failures, fmt.Sprint(a...)) }

func TestAssertNoSecret(t *testing.T) {
	for _, tt := range []struct {
		texts []string
		leaks bool
	}{
		{[]string{"nothing here", ""}, false},
		{[]string{"ok", "token=t0k/en+1"}, true},
		{[]string{"https://x/?token=t0k%2Fen%2B1"}, true}, // query-escaped
		{[]string{"https://x/t0k%2Fen+1"}, true},          // path-escaped
	} {
		f := &fakeT{}
		AssertNoSecret(f, "t0k/en+1", tt.texts...)
		if got := len(f.failures) > 0; got != tt.leaks {
			t.Errorf("%q: leak found %v, want %v", tt.texts, got, tt.leaks)
		}
	}
	f := &fakeT{}
	AssertNoSecret(f, "", "x")
	if len(f.failures) != 1 {
		t.Error("an empty secret is accepted")
	}
}

func TestGoldenMismatch(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.golden")
	if err := os.WriteFile(path, []byte("a\nb\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f := &fakeT{}
	Golden(f, path, []byte("a\nb\n"))
	if len(f.failures) != 0 {
		t.Fatalf("equal files differ: %v", f.failures)
	}
	Golden(f, path, []byte("a\nc\n"))
	if len(f.failures) != 1 || !strings.Contains(f.failures[0], "line 2:") {
		t.Fatalf("failures %q", f.failures)
	}
	f = &fakeT{}
	Golden(f, path+".missing", nil)
	if len(f.failures) != 1 || !strings.Contains(f.failures[0], "-update") {
		t.Fatalf("failures %q", f.failures)
	}
}

func TestRecordingServer(t *testing.T) {
	rec := RecordingServer(t)
	if !strings.HasPrefix(rec.URL, "http://127.0.0.1:") {
		t.Fatalf("server at %s", rec.URL)
	}
	status, answer := Send(t, integration.Request{Method: http.MethodPost, URL: rec.URL + "/a%2Fb?x=1",
		Header: http.Header{"Content-Type": {"text/plain"}}, Body: []byte("hello")})
	got := rec.Requests()
	if len(got) != 1 || got[0].Method != "POST" || got[0].Path != "/a%2Fb" || got[0].Query != "x=1" ||
		got[0].Header.Get("Content-Type") != "text/plain" || string(got[0].Body) != "hello" || status != 200 || string(answer) != "ok" {
		t.Errorf("recorded %+v, answered %d %q", got, status, answer)
	}
	// Sent through the production client.
	if ua := got[0].Header.Get("User-Agent"); ua != outbound.DefaultUserAgent {
		t.Errorf("User-Agent %q", ua)
	}
}

// TestWalkGivesWholeAnswers: SendAll and Walk walk follow-ups as the
// delivery code does, Then given the whole answer past 4 KiB; Walk
// returns Then's error, and a client with an override sends a fixed
// endpoint's calls to the recorder.
func TestWalkGivesWholeAnswers(t *testing.T) {
	rec := RecordingServer(t)
	long := strings.Repeat("x", 10<<10)
	rec.Answer(func(r Request) (int, string) {
		if r.Path == "/list" {
			return http.StatusOK, long
		}
		return http.StatusCreated, "posted"
	})
	var got []byte
	chain := func(base string) []integration.Request {
		return []integration.Request{{Method: http.MethodGet, URL: base + "/list", Then: func(answer []byte) ([]integration.Request, error) {
			got = answer
			return []integration.Request{{Method: http.MethodPost, URL: base + "/post"}}, nil
		}}}
	}
	sent, err := Walk(t, Client(t, "https://fixed.example.com="+rec.URL), chain("https://fixed.example.com"))
	if err != nil || len(sent) != 2 || string(got) != long || string(sent[0].Answer) != long || sent[1].Status != http.StatusCreated {
		t.Fatalf("%d sent, %v; Then got %d bytes", len(sent), err, len(got))
	}
	reqs := chain(rec.URL)
	if status, n := SendAll(t, reqs); status != http.StatusCreated || n != 2 {
		t.Errorf("SendAll: %d after %d", status, n)
	}
	reqs[0].Then = func([]byte) ([]integration.Request, error) { return nil, errors.New("no such room") }
	if sent, err := Walk(t, Client(t), reqs); err == nil || err.Error() != "no such room" || len(sent) != 1 {
		t.Errorf("%d sent, %v", len(sent), err)
	}
}
