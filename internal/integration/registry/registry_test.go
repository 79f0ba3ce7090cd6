package registry

import (
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
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

// TestDocsListEveryIntegration: docs/deliveries.md's table of what each
// service sends names exactly the services glint acts for.
func TestDocsListEveryIntegration(t *testing.T) {
	doc, err := os.ReadFile("../../../docs/deliveries.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(doc), "## What each service sends\n")
	section, _, _ = strings.Cut(section, "\n## ")
	var listed []string
	for _, m := range regexp.MustCompile("(?m)^\\| `([a-z-]+)` \\|").FindAllStringSubmatch(section, -1) {
		listed = append(listed, string(m[1]))
	}
	slices.Sort(listed)
	if want := slices.Sorted(maps.Keys(builders)); !slices.Equal(listed, want) {
		t.Errorf("docs/deliveries.md lists %v, glint acts for %v", listed, want)
	}
}
