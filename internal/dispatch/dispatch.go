// Package dispatch decides which of a project's services an event goes to:
// the active services that support the event's kind, have its flag on, and
// have an integration that acts. Service-specific filters (branches,
// broken pipelines, restrict_to_branch) belong to each integration, which
// may still decide to send nothing.
package dispatch

import (
	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/store"
)

// Targets returns the slugs of the services that want the event, in the
// order given. acts tells whether glint has an integration for a slug.
func Targets(ev *event.Event, services []store.Service, acts func(slug string) bool) []string {
	var out []string
	for _, sv := range services {
		if Wants(&sv, ev.Kind) && acts(sv.Slug) {
			out = append(out, sv.Slug)
		}
	}
	return out
}

// Wants reports whether one stored service wants events of a kind. A
// confidential issue or note goes only to services that support and
// enabled the confidential variant, as GitLab's hook scopes do.
func Wants(sv *store.Service, kind event.Kind) bool {
	if !sv.Active {
		return false
	}
	s, ok := catalog.Lookup(sv.Slug)
	if !ok {
		return false
	}
	flag, ok := gate(s, kind)
	return ok && sv.Flags[flag.FlagName()]
}

// gate is the flag that decides whether service s gets events of a kind,
// if it takes them at all. A push is also how glint learns of new
// commits: a service that takes commits but not pushes (Jira, whose
// commit_events GitLab fires from ProcessCommitWorker for each pushed
// commit) gets pushes under its commit flag. A service taking both keeps
// the push flag, so turning commit_events on never adds pushes to it.
func gate(s *catalog.Service, kind event.Kind) (catalog.Event, bool) {
	flag := event.FlagOf(kind)
	if s.Wants(flag) {
		return flag, true
	}
	if kind == event.Push && s.Wants(catalog.Commit) {
		return catalog.Commit, true
	}
	return "", false
}
