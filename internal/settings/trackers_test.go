package settings_test

import (
	"errors"
	"testing"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/settings"
	"github.com/glint-dev/glint/internal/store"
)

// TestOneIssueTracker: a tracker is refused while another tracker (Jira
// included: GitLab's category issue_tracker) is active, with GitLab's
// text on "base"; itself, inactive trackers and other services do not
// count, and services that are not trackers are never refused.
func TestOneIssueTracker(t *testing.T) {
	redmine, _ := catalog.Lookup("redmine")
	slack, _ := catalog.Lookup("slack")
	tests := []struct {
		name   string
		svc    *catalog.Service
		others []store.Service
		refuse bool
	}{
		{"alone", redmine, nil, false},
		{"itself active", redmine, []store.Service{{Slug: "redmine", Active: true}}, false},
		{"another active", redmine, []store.Service{{Slug: "bugzilla", Active: true}}, true},
		{"jira active", redmine, []store.Service{{Slug: "jira", Active: true}}, true},
		{"another inactive", redmine, []store.Service{{Slug: "youtrack"}}, false},
		{"other services", redmine, []store.Service{{Slug: "slack", Active: true}, {Slug: "external-wiki", Active: true}}, false},
		{"not a tracker", slack, []store.Service{{Slug: "bugzilla", Active: true}}, false},
	}
	for _, tt := range tests {
		err := settings.OneIssueTracker(tt.svc, tt.others)
		var verr *settings.ValidationError
		if tt.refuse != (err != nil) {
			t.Errorf("%s: %v", tt.name, err)
		}
		if err != nil && (!errors.As(err, &verr) || len(verr.Fields["base"]) != 1 || verr.Fields["base"][0] != settings.AnotherIssueTracker) {
			t.Errorf("%s: %#v", tt.name, err)
		}
	}
	n := 0
	for _, s := range catalog.All() {
		if s.IssueTracker {
			n++
		}
	}
	if n != 5 {
		t.Errorf("%d issue trackers in the catalog, want 5 (Bugzilla, Custom, Redmine, YouTrack, Jira)", n)
	}
}
