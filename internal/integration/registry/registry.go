// Package registry maps service slugs to the integrations that act for
// them. It is a static table, built once: adding an integration is one line.
package registry

import (
	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/asana"
	"github.com/glint-dev/glint/internal/integration/assembla"
	"github.com/glint-dev/glint/internal/integration/bamboo"
	"github.com/glint-dev/glint/internal/integration/buildkite"
	"github.com/glint-dev/glint/internal/integration/campfire"
	"github.com/glint-dev/glint/internal/integration/droneci"
	"github.com/glint-dev/glint/internal/integration/emailsonpush"
	"github.com/glint-dev/glint/internal/integration/flowdock"
	"github.com/glint-dev/glint/internal/integration/github"
	"github.com/glint-dev/glint/internal/integration/hangoutschat"
	"github.com/glint-dev/glint/internal/integration/hipchat"
	"github.com/glint-dev/glint/internal/integration/irker"
	"github.com/glint-dev/glint/internal/integration/issuetracker"
	"github.com/glint-dev/glint/internal/integration/jenkins"
	"github.com/glint-dev/glint/internal/integration/jira"
	"github.com/glint-dev/glint/internal/integration/mattermost"
	"github.com/glint-dev/glint/internal/integration/msteams"
	"github.com/glint-dev/glint/internal/integration/packagist"
	"github.com/glint-dev/glint/internal/integration/pipelinesemail"
	"github.com/glint-dev/glint/internal/integration/pivotaltracker"
	"github.com/glint-dev/glint/internal/integration/pushover"
	"github.com/glint-dev/glint/internal/integration/slack"
	"github.com/glint-dev/glint/internal/integration/teamcity"
)

// Builder turns an event and a service's settings (secrets opened) into
// the requests to send. No requests means nothing to do for this event.
type Builder func(ev *event.Event, settings map[string]any, p integration.Project) ([]integration.Request, error)

var builders = map[string]Builder{
	"asana":              asana.Build,
	"assembla":           assembla.Build,
	"pivotaltracker":     pivotaltracker.Build,
	"bamboo":             bamboo.Build,
	"buildkite":          buildkite.Build,
	"drone-ci":           droneci.Build,
	"github":             github.Build,
	"jenkins":            jenkins.Build,
	"jenkins-deprecated": jenkins.BuildDeprecated,
	"jira":               jira.Build,
	"packagist":          packagist.Build,
	"teamcity":           teamcity.Build,
	"irker":              irker.Build,
	"campfire":           campfire.Build,
	"flowdock":           flowdock.Build,
	"hangouts-chat":      hangoutschat.Build,
	"hipchat":            hipchat.Build,
	"mattermost":         mattermost.Build,
	"microsoft-teams":    msteams.Build,
	"pushover":           pushover.Build,
	"slack":              slack.Build,
	"emails-on-push":     emailsonpush.Build,
	"pipelines-email":    pipelinesemail.Build,
	// Issue trackers only probe their project_url on pushes.
	"bugzilla":             issuetracker.Probe,
	"custom-issue-tracker": issuetracker.Probe,
	"redmine":              issuetracker.Probe,
	"youtrack":             issuetracker.Probe,
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
