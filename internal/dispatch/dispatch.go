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
	flag := ev.Flag()
	var out []string
	for _, sv := range services {
		if Wants(&sv, flag) && acts(sv.Slug) {
			out = append(out, sv.Slug)
		}
	}
	return out
}

// Wants reports whether one stored service wants events gated by flag.
// A confidential issue or note goes only to services that support and
// enabled the confidential variant, as GitLab's hook scopes do.
func Wants(sv *store.Service, flag catalog.Event) bool {
	if !sv.Active {
		return false
	}
	s, ok := catalog.Lookup(sv.Slug)
	if !ok || !s.Wants(flag) {
		return false
	}
	return sv.Flags[flag.FlagName()]
}
