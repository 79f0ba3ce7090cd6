package servicehook_test

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration/servicehook"
)

var reasons = map[string]bool{
	"is not a valid URL (a character outside RFC 3986, or a % not followed by two hex digits)": true,
	"is not a valid URL":          true,
	"is not an http or https URL": true,
	"has no host":                 true,
}

// FuzzRequest: whatever the hook URL, Request either refuses it with a
// prefixed error that does not repeat it, or sends to an http(s) URL with
// a host and no userinfo, the userinfo's parts in Basic auth.
func FuzzRequest(f *testing.F) {
	for _, s := range []string{
		"https://hook.example.com/x?a=b", "https://demo@example.org/", "https://a%40b+c:p%3Aw@example.org",
		"https://@example.org/", "http://u:p@[::1]:8080/h#f", "https://u:p@h/?q=u:p@x", "ftp://x", "https://h/%zz",
		"https://a@b@c/", "http://h:80", "HTTP://H/", "https://u:p@/x", "http://h/a b",
	} {
		f.Add(s)
	}
	ev := &event.Event{Kind: event.Push, Raw: []byte(`{"object_kind":"push"}`)}
	f.Fuzz(func(t *testing.T, raw string) {
		reqs, err := servicehook.Hook{Service: "svc", URL: raw}.Request(ev)
		if err != nil {
			if reqs != nil || !strings.HasPrefix(err.Error(), "svc: the hook URL ") {
				t.Fatalf("%q: %d requests, %v", raw, len(reqs), err)
			}
			// The reasons are fixed sentences: nothing of the URL is in them.
			if !reasons[strings.TrimPrefix(err.Error(), "svc: the hook URL ")] {
				t.Fatalf("%q: unknown reason: %v", raw, err)
			}
			return
		}
		if len(reqs) != 1 {
			t.Fatalf("%q: %d requests", raw, len(reqs))
		}
		r := reqs[0]
		u, err := url.Parse(r.URL)
		if err != nil || u.User != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
			t.Fatalf("%q: sent to %q (%v)", raw, r.URL, err)
		}
		auth := r.Header.Get("Authorization")
		if auth == "" {
			return
		}
		creds, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(auth, "Basic "))
		if err != nil || !strings.HasPrefix(auth, "Basic ") {
			t.Fatalf("%q: Authorization %q", raw, auth)
		}
		if !strings.Contains(string(creds), ":") {
			t.Fatalf("%q: credentials %q have no colon", raw, creds)
		}
	})
}
