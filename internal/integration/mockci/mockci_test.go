package mockci_test

import (
	"net/http"
	"testing"

	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/mockci"
	"github.com/glint-dev/glint/internal/integration/readbacktest"
)

const sha = "b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327"

// TestStatus reads a stand-in mock CI's JSON answers as GitLab's
// MockCiService#read_commit_status does (app/models/project_services/
// mock_ci_service.rb: "return :error unless response.code == 200 ||
// response.code == 404", "if status.present? &&
// ALLOWED_STATES.include?(status)"), over HTTPS with an untrusted
// certificate (verify: false).
func TestStatus(t *testing.T) {
	tests := []struct {
		name   string
		code   int
		body   string
		status string
	}{
		{"success", 200, `{"status":"success"}`, "success"},
		{"with warnings", 200, `{"status":"success-with-warnings"}`, "success-with-warnings"},
		{"not_found", 200, `{"status":"not_found"}`, "not_found"},
		{"skipped", 200, `{"status":"skipped"}`, "skipped"},
		{"unknown state", 200, `{"status":"passed"}`, "error"},
		{"no status", 200, `{}`, "error"},
		{"404", 404, `{"status":"success"}`, "pending"},
		{"500", 500, `oops`, "error"},
		{"malformed", 200, `{"status":"success"`, "error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got string
			base := readbacktest.StandIn(t, true, func(w http.ResponseWriter, r *http.Request) {
				got = r.URL.EscapedPath()
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.code)
				w.Write([]byte(tt.body))
			})
			q, err := mockci.Status(map[string]any{"mock_service_url": base + "/"}, integration.Project{FullPath: "acme/tools/app"}, sha, "main")
			if err != nil {
				t.Fatal(err)
			}
			res := readbacktest.ReadStatus(t, q)
			if want := (integration.CommitStatus{Status: tt.status, BuildPage: base + "/tools/app/status/" + sha}); res != want {
				t.Errorf("got %+v, want %+v", res, want)
			}
			if got != "/tools/app/status/"+sha+".json" {
				t.Errorf("request %s", got)
			}
		})
	}
}

func TestStatusRefused(t *testing.T) {
	base := readbacktest.RefusedURL(t)
	q, err := mockci.Status(map[string]any{"mock_service_url": base}, integration.Project{FullPath: "root/app"}, sha, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := readbacktest.ReadStatus(t, q); got != (integration.CommitStatus{Status: "error", BuildPage: base + "/root/app/status/" + sha}) {
		t.Errorf("got %+v", got)
	}
	if _, err := mockci.Status(map[string]any{}, integration.Project{FullPath: "root/app"}, sha, ""); err == nil {
		t.Error("no URL: no error")
	}
}
