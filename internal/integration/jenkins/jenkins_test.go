package jenkins_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/glint-dev/glint/internal/integration/integrationtest"
	"github.com/glint-dev/glint/internal/integration/jenkins"
)

const password = "s3cr3tJ3nk1nsP@ss"

var base = map[string]any{
	"jenkins_url": "https://jenkins.example.com", "project_name": "my_project_name",
	"username": "gitlab", "password": password,
}

var deprecated = map[string]any{
	"project_url": "http://jenkins.example.com/job/my-project/", "multiproject_enabled": false, "pass_unstable": false,
}

func basic(user, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
}

func TestGolden(t *testing.T) {
	integrationtest.Goldens(t, jenkins.Build, integrationtest.Cases(base, "push", "merge_request", "tag_push"))
	integrationtest.Goldens(t, jenkins.BuildDeprecated, []integrationtest.Case{
		{Golden: "deprecated_push", File: "push.json", Settings: deprecated},
	})
}

// TestEvents: Jenkins CI takes every push, tag push and merge request,
// each under its own X-Gitlab-Event; the deprecated service pushes only.
func TestEvents(t *testing.T) {
	headers := map[string]string{"push.json": "Push Hook", "tag_push.json": "Tag Push Hook", "merge_request.json": "Merge Request Hook"}
	for _, file := range integrationtest.FixtureFiles(t) {
		reqs := integrationtest.Build(t, jenkins.Build, file, "", nil, base)
		want, takes := headers[file]
		switch {
		case !takes && len(reqs) != 0:
			t.Errorf("jenkins, %s: %d requests", file, len(reqs))
		case takes && (len(reqs) != 1 || reqs[0].Header.Get("X-Gitlab-Event") != want):
			t.Errorf("jenkins, %s: %+v, want one %s", file, reqs, want)
		}
		reqs = integrationtest.Build(t, jenkins.BuildDeprecated, file, "", nil, deprecated)
		switch {
		case file != "push.json" && len(reqs) != 0:
			t.Errorf("jenkins-deprecated, %s: %d requests", file, len(reqs))
		case file == "push.json" && (len(reqs) != 1 || reqs[0].Header.Get("X-Gitlab-Event") != "Service Hook"):
			t.Errorf("jenkins-deprecated, %s: %+v", file, reqs)
		}
	}
	// No push data validations: pushes without commits, branch deletions
	// and merge requests in any state all go.
	for name, c := range map[string]struct {
		file   string
		change func(m map[string]any)
	}{
		"no commits":      {"push.json", func(m map[string]any) { m["total_commits_count"], m["commits"] = 0, []any{} }},
		"branch deleted":  {"push.json", func(m map[string]any) { m["after"] = "0000000000000000000000000000000000000000" }},
		"tag, no commits": {"tag_push.json", nil},
		"mr merged": {"merge_request.json", func(m map[string]any) {
			integrationtest.Attrs(m)["state"], integrationtest.Attrs(m)["merge_status"] = "merged", "can_be_merged"
		}},
	} {
		if reqs := integrationtest.Build(t, jenkins.Build, c.file, "", c.change, base); len(reqs) != 1 {
			t.Errorf("%s: %d requests", name, len(reqs))
		}
		if c.file == "push.json" {
			if reqs := integrationtest.Build(t, jenkins.BuildDeprecated, c.file, "", c.change, deprecated); len(reqs) != 1 {
				t.Errorf("deprecated, %s: %d requests", name, len(reqs))
			}
		}
	}
}

// TestHookURL: the request URL (credentials out) and the Basic auth.
func TestHookURL(t *testing.T) {
	tests := []struct {
		name                            string
		jenkinsURL, project, user, pass string
		wantURL, wantAuth               string
	}{
		{"no path", "https://jenkins.example.com", "p", "u", "pw", "https://jenkins.example.com/project/p", basic("u", "pw")},
		{"root", "https://jenkins.example.com/", "p", "u", "pw", "https://jenkins.example.com/project/p", basic("u", "pw")},
		{"base path", "http://ci.example.com:8080/jenkins", "p", "u", "pw", "http://ci.example.com:8080/jenkins/project/p", basic("u", "pw")},
		{"base path, slash", "http://ci.example.com:8080/jenkins/", "p", "u", "pw", "http://ci.example.com:8080/jenkins/project/p", basic("u", "pw")},
		{"query stays, fragment goes", "https://j.example.com/a?x=1#f", "p", "", "", "https://j.example.com/a/project/p?x=1", ""},
		{"folder name", "https://j.example.com", "folder/job%20name", "", "", "https://j.example.com/project/folder/job%20name", ""},
		// The credentials arrive as they are set: escaped into the URL,
		// unescaped out of it.
		{"odd credentials", "https://j.example.com", "p", "a+b@c d", "p:w/%+", "https://j.example.com/project/p", basic("a+b@c d", "p:w/%+")},
		{"username only", "https://j.example.com", "p", "u", "", "https://j.example.com/project/p", basic("u", "")},
		// GitLab clears the password when the username is blank.
		{"password only", "https://j.example.com", "p", "", "pw", "https://j.example.com/project/p", ""},
		{"userinfo in jenkins_url", "https://a:b@j.example.com", "p", "", "", "https://j.example.com/project/p", basic("a", "b")},
		{"username replaces it", "https://a:b@j.example.com", "p", "u", "", "https://j.example.com/project/p", basic("u", "b")},
		{"both replace it", "https://a:b@j.example.com", "p", "u", "pw", "https://j.example.com/project/p", basic("u", "pw")},
	}
	for _, tt := range tests {
		settings := integrationtest.Props(base, "jenkins_url", tt.jenkinsURL, "project_name", tt.project, "username", tt.user, "password", tt.pass)
		reqs := integrationtest.Build(t, jenkins.Build, "push.json", "", nil, settings)
		if len(reqs) != 1 || reqs[0].URL != tt.wantURL || reqs[0].Header.Get("Authorization") != tt.wantAuth || reqs[0].InsecureSkipVerify {
			t.Errorf("%s: %+v; want %s with %q", tt.name, reqs, tt.wantURL, tt.wantAuth)
		}
	}
}

func TestDeprecatedHookURL(t *testing.T) {
	tests := []struct{ projectURL, want string }{
		{"http://jenkins.example.com/job/my-project/", "http://jenkins.example.com/gitlab/build_now"},
		{"http://jenkins.example.com/job/my-project", "http://jenkins.example.com/gitlab/build_now"},
		{"https://ci.example.com:8443/jenkins/job/a/job/b/", "https://ci.example.com:8443/jenkins/gitlab/build_now"},
		{"http://jenkins.example.com/", "http://jenkins.example.com/gitlab/build_now"},
		{"http://u:p@jenkins.example.com/job/x/", "http://u:p@jenkins.example.com/gitlab/build_now"},
		// Refused: GitLab would post to .../cigitlab/build_now, to
		// .../mygitlab/build_now, or to the host "gitlab".
		{"http://jenkins.example.com", ""},
		{"http://jenkins.example.com/ci", ""},
		{"http://jenkins.example.com/myjob/x/", ""},
		{"http://job/job/x/", ""},
		{"http://jenkins.example.com/?a=/job/x", ""},
		{"http://jenkins.example.com/#/job/x", ""},
		{"jenkins.example.com/job/x/", ""},
	}
	for _, tt := range tests {
		got, err := jenkins.DeprecatedHookURL(integrationtest.Props(deprecated, "project_url", tt.projectURL))
		if got != tt.want || (err == nil) != (tt.want != "") {
			t.Errorf("%q: %q, %v; want %q", tt.projectURL, got, err, tt.want)
		}
	}
	reqs := integrationtest.Build(t, jenkins.BuildDeprecated, "push.json", "", nil,
		integrationtest.Props(deprecated, "project_url", "http://ci:"+password+"@jenkins.example.com/job/x/"))
	if len(reqs) != 1 || reqs[0].URL != "http://jenkins.example.com/gitlab/build_now" || reqs[0].Header.Get("Authorization") != basic("ci", "s3cr3tJ3nk1nsP@ss") {
		t.Errorf("userinfo: %+v", reqs)
	}
}

func TestSettingErrors(t *testing.T) {
	integrationtest.Refuses(t, jenkins.Build, "jenkins: ", []string{password, "pa55w0rd"},
		integrationtest.Props(base, "jenkins_url", nil),
		integrationtest.Props(base, "jenkins_url", "jenkins.example.com"),
		integrationtest.Props(base, "jenkins_url", "ftp://u:pa55w0rd@jenkins.example.com"),
		integrationtest.Props(base, "jenkins_url", "https://u:pa55w0rd@jenkins.example.com/a b"),
		integrationtest.Props(base, "project_name", nil),
		integrationtest.Props(base, "project_name", "my project"),
		integrationtest.Props(base, "project_name", "p?x=1"),
		integrationtest.Props(base, "project_name", "p#x"),
		integrationtest.Props(base, "project_name", "p%zz"))
	integrationtest.Refuses(t, jenkins.BuildDeprecated, "jenkins: ", []string{"pa55w0rd"},
		integrationtest.Props(deprecated, "project_url", nil),
		integrationtest.Props(deprecated, "project_url", "http://u:pa55w0rd@jenkins.example.com"),
		integrationtest.Props(deprecated, "project_url", "http://u:pa55w0rd@jenkins.example.com/ci/"+"x"),
		integrationtest.Props(deprecated, "project_url", "http://u:pa55w0rd@jenkins example.com/job/x"))
}

// TestSendToServer: the Jenkins GitLab plugin's /project/<name> endpoint
// wants the user's Basic auth (anonymous may not build: 403) and a known
// X-Gitlab-Event matching the payload, and answers 200. The GitLab Hook
// plugin's /gitlab/build_now takes the push payload and answers 200.
func TestSendToServer(t *testing.T) {
	rec := integrationtest.RecordingServer(t)
	kinds := map[string]string{"Push Hook": "push", "Tag Push Hook": "tag_push", "Merge Request Hook": "merge_request"}
	rec.Answer(func(r integrationtest.Request) (int, string) {
		var body struct {
			ObjectKind string `json:"object_kind"`
		}
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(r.Body, &body) != nil {
			return http.StatusBadRequest, ""
		}
		switch r.Path {
		case "/project/my_project_name":
			if r.Header.Get("Authorization") != basic("gitlab", password) || kinds[r.Header.Get("X-Gitlab-Event")] != body.ObjectKind {
				return http.StatusForbidden, "<html><body>Forbidden</body></html>"
			}
			return http.StatusOK, ""
		case "/gitlab/build_now":
			if r.Header.Get("X-Gitlab-Event") != "Service Hook" || body.ObjectKind != "push" {
				return http.StatusBadRequest, ""
			}
			return http.StatusOK, "Build scheduled for my-project"
		}
		return http.StatusNotFound, ""
	})
	settings := integrationtest.Props(base, "jenkins_url", rec.URL)
	for _, file := range []string{"push.json", "tag_push.json", "merge_request.json"} {
		reqs := integrationtest.Build(t, jenkins.Build, file, "", nil, settings)
		if status, sent := integrationtest.SendAll(t, reqs); status != http.StatusOK || sent != 1 {
			t.Errorf("%s: answer %d after %d requests", file, status, sent)
		}
	}
	reqs := integrationtest.Build(t, jenkins.Build, "push.json", "", nil, integrationtest.Props(settings, "password", "wrong"))
	if status, _ := integrationtest.SendAll(t, reqs); status != http.StatusForbidden {
		t.Errorf("wrong password: answer %d", status)
	}
	reqs = integrationtest.Build(t, jenkins.BuildDeprecated, "push.json", "", nil,
		integrationtest.Props(deprecated, "project_url", rec.URL+"/job/my-project/"))
	if status, sent := integrationtest.SendAll(t, reqs); status != http.StatusOK || sent != 1 {
		t.Errorf("deprecated: answer %d after %d requests", status, sent)
	}
	for _, r := range rec.Requests() {
		integrationtest.AssertNoSecret(t, password, r.Path, r.Query, string(r.Body))
	}
}
