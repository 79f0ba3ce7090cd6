package droneci_test

import (
	"net/http"
	"testing"

	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/droneci"
	"github.com/glint-dev/glint/internal/integration/readbacktest"
)

const sha = "b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327"

var project = integration.Project{FullPath: "acme/app"}

// TestStatus reads a stand-in Drone's JSON answers as GitLab's
// DroneCiService#commit_status does (app/models/project_services/
// drone_ci_service.rb: "when 'killed' :canceled when 'failure', 'error'
// :failed else response['status']", and :error for a non-200 answer, no
// status or ECONNREFUSED).
func TestStatus(t *testing.T) {
	tests := []struct {
		name   string
		code   int
		body   string
		status string
	}{
		{"success", 200, `{"status":"success"}`, "success"},
		{"running", 200, `{"status":"running"}`, "running"},
		{"pending", 200, `{"status":"pending"}`, "pending"},
		{"killed", 200, `{"status":"killed"}`, "canceled"},
		{"failure", 200, `{"status":"failure"}`, "failed"},
		{"error", 200, `{"status":"error"}`, "failed"},
		{"no status", 200, `{}`, "error"},
		{"not found", 404, `{"status":"success"}`, "error"},
		{"server error", 500, `oops`, "error"},
		{"malformed", 200, `{"status"`, "error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got string
			base := readbacktest.StandIn(t, false, func(w http.ResponseWriter, r *http.Request) {
				got = r.URL.EscapedPath() + "?" + r.URL.RawQuery
				w.WriteHeader(tt.code)
				w.Write([]byte(tt.body))
			})
			settings := map[string]any{"token": "tok", "drone_url": base, "enable_ssl_verification": true}
			q, err := droneci.Status(settings, project, sha, "feature/x y")
			if err != nil {
				t.Fatal(err)
			}
			res := readbacktest.ReadStatus(t, q)
			want := integration.CommitStatus{Status: tt.status, BuildPage: base + "/gitlab/acme/app/redirect/commits/" + sha + "?branch=feature/x%20y"}
			if res != want {
				t.Errorf("got %+v, want %+v", res, want)
			}
			if want := "/gitlab/acme/app/commits/" + sha + "?branch=feature/x%20y&access_token=tok"; got != want {
				t.Errorf("request %s, want %s", got, want)
			}
		})
	}
}

// TestStatusTLS: certificates are checked when enable_ssl_verification is
// on (the stand-in's is untrusted: error) and not when it is off.
func TestStatusTLS(t *testing.T) {
	base := readbacktest.StandIn(t, true, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"status":"success"}`)) })
	for _, tt := range []struct {
		verify bool
		want   string
	}{{true, "error"}, {false, "success"}} {
		q, err := droneci.Status(map[string]any{"token": "tok", "drone_url": base, "enable_ssl_verification": tt.verify}, project, sha, "main")
		if err != nil {
			t.Fatal(err)
		}
		if got := readbacktest.ReadStatus(t, q); got.Status != tt.want {
			t.Errorf("verify %v: %+v", tt.verify, got)
		}
	}
}

// TestStatusURL: URI.join drops the last segment of a drone_url path
// without a trailing slash, as GitLab's does; a refused connection is an
// error.
func TestStatusURL(t *testing.T) {
	base := readbacktest.RefusedURL(t)
	for _, tt := range []struct{ droneURL, want string }{
		{base, base + "/gitlab/acme/app/commits/abc?branch=main&access_token=tok"},
		{base + "/drone/", base + "/drone/gitlab/acme/app/commits/abc?branch=main&access_token=tok"},
		{base + "/drone", base + "/gitlab/acme/app/commits/abc?branch=main&access_token=tok"},
	} {
		q, err := droneci.Status(map[string]any{"token": "tok", "drone_url": tt.droneURL}, project, "abc", "main")
		if err != nil {
			t.Fatal(err)
		}
		if q.Request.URL != tt.want || q.Request.InsecureSkipVerify {
			t.Errorf("%s: %s", tt.droneURL, q.Request.URL)
		}
		if got := readbacktest.ReadStatus(t, q); got.Status != "error" {
			t.Errorf("refused: %+v", got)
		}
	}
	if _, err := droneci.Status(map[string]any{"drone_url": base}, project, "abc", "main"); err == nil {
		t.Error("no token: no error")
	}
}
