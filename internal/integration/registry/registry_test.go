package registry

import (
	"testing"

	"github.com/glint-dev/glint/internal/catalog"
)

// TestSlugsAreInTheCatalog: a builder under a slug the catalog does not
// know (say "microsoft_teams" for "microsoft-teams") would never be used.
func TestSlugsAreInTheCatalog(t *testing.T) {
	for slug := range builders {
		if _, ok := catalog.Lookup(slug); !ok {
			t.Errorf("%s: no such service in the catalog", slug)
		}
		if !Acts(slug) {
			t.Errorf("%s: Acts is false", slug)
		}
	}
}
