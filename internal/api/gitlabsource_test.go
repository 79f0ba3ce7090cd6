package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/settings"
	"github.com/glint-dev/glint/internal/store"
)

// TestGitLabSource: PUT, GET and DELETE of a project's GitLab source on
// both engines; the token is sealed at rest and never shown; bad input is
// a 400 in GitLab's shape that writes nothing.
func TestGitLabSource(t *testing.T) {
	forEachEngine(t, func(t *testing.T, eng engine) {
		e := newTestEnvOn(t, eng, settings.Policy{})
		pid := e.project("demo")
		path := fmt.Sprintf("/api/v4/projects/%d/gitlab_source", pid)
		const token = "glpat-readonly-s3cr3t"

		e.must(404, "GET", path, e.root, nil)
		e.must(404, "DELETE", path, e.root, nil)
		for _, c := range []struct {
			body map[string]any
			want string
		}{
			{map[string]any{"token": token}, "url is missing"},
			{map[string]any{"url": "https://gitlab.example.com"}, "token is missing"},
			{map[string]any{"url": "https://gitlab.example.com", "token": "  "}, "token is missing"},
			{map[string]any{"url": "gitlab.example.com", "token": token}, "url is invalid"},
			{map[string]any{"url": "ftp://gitlab.example.com", "token": token}, "url is invalid"},
			{map[string]any{"url": "https://user:pw@gitlab.example.com", "token": token}, "url is invalid"},
			{map[string]any{"url": "https://gitlab.example.com/?x=1", "token": token}, "url is invalid"},
			{map[string]any{"url": "http://127.0.0.1:8080", "token": token}, "url is blocked"},
			{map[string]any{"url": "http://10.1.2.3", "token": token}, "url is blocked"},
		} {
			r := e.must(400, "PUT", path, e.root, c.body)
			if got, _ := r.json(t)["error"].(string); !strings.HasPrefix(got, c.want) {
				t.Errorf("%v: error %q, want %q", c.body, got, c.want)
			}
			if strings.Contains(string(r.body), token) {
				t.Errorf("the token is in the answer %s", r.body)
			}
		}
		e.must(404, "GET", path, e.root, nil)

		r := e.must(200, "PUT", path, e.root, map[string]any{"url": "https://gitlab.example.com/", "token": token})
		got := r.json(t)
		if got["url"] != "https://gitlab.example.com" || got["token"] != nil || strings.Contains(string(r.body), token) {
			t.Errorf("PUT answered %s", r.body)
		}
		r = e.must(200, "GET", path, e.root, nil)
		if r.json(t)["url"] != "https://gitlab.example.com" || strings.Contains(string(r.body), token) {
			t.Errorf("GET answered %s", r.body)
		}
		src, err := e.st.GitLabSource(context.Background(), pid)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(src.SealedToken, token) {
			t.Error("the token is stored in clear")
		}
		if open, err := e.keys.Open(src.SealedToken, settings.GitLabSourceTokenAD); err != nil || open != token {
			t.Errorf("the sealed token opens to %q, %v", open, err)
		}
		if strings.Contains(e.logs.String(), token) {
			t.Error("the token is in the logs")
		}

		dev, devToken := e.user("dev")
		e.member(pid, dev.ID, store.Developer)
		e.must(403, "GET", path, devToken, nil)
		e.must(403, "PUT", path, devToken, map[string]any{"url": "https://x.example.com", "token": "t"})
		e.must(403, "DELETE", path, devToken, nil)

		e.must(204, "DELETE", path, e.root, nil)
		e.must(404, "GET", path, e.root, nil)

		// With --allow-local-requests a GitLab on the local network is fine.
		local := newTestEnvOn(t, eng, settings.Policy{AllowLocal: true})
		lpid := local.project("demo")
		local.must(200, "PUT", fmt.Sprintf("/api/v4/projects/%d/gitlab_source", lpid), local.root,
			map[string]any{"url": "http://127.0.0.1:8080", "token": token})
	})
}
