package github_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/github"
	"github.com/glint-dev/glint/internal/integration/integrationtest"
)

const token = "ghp_s3cr3tG1tHubT0k3n"

var base = map[string]any{"token": token, "repository_url": "https://github.com/gitlab-org/gitlab-test.git", "static_context": true}

// pipeline sets the pipeline's status and detailed status.
func pipeline(status, detailed string) func(m map[string]any) {
	return func(m map[string]any) {
		a := integrationtest.Attrs(m)
		a["status"], a["detailed_status"] = status, detailed
	}
}

func TestGolden(t *testing.T) {
	integrationtest.Goldens(t, github.Build, []integrationtest.Case{
		{Golden: "pipeline_success", File: "pipeline.json", Change: pipeline("success", "passed"), Settings: base},
		{Golden: "pipeline_failed", File: "pipeline.json", Change: pipeline("failed", "failed"), Settings: base},
		{Golden: "pipeline_running", File: "pipeline.json", Change: pipeline("running", "running"), Settings: base},
		{Golden: "pipeline_static_context_false", File: "pipeline.json", Change: pipeline("success", "passed"),
			Settings: integrationtest.Props(base, "static_context", false)},
	})
}

// statusOf decodes the status built for a pipeline; nil when none is.
func statusOf(t *testing.T, change func(m map[string]any), settings map[string]any) map[string]string {
	t.Helper()
	reqs := integrationtest.Build(t, github.Build, "pipeline.json", "", change, settings)
	if len(reqs) == 0 {
		return nil
	}
	var s map[string]string
	if len(reqs) != 1 || json.Unmarshal(reqs[0].Body, &s) != nil {
		t.Fatalf("%d requests: %s", len(reqs), reqs[0].Body)
	}
	return s
}

// TestStates: GitLab's status mapping; statuses it does not map send
// nothing.
func TestStates(t *testing.T) {
	for status, want := range map[string]string{
		"created": "pending", "pending": "pending", "running": "pending", "manual": "pending",
		"success": "success", "skipped": "success", "failed": "failure", "canceled": "error",
		"preparing": "", "scheduled": "", "waiting_for_resource": "", "unknown": "",
	} {
		s := statusOf(t, pipeline(status, status), base)
		switch {
		case want == "" && s != nil:
			t.Errorf("%s: sent %v, want nothing", status, s)
		case want != "" && (s == nil || s["state"] != want):
			t.Errorf("%s: sent %v, want state %q", status, s, want)
		}
	}
}

// TestMessage: context by static_context (instance host without port, or
// ref), the description from detailed_status, both cut as
// ActiveSupport's truncate, and the pipeline URL.
func TestMessage(t *testing.T) {
	long := strings.Repeat("é", 300)
	tests := []struct {
		name                  string
		change                func(m map[string]any)
		settings              map[string]any
		context, desc, target string
	}{
		{"static", pipeline("success", "passed"), base,
			// ee/app/models/project_services/github_service/status_message.rb:
			// "@target_url = project_pipeline_url(project, pipeline)" and
			// "Gitlab.config.gitlab.host": the sending GitLab's, named by
			// the payload's project web_url.
			"ci/gitlab/192.168.64.1", "Pipeline passed on GitLab", "http://192.168.64.1:3005/gitlab-org/gitlab-test/pipelines/31"},
		{"static unset", pipeline("success", "passed"), integrationtest.Props(base, "static_context", nil),
			"ci/gitlab/master", "Pipeline passed on GitLab", ""},
		{"static as string", pipeline("success", "passed"), integrationtest.Props(base, "static_context", "true"),
			"ci/gitlab/192.168.64.1", "", ""},
		{"ref", func(m map[string]any) {
			pipeline("manual", "waiting for manual action")(m)
			integrationtest.Attrs(m)["ref"] = "feature/x"
		},
			integrationtest.Props(base, "static_context", false), "ci/gitlab/feature/x", "Pipeline waiting for manual action on GitLab", ""},
		{"no detailed status", pipeline("success", ""), base, "", "Pipeline  on GitLab", ""},
		{"long", func(m map[string]any) { pipeline("failed", long)(m); integrationtest.Attrs(m)["ref"] = long },
			integrationtest.Props(base, "static_context", false),
			"ci/gitlab/" + strings.Repeat("é", 242) + "...", "Pipeline " + strings.Repeat("é", 128) + "...", ""},
		{"exactly 255", func(m map[string]any) {
			pipeline("failed", "x")(m)
			integrationtest.Attrs(m)["ref"] = strings.Repeat("r", 245)
		},
			integrationtest.Props(base, "static_context", false), "ci/gitlab/" + strings.Repeat("r", 245), "", ""},
	}
	for _, tt := range tests {
		s := statusOf(t, tt.change, tt.settings)
		if s == nil {
			t.Errorf("%s: nothing sent", tt.name)
			continue
		}
		for key, want := range map[string]string{"context": tt.context, "description": tt.desc, "target_url": tt.target} {
			if want != "" && s[key] != want {
				t.Errorf("%s: %s %q, want %q", tt.name, key, s[key], want)
			}
		}
	}
	// Without a web_url in the payload, glint's project URL; the host
	// comes without port.
	p := integrationtest.Project
	p.WebURL = "https://glint.example.com:8443/g/p"
	reqs, err := github.Build(integrationtest.Event(t, "pipeline.json", "", func(m map[string]any) {
		pipeline("success", "passed")(m)
		m["project"].(map[string]any)["web_url"] = ""
	}), base, p)
	if err != nil || len(reqs) != 1 || !strings.Contains(string(reqs[0].Body), `"context":"ci/gitlab/glint.example.com"`) ||
		!strings.Contains(string(reqs[0].Body), `"target_url":"https://glint.example.com:8443/g/p/pipelines/31"`) {
		t.Errorf("port: %v %v", reqs, err)
	}
}

// TestRepository: GitLab's RemoteProject, with glint's fixes.
func TestRepository(t *testing.T) {
	tests := []struct{ url, status string }{
		{"https://github.com/owner/repo", "https://api.github.com/repos/owner/repo/statuses/abc"},
		{"https://github.com/owner/repo.git", "https://api.github.com/repos/owner/repo/statuses/abc"},
		{"http://GitHub.com/owner/repo/tree/main?x#y", "https://api.github.com/repos/owner/repo/statuses/abc"},
		{"https://github.com:443/owner/owner.github.io", "https://api.github.com/repos/owner/owner.github.io/statuses/abc"},
		{"https://user:pw@github.example.com/org/app.git", "https://github.example.com/api/v3/repos/org/app/statuses/abc"},
		{"http://github.example.com:8080/org/app", "http://github.example.com:8080/api/v3/repos/org/app/statuses/abc"},
		{"https://github.com/a%2Fb/c%20d", "https://api.github.com/repos/a%2Fb/c%20d/statuses/abc"},
		{"https://github.com/owner", ""},
		{"https://github.com/owner/", ""},
		{"https://github.com//owner/repo", ""},
		{"https://github.com/owner/.git", ""},
		{"https://github.com/../repo", ""},
		{"github.com/owner/repo", ""},
		{"ssh://git@github.com/owner/repo.git", ""},
		{"git@github.com:owner/repo.git", ""},
		{"https:///owner/repo", ""},
		{"https://github.com/%zz/repo", ""},
	}
	for _, tt := range tests {
		r, err := github.ParseRepository(tt.url)
		switch {
		case tt.status == "" && err == nil:
			t.Errorf("%s: accepted as %+v", tt.url, r)
		case tt.status == "" && !strings.HasPrefix(err.Error(), "github: "):
			t.Errorf("%s: error %v", tt.url, err)
		case tt.status != "" && (err != nil || r.StatusURL("abc") != tt.status):
			t.Errorf("%s: %+v %v; want %s", tt.url, r, err, tt.status)
		}
	}
}

// TestEvents: only pipelines are reported.
func TestEvents(t *testing.T) {
	for _, file := range []string{"push.json", "tag_push.json", "issue.json", "merge_request.json", "note_commit.json",
		"wiki_page.json", "deployment.json", "job.json"} {
		if reqs := integrationtest.Build(t, github.Build, file, "", nil, base); len(reqs) != 0 {
			t.Errorf("%s: %d requests", file, len(reqs))
		}
	}
}

func TestSettingErrors(t *testing.T) {
	integrationtest.Refuses(t, github.Build, "github: ", []string{token},
		integrationtest.Props(base, "token", nil),
		integrationtest.Props(base, "token", " "),
		integrationtest.Props(base, "repository_url", nil),
		integrationtest.Props(base, "repository_url", "https://github.com/"+token),
		integrationtest.Props(base, "repository_url", "https://"+token+"@github.com/"),
		integrationtest.Props(base, "repository_url", "ftp://github.com/o/r"),
		integrationtest.Props(base, "repository_url", "https://github.com/\x7f"+token))
	// A pipeline without sha cannot be reported.
	ev := integrationtest.Event(t, "pipeline.json", "", func(m map[string]any) { delete(integrationtest.Attrs(m), "sha") })
	if reqs, err := github.Build(ev, base, integrationtest.Project); err == nil || reqs != nil {
		t.Errorf("no sha: %d requests, %v", len(reqs), err)
	}
	// Nor, with a static context, a project URL without host.
	ev = integrationtest.Event(t, "pipeline.json", "", func(m map[string]any) { m["project"].(map[string]any)["web_url"] = "" })
	if reqs, err := github.Build(ev, base, integration.Project{WebURL: "/g/p"}); err == nil || reqs != nil {
		t.Errorf("no host: %d requests, %v", len(reqs), err)
	}
}

// TestSendToServer: GitHub's status API wants "token" auth, JSON with a
// known state, and answers 201 with the status; a bad token gets 401,
// a bad state 422.
func TestSendToServer(t *testing.T) {
	rec := integrationtest.RecordingServer(t)
	const path = "/api/v3/repos/gitlab-org/gitlab-test/statuses/bcbb5ec396a2c0f828686f14fac9b80b780504f2"
	rec.Answer(func(r integrationtest.Request) (int, string) {
		if r.Header.Get("Authorization") != "token "+token {
			return http.StatusUnauthorized, `{"message":"Bad credentials","documentation_url":"https://developer.github.com/v3"}`
		}
		if r.Method != http.MethodPost || r.Path != path {
			return http.StatusNotFound, `{"message":"Not Found","documentation_url":"https://developer.github.com/v3/repos/statuses/#create-a-status"}`
		}
		var s struct{ State, Context, Description, TargetURL string }
		if err := json.Unmarshal(r.Body, &s); err != nil || r.Header.Get("Content-Type") != "application/json" {
			return http.StatusBadRequest, `{"message":"Problems parsing JSON","documentation_url":"https://developer.github.com/v3/repos/statuses/#create-a-status"}`
		}
		switch s.State {
		case "pending", "success", "failure", "error":
		default:
			return http.StatusUnprocessableEntity, `{"message":"Validation Failed","errors":[{"resource":"Status","code":"custom","field":"state","message":"state is not included in the list"}],"documentation_url":"https://developer.github.com/v3/repos/statuses/#create-a-status"}`
		}
		return http.StatusCreated, `{"url":"https://api.github.com` + strings.TrimPrefix(path, "/api/v3") + `","id":1,"state":"` + s.State +
			`","description":"` + s.Description + `","target_url":"` + s.TargetURL + `","context":"` + s.Context + `","creator":{"login":"ci-bot"}}`
	})
	settings := integrationtest.Props(base, "repository_url", rec.URL+"/gitlab-org/gitlab-test")
	for _, status := range []string{"success", "failed", "running", "canceled"} {
		reqs := integrationtest.Build(t, github.Build, "pipeline.json", "", pipeline(status, status), settings)
		if got, sent := integrationtest.SendAll(t, reqs); got != http.StatusCreated || sent != 1 {
			t.Errorf("%s: answer %d after %d requests", status, got, sent)
		}
	}
	reqs := integrationtest.Build(t, github.Build, "pipeline.json", "", nil, integrationtest.Props(settings, "token", "wrong"))
	if got, _ := integrationtest.SendAll(t, reqs); got != http.StatusUnauthorized {
		t.Errorf("wrong token: answer %d", got)
	}
	// The recorder refuses a state GitHub does not know, as GitHub does.
	bad := reqs[0]
	bad.Header = bad.Header.Clone()
	bad.Header.Set("Authorization", "token "+token)
	bad.Body = []byte(`{"context":"c","description":"d","target_url":"u","state":null}`)
	if got, answer := integrationtest.Send(t, bad); got != http.StatusUnprocessableEntity || !strings.Contains(string(answer), "Validation Failed") {
		t.Errorf("null state: answer %d %s", got, answer)
	}
	if got := rec.Requests(); len(got) != 6 || got[0].Header.Get("Accept") != "application/vnd.github.v3+json" {
		t.Errorf("received %d requests: %+v", len(got), got)
	}
}
