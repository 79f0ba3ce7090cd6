package droneci_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/droneci"
	"github.com/glint-dev/glint/internal/integration/integrationtest"
)

const token = "s3cr3tDr0neT0k3n"

var base = map[string]any{"token": token, "drone_url": "https://drone.example.com", "enable_ssl_verification": true}

const blank = "0000000000000000000000000000000000000000"

func commits(n int) func(m map[string]any) {
	return func(m map[string]any) { m["total_commits_count"] = n }
}

func mr(state, status string) func(m map[string]any) {
	return func(m map[string]any) {
		integrationtest.Attrs(m)["state"], integrationtest.Attrs(m)["merge_status"] = state, status
	}
}

func TestGolden(t *testing.T) {
	integrationtest.Goldens(t, droneci.Build, []integrationtest.Case{
		{Golden: "push", File: "push.json", Settings: base},
		// The documented tag push fixture counts no commits, which Drone
		// is not told of; this one brings one.
		{Golden: "tag_push", File: "tag_push.json", Change: commits(1), Settings: base},
		{Golden: "merge_request", File: "merge_request.json", Settings: base},
	})
}

// TestFilters: the push data validations, as Build applies them.
func TestFilters(t *testing.T) {
	deleted := func(m map[string]any) { m["after"], m["checkout_sha"] = blank, nil }
	tests := []struct {
		name, file string
		change     func(m map[string]any)
		sent       bool
	}{
		{"push", "push.json", nil, true},
		{"new branch", "push.json", func(m map[string]any) { m["before"] = blank }, true},
		// GitLab would skip this push if an open merge request came from
		// the branch; glint knows of none.
		{"push to a feature branch", "push.json", func(m map[string]any) { m["ref"] = "refs/heads/feature" }, true},
		{"push without commits", "push.json", commits(0), false},
		{"branch deleted", "push.json", deleted, false},
		{"tag without commits", "tag_push.json", nil, false},
		{"tag with commits", "tag_push.json", commits(2), true},
		{"tag deleted", "tag_push.json", func(m map[string]any) { commits(1)(m); deleted(m) }, false},
		{"mr opened", "merge_request.json", nil, true},
		{"mr recheck", "merge_request.json", mr("opened", "cannot_be_merged_recheck"), true},
		{"mr checked", "merge_request.json", mr("opened", "can_be_merged"), false},
		{"mr unmergeable", "merge_request.json", mr("opened", "cannot_be_merged"), false},
		{"mr reopened state", "merge_request.json", mr("reopened", "unchecked"), false},
		{"mr closed", "merge_request.json", mr("closed", "unchecked"), false},
		{"mr merged", "merge_request.json", mr("merged", "can_be_merged"), false},
	}
	for _, tt := range tests {
		reqs := integrationtest.Build(t, droneci.Build, tt.file, "", tt.change, base)
		if got := len(reqs) == 1; got != tt.sent || len(reqs) > 1 {
			t.Errorf("%s: %d requests, want sent=%v", tt.name, len(reqs), tt.sent)
		}
	}
}

// TestEvents: the fixtures of the kinds Drone does not take send nothing.
func TestEvents(t *testing.T) {
	for _, file := range integrationtest.FixtureFiles(t) {
		reqs := integrationtest.Build(t, droneci.Build, file, "", nil, base)
		want := 0
		if file == "push.json" || file == "merge_request.json" {
			want = 1
		}
		if len(reqs) != want {
			t.Errorf("%s: %d requests, want %d", file, len(reqs), want)
		}
	}
}

func TestHookURL(t *testing.T) {
	tests := []struct {
		name, droneURL, fullPath, token, want string
	}{
		{"plain", "https://drone.example.com", "gitlab-org/gitlab-test", "t0k", "https://drone.example.com/api/hook?owner=gitlab-org&name=gitlab-test&access_token=t0k"},
		// Concatenated as GitLab does: the slash stays.
		{"trailing slash", "https://drone.example.com/", "a/b", "t", "https://drone.example.com//api/hook?owner=a&name=b&access_token=t"},
		{"path", "http://ci.example.com:8000/drone", "a/b", "t", "http://ci.example.com:8000/drone/api/hook?owner=a&name=b&access_token=t"},
		{"subgroups", "https://drone.example.com", "group/sub/deeper/proj", "t", "https://drone.example.com/api/hook?owner=group/sub/deeper&name=proj&access_token=t"},
		{"token with colon", "https://drone.example.com", "a/b", "x:y=z", "https://drone.example.com/api/hook?owner=a&name=b&access_token=x:y=z"},
	}
	for _, tt := range tests {
		got, err := droneci.HookURL(integrationtest.Props(base, "drone_url", tt.droneURL, "token", tt.token), integration.Project{FullPath: tt.fullPath})
		if err != nil || got != tt.want {
			t.Errorf("%s: %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
}

// TestUserinfo: a drone_url with user:password@ sends Basic auth, not the
// userinfo; TLS verification follows the setting.
func TestUserinfo(t *testing.T) {
	reqs := integrationtest.Build(t, droneci.Build, "push.json", "", nil,
		integrationtest.Props(base, "drone_url", "https://ci:p%40ss@drone.example.com", "enable_ssl_verification", false))
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte("ci:p@ss"))
	if len(reqs) != 1 || reqs[0].URL != "https://drone.example.com/api/hook?owner=gitlab-org&name=gitlab-test&access_token="+token ||
		reqs[0].Header.Get("Authorization") != want || !reqs[0].InsecureSkipVerify {
		t.Errorf("%+v", reqs)
	}
	reqs = integrationtest.Build(t, droneci.Build, "push.json", "", nil, integrationtest.Props(base, "enable_ssl_verification", nil))
	if len(reqs) != 1 || reqs[0].InsecureSkipVerify {
		t.Errorf("unset enable_ssl_verification: %+v", reqs)
	}
}

func TestSettingErrors(t *testing.T) {
	integrationtest.Refuses(t, droneci.Build, "droneci: ", []string{token, "s3cr3t&x", "s3cr3t#x", "s3cr3t+x", "s3cr3t x", "pa55w0rd"},
		integrationtest.Props(base, "token", nil),
		integrationtest.Props(base, "token", " "),
		integrationtest.Props(base, "drone_url", nil),
		integrationtest.Props(base, "drone_url", "drone.example.com"),
		integrationtest.Props(base, "drone_url", "ftp://drone.example.com"),
		integrationtest.Props(base, "drone_url", "https://u:pa55w0rd@drone.example.com/?x=1"),
		integrationtest.Props(base, "drone_url", "https://u:pa55w0rd@drone.example.com/a b"),
		integrationtest.Props(base, "token", "s3cr3t&x"),
		integrationtest.Props(base, "token", "s3cr3t#x"),
		integrationtest.Props(base, "token", "s3cr3t+x"),
		integrationtest.Props(base, "token", "s3cr3t x"))
	for _, fullPath := range []string{"", "noslash", "a/", "/b", "a/b c", "a&b/c"} {
		_, err := droneci.Build(integrationtest.Event(t, "push.json", "", nil), base, integration.Project{FullPath: fullPath})
		if err == nil {
			t.Errorf("project %q accepted", fullPath)
		}
	}
}

// TestSendToServer: Drone's hook endpoint finds the repository by the
// owner and name in the query and checks its access_token, then reads the
// GitLab payload; it answers 200 when it takes the hook. (Drone documents
// no body for this endpoint; the recorder's answers are modeled.)
func TestSendToServer(t *testing.T) {
	rec := integrationtest.RecordingServer(t)
	rec.Answer(func(r integrationtest.Request) (int, string) {
		if r.Method != http.MethodPost || r.Path != "/api/hook" {
			return http.StatusNotFound, "404 page not found\n"
		}
		q, err := url.ParseQuery(r.Query)
		if err != nil || q.Get("owner") != "gitlab-org" || q.Get("name") != "gitlab-test" {
			return http.StatusNotFound, "Repository not found\n"
		}
		if q.Get("access_token") != token {
			return http.StatusUnauthorized, "Unauthorized\n"
		}
		var body struct {
			ObjectKind string `json:"object_kind"`
		}
		if r.Header.Get("X-Gitlab-Event") != "Service Hook" || json.Unmarshal(r.Body, &body) != nil || body.ObjectKind == "" {
			return http.StatusBadRequest, "Failed to parse hook\n"
		}
		return http.StatusOK, `{"number":1,"status":"pending","event":"` + body.ObjectKind + `"}`
	})
	settings := integrationtest.Props(base, "drone_url", rec.URL)
	for _, c := range []struct {
		file   string
		change func(m map[string]any)
	}{{"push.json", nil}, {"tag_push.json", commits(1)}, {"merge_request.json", nil}} {
		reqs := integrationtest.Build(t, droneci.Build, c.file, "", c.change, settings)
		if status, sent := integrationtest.SendAll(t, reqs); status != http.StatusOK || sent != 1 {
			t.Errorf("%s: answer %d after %d requests", c.file, status, sent)
		}
	}
	if got := rec.Requests(); len(got) != 3 {
		t.Errorf("received %d requests", len(got))
	}
	// A wrong token is turned away.
	reqs := integrationtest.Build(t, droneci.Build, "push.json", "", nil, integrationtest.Props(settings, "token", "wrong"))
	if status, _ := integrationtest.SendAll(t, reqs); status != http.StatusUnauthorized {
		t.Errorf("wrong token: answer %d", status)
	}
}
