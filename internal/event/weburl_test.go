package event_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration"
)

// TestProjectWebURL: every kind names the sending GitLab's project page
// (project.web_url; a job's repository.homepage), and LinkBase falls back
// to glint's project URL when the payload names none.
func TestProjectWebURL(t *testing.T) {
	for file, want := range map[string]string{
		"push.json":          "http://example.com/mike/diaspora",
		"tag_push.json":      "http://example.com/jsmith/example",
		"issue.json":         "http://example.com/gitlabhq/gitlab-test",
		"merge_request.json": "http://example.com/gitlabhq/gitlab-test",
		"note_commit.json":   "http://example.com/gitlabhq/gitlab-test",
		"pipeline.json":      "http://192.168.64.1:3005/gitlab-org/gitlab-test",
		"job.json":           "http://192.168.64.1:3005/gitlab-org/gitlab-test",
		"wiki_page.json":     "http://example.com/root/awesome-project",
		"deployment.json":    "http://10.126.0.2:3000/root/test-deployment-webhooks",
	} {
		body, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			t.Fatal(err)
		}
		header := map[string]string{"push.json": "Push Hook", "tag_push.json": "Tag Push Hook", "issue.json": "Issue Hook",
			"merge_request.json": "Merge Request Hook", "note_commit.json": "Note Hook", "pipeline.json": "Pipeline Hook",
			"job.json": "Job Hook", "wiki_page.json": "Wiki Page Hook", "deployment.json": "Deployment Hook"}[file]
		ev, err := event.Parse(header, body)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if got := ev.ProjectWebURL(); got != want {
			t.Errorf("%s: %q, want %q", file, got, want)
		}
	}
	ev := &event.Event{Kind: event.Push, Push: &event.PushEvent{}}
	if got := event.LinkBase(ev, integration.Project{WebURL: "https://glint.example.com/g/p/"}); got != "https://glint.example.com/g/p" {
		t.Errorf("fallback: %q", got)
	}
	ev.Push.Repository.Homepage = "https://git.example.org/g/p/"
	if got := event.LinkBase(ev, integration.Project{WebURL: "https://glint.example.com/g/p"}); got != "https://git.example.org/g/p" {
		t.Errorf("homepage: %q", got)
	}
}
