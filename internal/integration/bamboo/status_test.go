package bamboo_test

import (
	"encoding/base64"
	"net/http"
	"testing"

	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/bamboo"
	"github.com/glint-dev/glint/internal/integration/integrationtest"
	"github.com/glint-dev/glint/internal/integration/readbacktest"
)

const sha = "b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327"

// bambooXML is a byChangeset answer as Bamboo's REST API gives it (XML,
// since GitLab sends no Accept header), holding one result per state.
func bambooXML(states ...string) string {
	out := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><results expand="results"><link href="x" rel="self"/><results expand="result" size="` +
		string(rune('0'+len(states))) + `" start-index="0" max-result="25">`
	for i, s := range states {
		n := string(rune('1' + i))
		out += `<result expand="artifacts" key="PROJ-PLAN-` + n + `" state="` + s + `" lifeCycleState="Finished" number="` + n + `">` +
			`<link href="x" rel="self"/><planResultKey><key>PROJ-PLAN-` + n + `</key><entityKey><key>PROJ-PLAN</key></entityKey><resultNumber>` + n + `</resultNumber></planResultKey>` +
			`<buildState>` + s + `</buildState><buildNumber>` + n + `</buildNumber></result>`
	}
	return out + `</results></results>`
}

// TestStatus reads Bamboo's answers as GitLab's read_commit_status and
// read_build_page do (app/models/project_services/bamboo_service.rb, the
// byChangeset version: "return :error unless response.code == 200 ||
// response.code == 404" ... "if status.include?('Success')"), against a
// stand-in Bamboo on 127.0.0.1 that checks the request it gets.
func TestStatus(t *testing.T) {
	tests := []struct {
		name   string
		code   int
		body   string
		tls    bool
		status string
		page   string // after the stand-in's URL
	}{
		{"successful", 200, bambooXML("Successful"), false, "success", "/browse/PROJ-PLAN-1"},
		{"failed", 200, bambooXML("Failed"), false, "failed", "/browse/PROJ-PLAN-1"},
		{"pending", 200, bambooXML("Pending"), false, "pending", "/browse/PROJ-PLAN-1"},
		{"unknown state", 200, bambooXML("Unknown"), false, "error", "/browse/PROJ-PLAN-1"},
		{"last of several", 200, bambooXML("Failed", "Successful"), false, "success", "/browse/PROJ-PLAN-2"},
		{"no result", 200, bambooXML(), false, "pending", "/browse/PROJ-PLAN"},
		{"not found", 404, `<status><status-code>404</status-code></status>`, false, "pending", "/browse/PROJ-PLAN"},
		{"server error", 500, "oops", false, "error", "/browse/PROJ-PLAN"},
		{"unauthorized", 401, "", false, "error", "/browse/PROJ-PLAN"},
		{"malformed", 200, "<results><results><result>", false, "error", "/browse/PROJ-PLAN"},
		{"not xml", 200, `{"status":"success"}`, false, "error", "/browse/PROJ-PLAN"},
		{"self-signed TLS (not verified)", 200, bambooXML("Successful"), true, "success", "/browse/PROJ-PLAN-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var gotPath, gotQuery, gotAuth string
			base := readbacktest.StandIn(t, tt.tls, func(w http.ResponseWriter, r *http.Request) {
				gotPath, gotQuery, gotAuth = r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Get("Authorization")
				w.Header().Set("Content-Type", "application/xml")
				w.WriteHeader(tt.code)
				w.Write([]byte(tt.body))
			})
			settings := integrationtest.Props(creds, "bamboo_url", base+"/")
			q, err := bamboo.Status(settings, integration.Project{}, sha, "main")
			if err != nil {
				t.Fatal(err)
			}
			got := readbacktest.ReadStatus(t, q)
			want := integration.CommitStatus{Status: tt.status, BuildPage: base + tt.page}
			if got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
			if gotPath != "/rest/api/latest/result/byChangeset/"+sha || gotQuery != "os_authType=basic" {
				t.Errorf("request %s?%s", gotPath, gotQuery)
			}
			if want := "Basic " + base64.StdEncoding.EncodeToString([]byte("ci-bot:"+password)); gotAuth != want {
				t.Errorf("Authorization %q", gotAuth)
			}
		})
	}
}

// TestStatusRefused: no answer at all is GitLab's :error, and no
// credentials means no os_authType and no Authorization.
func TestStatusRefused(t *testing.T) {
	base := readbacktest.RefusedURL(t)
	q, err := bamboo.Status(integrationtest.Props(noCreds, "bamboo_url", base), integration.Project{}, sha, "")
	if err != nil {
		t.Fatal(err)
	}
	if q.Request.URL != base+"/rest/api/latest/result/byChangeset/"+sha || q.Request.Header.Get("Authorization") != "" || !q.Request.InsecureSkipVerify {
		t.Errorf("request %+v", q.Request)
	}
	got := readbacktest.ReadStatus(t, q)
	if want := (integration.CommitStatus{Status: "error", BuildPage: base + "/browse/PROJ-PLAN"}); got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if _, err := bamboo.Status(map[string]any{}, integration.Project{}, sha, ""); err == nil {
		t.Error("no bamboo_url: no error")
	}
}
