package jenkins_test

import (
	"testing"

	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/jenkins"
	"github.com/glint-dev/glint/internal/integration/readbacktest"
)

// FuzzDeprecatedStatus: the build page scraper never panics on any HTML
// and answers GitLab's statuses only.
func FuzzDeprecatedStatus(f *testing.F) {
	q, err := jenkins.DeprecatedStatus(map[string]any{"project_url": "https://ci.example.com/job/app", "pass_unstable": true}, integration.Project{}, "abc", "")
	if err != nil {
		f.Fatal(err)
	}
	readbacktest.FuzzReader(f, q, []string{"success", "failed", "running", "pending", "error"},
		jenkinsPage("blue.png"), jenkinsPage("yellow.png"), `<div class="build-caption"><img src="x/anime.gif"></div>`, `<img class="build-caption-status-icon">`)
}
