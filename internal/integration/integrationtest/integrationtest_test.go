package integrationtest

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	resp, err := http.Post(rec.URL+"/a%2Fb?x=1", "text/plain", strings.NewReader("hello"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	got := rec.Requests()
	if len(got) != 1 || got[0].Method != "POST" || got[0].Path != "/a%2Fb" || got[0].Query != "x=1" ||
		got[0].Header.Get("Content-Type") != "text/plain" || string(got[0].Body) != "hello" || resp.StatusCode != 200 {
		t.Errorf("recorded %+v, answered %d", got, resp.StatusCode)
	}
}
