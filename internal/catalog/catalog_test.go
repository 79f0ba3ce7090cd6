package catalog

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/services.md")

// The seed document lists 32 services; the catalog must have exactly those.
func TestCatalogMatchesSpecSlugs(t *testing.T) {
	spec, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "spec", "services-api.md"))
	if err != nil {
		t.Skipf("shared spec not beside the repository: %v", err)
	}
	re := regexp.MustCompile(`PUT /projects/:id/services/([a-z0-9-]+)`)
	want := map[string]bool{}
	for _, m := range re.FindAllStringSubmatch(string(spec), -1) {
		want[m[1]] = true
	}
	if len(want) != 32 {
		t.Fatalf("spec lists %d services, expected 32", len(want))
	}
	for slug := range want {
		if _, ok := Lookup(slug); !ok {
			t.Errorf("catalog lacks %s", slug)
		}
	}
	if len(All()) != len(want) {
		t.Errorf("catalog has %d services, spec %d", len(All()), len(want))
	}
}

// Every parameter the seed document lists for a service is accepted by the
// catalog (a field, an event flag, an alias or a documented special).
func TestCatalogAcceptsEveryDocumentedParameter(t *testing.T) {
	spec, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "spec", "services-api.md"))
	if err != nil {
		t.Skipf("shared spec not beside the repository: %v", err)
	}
	sections := strings.Split(string(spec), "\n## ")
	put := regexp.MustCompile(`PUT /projects/:id/services/([a-z0-9-]+)`)
	param := regexp.MustCompile("(?m)^(?:\\| `|- `)([a-z_]+)`")
	checked := 0
	for _, sec := range sections[1:] {
		m := put.FindStringSubmatch(sec)
		if m == nil {
			continue
		}
		s, _ := Lookup(m[1])
		for _, p := range param.FindAllStringSubmatch(sec, -1) {
			checked++
			if !s.Accepts(p[1]) {
				t.Errorf("%s: documented parameter %s is not accepted", s.Slug, p[1])
			}
		}
	}
	if checked < 150 {
		t.Fatalf("only %d documented parameters found: the spec parser is broken", checked)
	}
}

func TestFieldRules(t *testing.T) {
	for _, s := range All() {
		seen := map[string]bool{}
		for _, f := range s.Fields {
			if seen[f.Name] {
				t.Errorf("%s: field %s twice", s.Slug, f.Name)
			}
			seen[f.Name] = true
			if f.Secret && !f.Hidden() {
				t.Errorf("%s: secret %s would be shown", s.Slug, f.Name)
			}
			if regexp.MustCompile(`password|token|api_key`).MatchString(f.Name) && !f.Secret {
				t.Errorf("%s: %s looks secret but is not sealed", s.Slug, f.Name)
			}
		}
		if s.Title == "" || s.Description == "" {
			t.Errorf("%s: title and description are required", s.Slug)
		}
	}
}

func TestDocsAreCurrent(t *testing.T) {
	path := filepath.Join("..", "..", "docs", "services.md")
	got := Markdown()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/catalog -update)", err)
	}
	if string(want) != got {
		t.Fatal("docs/services.md is stale: run go test ./internal/catalog -update")
	}
}

// TestEveryServiceSaysWhatGlintDoes: each of the 32 services has its line
// in docs/services.md's "what glint does", and no line names a service
// the catalog does not have.
func TestEveryServiceSaysWhatGlintDoes(t *testing.T) {
	if len(All()) != 32 {
		t.Errorf("%d services, want 32", len(All()))
	}
	for _, s := range All() {
		if s.Action() == "" {
			t.Errorf("%s: no action", s.Slug)
		}
	}
	for slug := range actions {
		if _, ok := Lookup(slug); !ok {
			t.Errorf("action of %s, which the catalog does not have", slug)
		}
	}
}

// TestTriggerTexts: every event has GitLab's label and help, and the chat
// services' channel fields are found by their trigger.
func TestTriggerTexts(t *testing.T) {
	for _, s := range All() {
		for _, e := range s.Events {
			if e.TriggerLabel() == "" || e.TriggerHelp() == "" {
				t.Errorf("%s: event %s has no trigger label or help", s.Slug, e)
			}
		}
	}
	slack, _ := Lookup("slack")
	channels := 0
	for _, e := range slack.Events {
		if _, ok := slack.Field(e.ChannelField()); ok {
			channels++
		}
	}
	if channels != 10 || MergeRequest.ChannelField() != "merge_request_channel" {
		t.Errorf("slack: %d channel fields found by trigger, want 10", channels)
	}
}
