package buildkite_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/integration/buildkite"
	"github.com/glint-dev/glint/internal/integration/integrationtest"
)

var errorTexts = map[string]bool{
	"buildkite: the token is not set": true,
	"buildkite: the token has no webhook part (expected <webhook token>:<status token>)":         true,
	"buildkite: the webhook part of the token holds a character that cannot stand in a URL path": true,
}

// FuzzBuild: whatever the token, the push goes to one path segment under
// /deliver/ on Buildkite's host, and the status token never travels; or
// the token is refused without being repeated.
func FuzzBuild(f *testing.F) {
	for _, s := range []string{token, "abc", ":def", "a/b:c", "a?b#c:d", "a%2F:b", "::", "é:x", " a:b"} {
		f.Add(s)
	}
	ev := integrationtest.Event(f, "push.json", "", nil)
	f.Fuzz(func(t *testing.T, tok string) {
		reqs, err := buildkite.Build(ev, map[string]any{"token": tok}, integrationtest.Project)
		webhook, _, _ := strings.Cut(tok, ":")
		if err != nil {
			// The errors are fixed sentences: nothing of the token is in them.
			if !errorTexts[err.Error()] {
				t.Fatalf("%q: %v", tok, err)
			}
			return
		}
		if len(reqs) != 1 || reqs[0].URL != buildkite.Endpoint+webhook {
			t.Fatalf("%q: %+v", tok, reqs)
		}
		u, err := url.Parse(reqs[0].URL)
		if err != nil || u.Host != "webhook.buildkite.com" || u.RawQuery != "" || u.Fragment != "" ||
			u.EscapedPath() != "/deliver/"+webhook {
			t.Fatalf("%q: sent to %q", tok, reqs[0].URL)
		}
		if reqs[0].Header.Get("Authorization") != "" {
			t.Fatalf("%q: auth sent", tok)
		}
	})
}
