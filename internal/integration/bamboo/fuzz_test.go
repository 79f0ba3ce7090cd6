package bamboo_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/bamboo"
)

// FuzzBuild: whatever the root URL and build key, Build either refuses
// with a "bamboo: " error that quotes neither the URL nor the password,
// or returns one GET whose URL parses, ends its path in
// /updateAndBuild.action and carries the build key back unchanged.
func FuzzBuild(f *testing.F) {
	f.Add("https://bamboo.example.com/", "PROJ-PLAN", "ci-bot")
	f.Add("http://ci.example.com/bamboo//", "A B&c=d/é", "")
	f.Add("https://u:p@bamboo.example.com?x", "K", "u")
	f.Add("https://[::1]:8085", "K#1", "")
	f.Add("https://bamboo.example.com/%zz", "K", "")
	f.Add("//bamboo.example.com", "K", "")
	const password = "pw-fuzz-9f3"
	ev := &event.Event{Kind: event.Push, Push: &event.PushEvent{Ref: "refs/heads/master"}}
	f.Fuzz(func(t *testing.T, root, key, user string) {
		settings := map[string]any{"bamboo_url": root, "build_key": key, "username": user, "password": password}
		reqs, err := bamboo.Build(ev, settings, integration.Project{})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "bamboo: ") || strings.Contains(err.Error(), password) ||
				len(root) > 8 && strings.Contains(err.Error(), root) {
				t.Fatalf("error %q", err)
			}
			return
		}
		if len(reqs) != 1 || !reqs[0].InsecureSkipVerify {
			t.Fatalf("%+v", reqs)
		}
		u, err := url.Parse(reqs[0].URL)
		if err != nil || !strings.HasSuffix(u.Path, "/updateAndBuild.action") || u.Fragment != "" {
			t.Fatalf("URL %q: %v", reqs[0].URL, err)
		}
		q, err := url.ParseQuery(u.RawQuery)
		if err != nil || q.Get("buildKey") != key || q.Get("os_authType") != "basic" {
			t.Fatalf("query %q (%v), key %q", u.RawQuery, err, key)
		}
	})
}
