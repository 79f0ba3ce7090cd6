package packagist_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/glint-dev/glint/internal/integration/integrationtest"
	"github.com/glint-dev/glint/internal/integration/packagist"
)

const token = "s3cr3tP4ck4g1stT0k3n"

var base = map[string]any{"username": "jsmith", "token": token, "server": ""}

func TestGolden(t *testing.T) {
	integrationtest.Goldens(t, packagist.Build, integrationtest.Cases(base, "push"))
}

// TestEvents: pushes, tag pushes and merge requests, whatever they hold;
// nothing else.
func TestEvents(t *testing.T) {
	takes := map[string]bool{"push.json": true, "tag_push.json": true, "merge_request.json": true}
	for _, file := range integrationtest.FixtureFiles(t) {
		reqs := integrationtest.Build(t, packagist.Build, file, "", nil, base)
		if want := map[bool]int{true: 1}[takes[file]]; len(reqs) != want {
			t.Errorf("%s: %d requests, want %d", file, len(reqs), want)
			continue
		}
		if len(reqs) == 1 && (reqs[0].Header.Get("X-Gitlab-Event") != "Service Hook" || reqs[0].InsecureSkipVerify ||
			reqs[0].Header.Get("Authorization") != "") {
			t.Errorf("%s: %+v", file, reqs[0])
		}
	}
	for name, change := range map[string]func(m map[string]any){
		"no commits":     func(m map[string]any) { m["total_commits_count"], m["commits"] = 0, []any{} },
		"branch deleted": func(m map[string]any) { m["after"] = "0000000000000000000000000000000000000000" },
	} {
		if reqs := integrationtest.Build(t, packagist.Build, "push.json", "", change, base); len(reqs) != 1 {
			t.Errorf("%s: %d requests", name, len(reqs))
		}
	}
}

func TestHookURL(t *testing.T) {
	for _, tt := range []struct{ server, username, token, want string }{
		{"", "jsmith", "t0k", "https://packagist.org/api/update-package?username=jsmith&apiToken=t0k"},
		{"   ", "jsmith", "t0k", "https://packagist.org/api/update-package?username=jsmith&apiToken=t0k"},
		{"https://repo.example.com", "jsmith", "t0k", "https://repo.example.com/api/update-package?username=jsmith&apiToken=t0k"},
		// Concatenated as GitLab does: the slash stays.
		{"https://repo.example.com/", "jsmith", "t0k", "https://repo.example.com//api/update-package?username=jsmith&apiToken=t0k"},
		{"http://repo.example.com:8080/packagist", "j.smith-1", "a:b=c", "http://repo.example.com:8080/packagist/api/update-package?username=j.smith-1&apiToken=a:b=c"},
	} {
		got, err := packagist.HookURL(integrationtest.Props(base, "server", tt.server, "username", tt.username, "token", tt.token))
		if err != nil || got != tt.want {
			t.Errorf("%q %q %q: %q, %v; want %q", tt.server, tt.username, tt.token, got, err, tt.want)
		}
	}
}

func TestSettingErrors(t *testing.T) {
	integrationtest.Refuses(t, packagist.Build, "packagist: ", []string{token, "s3cr3t&x", "s3cr3t#x", "s3cr3t+x", "s3cr3t%41", "s3cr3t x", "pa55w0rd"},
		integrationtest.Props(base, "username", nil),
		integrationtest.Props(base, "username", " "),
		integrationtest.Props(base, "username", "j&apiToken=x"),
		integrationtest.Props(base, "username", "j smith"),
		integrationtest.Props(base, "username", "jsmïth"),
		integrationtest.Props(base, "token", nil),
		integrationtest.Props(base, "token", "s3cr3t&x"),
		integrationtest.Props(base, "token", "s3cr3t#x"),
		integrationtest.Props(base, "token", "s3cr3t+x"),
		integrationtest.Props(base, "token", "s3cr3t%41"),
		integrationtest.Props(base, "token", "s3cr3t x"),
		integrationtest.Props(base, "server", "repo.example.com"),
		integrationtest.Props(base, "server", "ftp://repo.example.com"),
		integrationtest.Props(base, "server", "https://u:pa55w0rd@repo.example.com/?x=1"),
		integrationtest.Props(base, "server", "https://u:pa55w0rd@repo.example.com#x"))
}

// TestSendToServer: Packagist's update-package endpoint, as its
// ApiController answers: 406 {"status":"error","message":"Missing payload
// parameter"} without a JSON body (Content-Type must be application/json),
// 403 {"status":"error","message":"Invalid credentials"} unless username
// and apiToken name a user, 404 when that user maintains no package from
// the payload's repository (project.git_http_url for GitLab payloads),
// and 202 {"status":"success","jobs":[...],"type":"manual"} when updates
// are scheduled.
func TestSendToServer(t *testing.T) {
	rec := integrationtest.RecordingServer(t)
	packages := map[string]bool{
		"http://example.com/mike/diaspora.git":        true,
		"http://example.com/jsmith/example.git":       true,
		"http://example.com/gitlabhq/gitlab-test.git": true,
	}
	rec.Answer(func(r integrationtest.Request) (int, string) {
		if r.Method != http.MethodPost || r.Path != "/api/update-package" {
			return http.StatusNotFound, "Not Found"
		}
		var payload struct {
			Project struct {
				GitHTTPURL string `json:"git_http_url"`
			} `json:"project"`
			Repository struct {
				URL string `json:"url"`
			} `json:"repository"`
		}
		if r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(r.Body, &payload) != nil {
			return http.StatusNotAcceptable, `{"status":"error","message":"Missing payload parameter"}`
		}
		repo := payload.Project.GitHTTPURL
		if repo == "" {
			repo = payload.Repository.URL
		}
		if repo == "" {
			return http.StatusNotAcceptable, `{"status":"error","message":"Missing or invalid payload"}`
		}
		q, err := url.ParseQuery(r.Query)
		if err != nil || q.Get("username") != "jsmith" || q.Get("apiToken") != token {
			return http.StatusForbidden, `{"status":"error","message":"Invalid credentials"}`
		}
		if !packages[repo] {
			return http.StatusNotFound, `{"status":"error","message":"Could not find a package that matches this request (does user maintain the package?)"}`
		}
		return http.StatusAccepted, `{"status":"success","jobs":["8a7bd4a8f4f0f5e1"],"type":"manual"}`
	})
	settings := integrationtest.Props(base, "server", rec.URL)
	for _, file := range []string{"push.json", "tag_push.json", "merge_request.json"} {
		reqs := integrationtest.Build(t, packagist.Build, file, "", nil, settings)
		if status, sent := integrationtest.SendAll(t, reqs); status != http.StatusAccepted || sent != 1 {
			t.Errorf("%s: answer %d after %d requests", file, status, sent)
		}
	}
	reqs := integrationtest.Build(t, packagist.Build, "push.json", "", nil, integrationtest.Props(settings, "token", "wrong"))
	if status, _ := integrationtest.SendAll(t, reqs); status != http.StatusForbidden {
		t.Errorf("wrong token: answer %d", status)
	}
}
