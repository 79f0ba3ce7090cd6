package buildkite_test

import (
	"net/http"
	"testing"

	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/buildkite"
	"github.com/glint-dev/glint/internal/integration/readbacktest"
)

const sha = "b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327"

// TestStatus reads a stand-in Buildkite's answers (JSON) as GitLab's
// BuildkiteService#calculate_reactive_cache does
// (app/models/project_services/buildkite_service.rb: "if response.code ==
// 200 && response['status'] ... response['status'] ... else :error"). The
// stand-in serves HTTPS with an untrusted certificate: GitLab's
// verify: false reads it anyway.
func TestStatus(t *testing.T) {
	tests := []struct {
		name   string
		code   int
		body   string
		status string
	}{
		{"success", 200, `{"status":"success"}`, "success"},
		{"running", 200, `{"status":"running"}`, "running"},
		{"passed through", 200, `{"status":"canceled"}`, "canceled"},
		{"no status", 200, `{"state":"success"}`, "error"},
		{"status not a string", 200, `{"status":1}`, "error"},
		{"not found", 404, `{"message":"Not Found"}`, "error"},
		{"server error", 500, `oops`, "error"},
		{"malformed", 200, `{"status":`, "error"},
		{"html", 200, `<html>success</html>`, "error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got string
			base := readbacktest.StandIn(t, true, func(w http.ResponseWriter, r *http.Request) {
				got = r.URL.EscapedPath() + "?" + r.URL.RawQuery
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.code)
				w.Write([]byte(tt.body))
			})
			settings := map[string]any{"token": "hook-token:status-token", "project_url": "https://buildkite.com/acme/app"}
			q, err := buildkite.Status(settings, integration.Project{}, sha, "main")
			if err != nil {
				t.Fatal(err)
			}
			res := readbacktest.ReadStatus(t, q, "https://gitlab.buildkite.com="+base)
			want := integration.CommitStatus{Status: tt.status, BuildPage: "https://buildkite.com/acme/app/builds?commit=" + sha}
			if res != want {
				t.Errorf("got %+v, want %+v", res, want)
			}
			if got != "/status/status-token.json?commit="+sha {
				t.Errorf("request %s", got)
			}
		})
	}
}

func TestStatusRefusedAndSettings(t *testing.T) {
	settings := map[string]any{"token": "a:b", "project_url": "https://buildkite.com/acme/app"}
	q, err := buildkite.Status(settings, integration.Project{}, sha, "")
	if err != nil {
		t.Fatal(err)
	}
	if q.Request.URL != "https://gitlab.buildkite.com/status/b.json?commit="+sha || !q.Request.InsecureSkipVerify {
		t.Errorf("request %+v", q.Request)
	}
	refused := "https://" + readbacktest.RefusedURL(t)[len("http://"):]
	if got := readbacktest.ReadStatus(t, q, "https://gitlab.buildkite.com="+refused); got.Status != "error" {
		t.Errorf("refused: %+v", got)
	}
	for _, token := range []string{"", "only-webhook", "only-webhook:"} {
		if _, err := buildkite.Status(map[string]any{"token": token}, integration.Project{}, sha, ""); err == nil {
			t.Errorf("token %q: no error", token)
		}
	}
}
