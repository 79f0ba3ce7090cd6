package issuetracker_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/integrationtest"
	"github.com/glint-dev/glint/internal/integration/issuetracker"
	"github.com/glint-dev/glint/internal/integration/readbacktest"
)

// TestIssueURL: references matching the tracker's pattern render
// issues_url with ":id" replaced (IssueTrackerService#issue_url:
// "self.issues_url.gsub(':id', iid.to_s)"); the id of the base pattern is
// the number, YouTrack's is the whole key (youtrack_service.rb's
// reference_pattern); anything else does not match.
func TestIssueURL(t *testing.T) {
	settings := map[string]any{"issues_url": "https://tracker.example.com/show_bug.cgi?id=:id&again=:id"}
	const base = "https://tracker.example.com/show_bug.cgi?id="
	tests := []struct {
		ref             string
		deflt, youtrack string // "" = no match
	}{
		{"#123", base + "123&again=123", base + "123&again=123"},
		{"ABC-123", base + "123&again=123", base + "ABC-123&again=ABC-123"},
		{"A_1-7", base + "7&again=7", base + "A_1-7&again=A_1-7"},
		{"gl-030", "", base + "gl-030&again=gl-030"},
		{"abc-12", "", base + "abc-12&again=abc-12"},
		{"123", "", ""},
		{"#", "", ""},
		{"#12a", "", ""},
		{"ABC-", "", ""},
		{"1BC-2", "", ""},
		{"see #123", "", ""},
		{"ABC-123 ", "", ""},
	}
	for _, tt := range tests {
		got, ok := issuetracker.IssueURL(settings, tt.ref)
		if got != tt.deflt || ok != (tt.deflt != "") {
			t.Errorf("default %q: %q %v, want %q", tt.ref, got, ok, tt.deflt)
		}
		got, ok = issuetracker.YouTrackIssueURL(settings, tt.ref)
		if got != tt.youtrack || ok != (tt.youtrack != "") {
			t.Errorf("youtrack %q: %q %v, want %q", tt.ref, got, ok, tt.youtrack)
		}
	}
	if _, ok := issuetracker.IssueURL(map[string]any{}, "#1"); ok {
		t.Error("no issues_url: a link")
	}
}

// TestProbe: a push sends HEAD <project_url> with certificates verified
// ("Gitlab::HTTP.head(self.project_url, verify: true)"); other events
// send nothing.
func TestProbe(t *testing.T) {
	rec := integrationtest.RecordingServer(t)
	settings := map[string]any{"project_url": rec.URL + "/projects/app"}
	reqs := integrationtest.Build(t, issuetracker.Probe, "push.json", "", nil, settings)
	if len(reqs) != 1 || reqs[0].Method != http.MethodHead || reqs[0].URL != rec.URL+"/projects/app" || reqs[0].InsecureSkipVerify {
		t.Fatalf("requests %+v", reqs)
	}
	if status, sent := integrationtest.SendAll(t, reqs); status != 200 || sent != 1 {
		t.Errorf("sent %d, status %d", sent, status)
	}
	if got := rec.Requests(); len(got) != 1 || got[0].Method != "HEAD" || got[0].Path != "/projects/app" {
		t.Errorf("received %+v", got)
	}
	if reqs := integrationtest.Build(t, issuetracker.Probe, "issue.json", "", nil, settings); len(reqs) != 0 {
		t.Errorf("an issue event sent %d requests", len(reqs))
	}
}

// TestTester: any HTTP answer is a success with GitLab's log line; no
// answer (refused, an untrusted certificate) is a failure naming it.
func TestTester(t *testing.T) {
	notFound := readbacktest.StandIn(t, false, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(404) })
	tlsURL := readbacktest.StandIn(t, true, func(w http.ResponseWriter, r *http.Request) {})
	refused := readbacktest.RefusedURL(t)
	for _, tt := range []struct {
		url     string
		success bool
		result  string
	}{
		{notFound, true, "RedmineService received response 404 when attempting to connect to " + notFound},
		{refused, false, "RedmineService had an error when trying to connect to " + refused + ": "},
		{tlsURL, false, "RedmineService had an error when trying to connect to " + tlsURL + ": "},
	} {
		q, err := issuetracker.Tester("RedmineService")(map[string]any{"project_url": tt.url}, integration.Project{})
		if err != nil {
			t.Fatal(err)
		}
		res := q.Read(readbacktest.Client(t).Fetch(t.Context(), q.Request))
		if res.Success != tt.success || !strings.HasPrefix(res.Result, tt.result) {
			t.Errorf("%s: %+v, want %v %q", tt.url, res, tt.success, tt.result)
		}
	}
}
