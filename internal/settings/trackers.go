package settings

import (
	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/store"
)

// AnotherIssueTracker is GitLab's text when a second external issue
// tracker would become active (IssueTrackerService#one_issue_tracker).
const AnotherIssueTracker = "Another issue tracker is already in use. Only one issue tracker service can be active at a time"

// OneIssueTracker refuses to activate the issue tracker svc while another
// one of the project's services (others) is an active issue tracker, as
// GitLab's one_issue_tracker validation does: a *ValidationError on
// "base". Services that are not issue trackers are never refused.
//
// GitLab runs that validation "on: :manual_change" only, a context its
// settings pages pass (Projects::ServicesController#update saves with
// context: :manual_change) and its Services API does not (lib/api/
// services.rb saves with a plain update): so the API accepts a second
// tracker, as glint's does, and the pages refuse it. This is the pages'
// rule.
func OneIssueTracker(svc *catalog.Service, others []store.Service) error {
	if !svc.IssueTracker {
		return nil
	}
	for _, o := range others {
		other, ok := catalog.Lookup(o.Slug)
		if ok && other.IssueTracker && o.Active && o.Slug != svc.Slug {
			return &ValidationError{Fields: map[string][]string{"base": {AnotherIssueTracker}}}
		}
	}
	return nil
}
