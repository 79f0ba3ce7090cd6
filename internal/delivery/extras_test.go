package delivery

import (
	"testing"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/store"
)

// TestIssueTracker: Emails on push links to the first active external
// tracker with an issues_url, in a fixed order; YouTrack's references are
// of the long form only; the title defaults to the catalog's.
func TestIssueTracker(t *testing.T) {
	sv := func(slug string, active bool, props map[string]any) store.Service {
		return store.Service{Slug: slug, Active: active, Properties: props}
	}
	url := map[string]any{"issues_url": "https://t.example.com/:id"}
	for _, c := range []struct {
		name     string
		services []store.Service
		want     *integration.IssueTracker
	}{
		{"none", []store.Service{sv("slack", true, nil)}, nil},
		{"inactive", []store.Service{sv("redmine", false, url)}, nil},
		{"no issues_url", []store.Service{sv("redmine", true, map[string]any{})}, nil},
		{"redmine", []store.Service{sv("slack", true, nil), sv("redmine", true, url)},
			&integration.IssueTracker{Title: "Redmine", IssuesURL: "https://t.example.com/:id"}},
		{"custom title", []store.Service{sv("custom-issue-tracker", true, map[string]any{"issues_url": "u/:id", "title": "Tickets"})},
			&integration.IssueTracker{Title: "Tickets", IssuesURL: "u/:id"}},
		{"youtrack", []store.Service{sv("youtrack", true, url)},
			&integration.IssueTracker{Title: "YouTrack", IssuesURL: "https://t.example.com/:id", LongOnly: true}},
		{"bugzilla before redmine", []store.Service{sv("redmine", true, url), sv("bugzilla", true, url)},
			&integration.IssueTracker{Title: "Bugzilla", IssuesURL: "https://t.example.com/:id"}},
	} {
		got := issueTracker(c.services)
		if (got == nil) != (c.want == nil) || got != nil && *got != *c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}

// TestTestSamples: every event the catalog names as a service's TestEvent
// is one the service takes and one Test has a sample of.
func TestTestSamples(t *testing.T) {
	for _, svc := range catalog.All() {
		if svc.TestEvent == "" {
			continue
		}
		if !svc.Wants(svc.TestEvent) {
			t.Errorf("%s: TestEvent %s is not one of its events", svc.Slug, svc.TestEvent)
		}
		if testSamples[svc.TestEvent] == nil {
			t.Errorf("%s: no sample for TestEvent %s", svc.Slug, svc.TestEvent)
		}
	}
}
