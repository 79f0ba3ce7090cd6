// Package registry maps service slugs to the integrations that act for
// them. It is a static table, built once: adding an integration is one line.
package registry

import (
	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/campfire"
	"github.com/glint-dev/glint/internal/integration/flowdock"
	"github.com/glint-dev/glint/internal/integration/hangoutschat"
	"github.com/glint-dev/glint/internal/integration/hipchat"
	"github.com/glint-dev/glint/internal/integration/irker"
	"github.com/glint-dev/glint/internal/integration/mattermost"
	"github.com/glint-dev/glint/internal/integration/msteams"
	"github.com/glint-dev/glint/internal/integration/pushover"
	"github.com/glint-dev/glint/internal/integration/slack"
)

// Builder turns an event and a service's settings (secrets opened) into
// the requests to send. No requests means nothing to do for this event.
type Builder func(ev *event.Event, settings map[string]any, p integration.Project) ([]integration.Request, error)

var builders = map[string]Builder{
	"irker":           irker.Build,
	"campfire":        campfire.Build,
	"flowdock":        flowdock.Build,
	"hangouts-chat":   hangoutschat.Build,
	"hipchat":         hipchat.Build,
	"mattermost":      mattermost.Build,
	"microsoft-teams": msteams.Build,
	"pushover":        pushover.Build,
	"slack":           slack.Build,
}

// Lookup returns the builder of a service, if glint acts for it.
func Lookup(slug string) (Builder, bool) {
	b, ok := builders[slug]
	return b, ok
}

// Acts reports whether glint acts for the service.
func Acts(slug string) bool {
	_, ok := builders[slug]
	return ok
}
