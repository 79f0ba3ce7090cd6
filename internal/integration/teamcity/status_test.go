package teamcity_test

import (
	"net/http"
	"testing"

	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/readbacktest"
	"github.com/glint-dev/glint/internal/integration/teamcity"
)

const sha = "b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327"

func buildXML(id, status string) string {
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><build id="` + id + `" buildTypeId="Proj_Build" number="42" status="` + status +
		`" state="finished" branchName="main" href="/httpAuth/app/rest/builds/id:` + id + `" webUrl="x"><statusText>Tests passed: 1</statusText></build>`
}

// TestStatus reads a stand-in TeamCity's XML answers as GitLab's
// TeamcityService#read_commit_status and read_build_page do
// (app/models/project_services/teamcity_service.rb: "return :error unless
// response.code == 200 || response.code == 404", "status = if
// response.code == 404 'Pending'", "if status.include?('SUCCESS')"). The
// stand-in serves HTTPS with an untrusted certificate, which verify:
// false accepts, and insists on Basic auth as TeamCity's httpAuth does.
func TestStatus(t *testing.T) {
	const auth = "Basic Ym90OnB3" // bot:pw
	tests := []struct {
		name   string
		code   int
		body   string
		status string
		page   string
	}{
		{"success", 200, buildXML("7", "SUCCESS"), "success", "/viewLog.html?buildId=7&buildTypeId=Proj_Build"},
		{"failure", 200, buildXML("8", "FAILURE"), "failed", "/viewLog.html?buildId=8&buildTypeId=Proj_Build"},
		{"unknown", 200, buildXML("9", "UNKNOWN"), "error", "/viewLog.html?buildId=9&buildTypeId=Proj_Build"},
		{"not found", 404, "No build found", "pending", "/viewLog.html?buildTypeId=Proj_Build"},
		{"server error", 500, "oops", "error", "/viewLog.html?buildTypeId=Proj_Build"},
		{"malformed", 200, "<build id=", "error", "/viewLog.html?buildTypeId=Proj_Build"},
		{"json", 200, `{"status":"SUCCESS"}`, "error", "/viewLog.html?buildTypeId=Proj_Build"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got string
			base := readbacktest.StandIn(t, true, func(w http.ResponseWriter, r *http.Request) {
				got = r.URL.EscapedPath()
				if r.Header.Get("Authorization") != auth {
					w.WriteHeader(401)
					return
				}
				w.WriteHeader(tt.code)
				w.Write([]byte(tt.body))
			})
			settings := map[string]any{"teamcity_url": base + "/", "build_type": "Proj_Build", "username": "bot", "password": "pw"}
			q, err := teamcity.Status(settings, integration.Project{}, sha, "main")
			if err != nil {
				t.Fatal(err)
			}
			res := readbacktest.ReadStatus(t, q)
			if want := (integration.CommitStatus{Status: tt.status, BuildPage: base + tt.page}); res != want {
				t.Errorf("got %+v, want %+v", res, want)
			}
			if got != "/httpAuth/app/rest/builds/branch:unspecified:any,revision:"+sha {
				t.Errorf("request %s", got)
			}
		})
	}
}

// TestStatusRefused: no answer gives the root URL as build page.
func TestStatusRefused(t *testing.T) {
	base := readbacktest.RefusedURL(t)
	q, err := teamcity.Status(map[string]any{"teamcity_url": base, "build_type": "B"}, integration.Project{}, sha, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := readbacktest.ReadStatus(t, q); got != (integration.CommitStatus{Status: "error", BuildPage: base}) {
		t.Errorf("got %+v", got)
	}
}
