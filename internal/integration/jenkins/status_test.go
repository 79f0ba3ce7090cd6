package jenkins_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/jenkins"
	"github.com/glint-dev/glint/internal/integration/readbacktest"
)

const sha = "b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327"

// jenkinsPage is a Jenkins build page as its classic UI renders it, the
// status icon in the build caption.
func jenkinsPage(icon string) string {
	return `<!DOCTYPE html><html><head><title>my-project #12 [Jenkins]</title></head><body>
<div id="main-panel"><h1 class="build-caption page-headline"><img src="/static/abc/images/48x48/` + icon + `" alt="Success" class="icon-` +
		strings.TrimSuffix(icon, ".png") + ` icon-xlg" tooltip="Success">Build #12 (Jan 1, 2020 1:00:00 PM)</h1>
<img src="/static/abc/images/48x48/red.png" class="other"></div></body></html>`
}

// TestDeprecatedStatus reads a stand-in Jenkins' HTML build pages as
// GitLab's JenkinsDeprecatedService#read_commit_status does
// (app/models/project_services/jenkins_deprecated_service.rb: "src =
// Nokogiri.parse(response).css('img.build-caption-status-icon,.build-caption>img').first.attributes['src'].value",
// then blue.png success, yellow.png with pass_unstable success,
// (red|aborted|yellow).png failed, anime.gif running, else pending; a
// non-200 answer is :error). The stand-in serves HTTPS with an untrusted
// certificate (verify: false) and wants the URL's userinfo as Basic auth.
func TestDeprecatedStatus(t *testing.T) {
	tests := []struct {
		name         string
		code         int
		body         string
		passUnstable bool
		status       string
	}{
		{"blue", 200, jenkinsPage("blue.png"), false, "success"},
		{"red", 200, jenkinsPage("red.png"), false, "failed"},
		{"aborted", 200, jenkinsPage("aborted.png"), false, "failed"},
		{"yellow", 200, jenkinsPage("yellow.png"), false, "failed"},
		{"yellow passes unstable", 200, jenkinsPage("yellow.png"), true, "success"},
		{"running", 200, jenkinsPage("blue_anime.gif"), false, "running"},
		{"other icon", 200, jenkinsPage("grey.png"), false, "pending"},
		{"old jenkins icon class", 200, `<html><body><img class="build-caption-status-icon" src="/images/blue.png"></body></html>`, false, "success"},
		{"no icon", 200, `<html><body><h1>Build</h1></body></html>`, false, "error"},
		{"icon without src", 200, `<html><body><h1 class="build-caption"><img alt="x"></h1></body></html>`, false, "error"},
		{"broken html", 200, `<html><body><h1 class="build-caption"><img src="/x/blue.png"`, false, "error"},
		{"not found", 404, jenkinsPage("blue.png"), false, "error"},
		{"server error", 500, "oops", false, "error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got, auth string
			base := readbacktest.StandIn(t, true, func(w http.ResponseWriter, r *http.Request) {
				got, auth = r.URL.EscapedPath(), r.Header.Get("Authorization")
				w.Header().Set("Content-Type", "text/html;charset=utf-8")
				w.WriteHeader(tt.code)
				w.Write([]byte(tt.body))
			})
			projectURL := strings.Replace(base, "https://", "https://ci:pw@", 1) + "/job/my-project"
			settings := map[string]any{"project_url": projectURL, "pass_unstable": tt.passUnstable}
			q, err := jenkins.DeprecatedStatus(settings, integration.Project{Name: "app"}, sha, "main")
			if err != nil {
				t.Fatal(err)
			}
			res := readbacktest.ReadStatus(t, q)
			if want := (integration.CommitStatus{Status: tt.status, BuildPage: projectURL + "/scm/bySHA1/" + sha}); res != want {
				t.Errorf("got %+v, want %+v", res, want)
			}
			if got != "/job/my-project/scm/bySHA1/"+sha || auth != "Basic Y2k6cHc=" {
				t.Errorf("request %s, auth %q", got, auth)
			}
		})
	}
}

// TestDeprecatedStatusURL: multi-project mode asks the job named after the
// project and the ref; a refused connection is an error.
func TestDeprecatedStatusURL(t *testing.T) {
	base := readbacktest.RefusedURL(t)
	settings := map[string]any{"project_url": base + "/job/my-project/", "multiproject_enabled": true}
	q, err := jenkins.DeprecatedStatus(settings, integration.Project{Name: "My App"}, sha, "feature/x")
	if err != nil {
		t.Fatal(err)
	}
	want := base + "/job/My%20App_feature_x/scm/bySHA1/" + sha
	if q.Request.URL != want || !q.Request.InsecureSkipVerify {
		t.Errorf("request %s, want %s", q.Request.URL, want)
	}
	if got := readbacktest.ReadStatus(t, q); got != (integration.CommitStatus{Status: "error", BuildPage: want}) {
		t.Errorf("got %+v", got)
	}
	q, _ = jenkins.DeprecatedStatus(settings, integration.Project{Name: "My App"}, sha, "")
	if q.Request.URL != base+"/job/my-project//scm/bySHA1/"+sha {
		t.Errorf("without a ref: %s", q.Request.URL)
	}
	if _, err := jenkins.DeprecatedStatus(map[string]any{}, integration.Project{}, sha, ""); err == nil {
		t.Error("no project_url: no error")
	}
}
