// Package mattermost builds the requests of GitLab 12.5's "Mattermost
// notifications" service. GitLab's MattermostService includes the Slack
// notifier, so the wire format is Slack's (package slack): one
// form-encoded POST of payload=<JSON> to the Mattermost incoming webhook,
// with the channel the event routes to (<event>_channel, then channel)
// and the username. It takes every chat event, deployments included.
//
// It knows events, chat messages and the integration types; it must not
// import the API, the store or the delivery code.
package mattermost

import (
	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/slack"
)

// Build returns the request that notifies Mattermost of the event, or none
// when the service's filters drop it or GitLab sends no message for it.
// settings are the service's resolved properties.
func Build(ev *event.Event, settings map[string]any, p integration.Project) ([]integration.Request, error) {
	return slack.Notify("mattermost", ev, settings, p)
}
