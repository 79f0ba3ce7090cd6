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

// TestDocsListEveryService: docs/deliveries.md's table of what each
// service sends and the README's list of what glint does name exactly
// the catalog's 32 services, and every service glint acts for is among
// them.
func TestDocsListEveryService(t *testing.T) {
	var slugs []string
	for _, s := range catalog.All() {
		slugs = append(slugs, s.Slug)
	}
	for _, doc := range []struct{ path, section string }{
		{"../../../docs/deliveries.md", "## What each service sends\n"},
		{"../../../README.md", "## What glint does with each service\n"},
	} {
		text, err := os.ReadFile(doc.path)
		if err != nil {
			t.Fatal(err)
		}
		_, section, found := strings.Cut(string(text), doc.section)
		if !found {
			t.Errorf("%s: no section %q", doc.path, doc.section)
			continue
		}
		section, _, _ = strings.Cut(section, "\n## ")
		var listed []string
		for _, m := range regexp.MustCompile("(?m)^(?:\\| |- )`([a-z-]+)`").FindAllStringSubmatch(section, -1) {
			listed = append(listed, m[1])
		}
		slices.Sort(listed)
		if !slices.Equal(listed, slugs) {
			t.Errorf("%s lists %v, the catalog has %v", doc.path, listed, slugs)
		}
	}
	for _, slug := range slices.Sorted(maps.Keys(builders)) {
		if !slices.Contains(slugs, slug) {
			t.Errorf("glint acts for %s, which the catalog does not have", slug)
		}
	}
}
