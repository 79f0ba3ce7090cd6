package bamboo_test

import (
	"testing"

	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/bamboo"
	"github.com/glint-dev/glint/internal/integration/readbacktest"
)

// FuzzStatus: Bamboo's XML reader never panics and answers GitLab's
// statuses only.
func FuzzStatus(f *testing.F) {
	q, err := bamboo.Status(noCreds, integration.Project{}, "abc", "")
	if err != nil {
		f.Fatal(err)
	}
	readbacktest.FuzzReader(f, q, []string{"success", "failed", "pending", "error"},
		bambooXML("Successful"), bambooXML("Failed", "Successful"), bambooXML(), `<results><results><result buildState="Pending"/></results></results>`)
}
