package outbound

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/glint-dev/glint/internal/integration"
)

func TestText(t *testing.T) {
	const r = "\uFFFD"
	cases := []struct {
		name string
		in   string
		cut  bool
		want string
	}{
		{"ASCII", `{"error":"invalid"}`, false, `{"error":"invalid"}`},
		{"UTF-8", "Ungültiger Schlüssel ✓ 🚀", false, "Ungültiger Schlüssel ✓ 🚀"},
		{"a U+FFFD of its own stays", "a" + r + "b", false, "a" + r + "b"},
		{"ISO-8859-1", "Ung\xfcltiger Schl\xfcssel", false, "Ung" + r + "ltiger Schl" + r + "ssel"},
		{"NUL", "bad\x00request\x00", false, "bad" + r + "request" + r},
		{"invalid bytes, one mark each", "a\xff\xfeb", false, "a" + r + r + "b"},
		{"surrogate", "a\xed\xa0\x80b", false, "a" + r + r + r + "b"},
		{"cut inside a character", "ab\xe2\x9c", true, "ab"},
		{"cut inside a 4-byte character", "ab\xf0\x9f\x9a", true, "ab"},
		{"cut after a character", "ab\xe2\x9c\x93", true, "ab✓"},
		{"a split character not at a cut is marked", "ab\xe2\x9c", false, "ab" + r + r},
		{"cut, invalid before", "\xffab\xc3", true, r + "ab"},
		{"empty", "", true, ""},
	}
	for _, c := range cases {
		got := text([]byte(c.in), c.cut)
		if string(got) != c.want {
			t.Errorf("%s: text(%q, %v) = %q, want %q", c.name, c.in, c.cut, got, c.want)
		}
	}
	// Valid text is not copied.
	in := []byte("ok")
	if got := text(in, false); &got[0] != &in[0] {
		t.Error("valid text was copied")
	}
	// Marks never make it longer than maxBody.
	worst := bytes.Repeat([]byte("a\xff"), maxBody/2)
	got := text(worst, true)
	if len(got) > maxBody || !utf8.Valid(got) || !strings.HasPrefix(string(got), "a"+r+"a"+r) {
		t.Errorf("alternating invalid bytes: %d bytes, valid %v", len(got), utf8.Valid(got))
	}
}

// TestDoBodyAsText: the body of an answer is valid UTF-8 without NUL,
// whatever the target sent, and a character split by the 4 KiB cut is
// dropped.
func TestDoBodyAsText(t *testing.T) {
	long := `{"error":"` + strings.Repeat("x", maxBody-1-len(`{"error":"`)) + "é" + strings.Repeat("ü", 600) + `"}`
	cases := []struct{ body, want string }{
		{long, long[:maxBody-1]},
		{"Ung\xfcltig", "Ung\uFFFDltig"},
		{"bad\x00request", "bad\uFFFDrequest"},
		{"plain ✓", "plain ✓"},
	}
	for _, c := range cases {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(c.body))
		}))
		res, err := local(Options{}).Do(context.Background(), integration.Request{Method: http.MethodPost, URL: srv.URL})
		srv.Close()
		if err != nil {
			t.Fatal(err)
		}
		if string(res.Body) != c.want || res.Status != http.StatusBadRequest {
			t.Errorf("answer %q: got %d with %d bytes %q, want %d bytes", c.body[:min(len(c.body), 40)], res.Status, len(res.Body), res.Body[:min(len(res.Body), 40)], len(c.want))
		}
	}
}
