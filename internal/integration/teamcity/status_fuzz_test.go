package teamcity_test

import (
	"testing"

	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/readbacktest"
	"github.com/glint-dev/glint/internal/integration/teamcity"
)

// FuzzStatus: TeamCity's XML reader never panics and answers GitLab's
// statuses only.
func FuzzStatus(f *testing.F) {
	q, err := teamcity.Status(map[string]any{"teamcity_url": "https://tc.example.com", "build_type": "B"}, integration.Project{}, "abc", "")
	if err != nil {
		f.Fatal(err)
	}
	readbacktest.FuzzReader(f, q, []string{"success", "failed", "pending", "error"}, buildXML("1", "SUCCESS"), buildXML("2", "FAILURE"), `<build/>`)
}
