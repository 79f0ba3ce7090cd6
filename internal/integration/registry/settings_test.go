package registry

import (
	"testing"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/chatmsg"
	"github.com/glint-dev/glint/internal/integration/asana"
	"github.com/glint-dev/glint/internal/integration/assembla"
	"github.com/glint-dev/glint/internal/integration/bamboo"
	"github.com/glint-dev/glint/internal/integration/buildkite"
	"github.com/glint-dev/glint/internal/integration/campfire"
	"github.com/glint-dev/glint/internal/integration/droneci"
	"github.com/glint-dev/glint/internal/integration/emailsonpush"
	"github.com/glint-dev/glint/internal/integration/externalwiki"
	"github.com/glint-dev/glint/internal/integration/flowdock"
	"github.com/glint-dev/glint/internal/integration/github"
	"github.com/glint-dev/glint/internal/integration/hipchat"
	"github.com/glint-dev/glint/internal/integration/irker"
	"github.com/glint-dev/glint/internal/integration/issuetracker"
	"github.com/glint-dev/glint/internal/integration/jenkins"
	"github.com/glint-dev/glint/internal/integration/jira"
	"github.com/glint-dev/glint/internal/integration/mockci"
	"github.com/glint-dev/glint/internal/integration/packagist"
	"github.com/glint-dev/glint/internal/integration/pipelinesemail"
	"github.com/glint-dev/glint/internal/integration/pivotaltracker"
	"github.com/glint-dev/glint/internal/integration/prometheus"
	"github.com/glint-dev/glint/internal/integration/pushover"
	"github.com/glint-dev/glint/internal/integration/teamcity"
)

// settingsTypes are the typed settings each integration decodes, by the
// slug it decodes them for (catalog.Check of that type).
var settingsTypes = map[string][]func(slug string) error{
	"slack":                {catalog.Check[chatmsg.SlackSettings]},
	"mattermost":           {catalog.Check[chatmsg.SlackSettings]},
	"microsoft-teams":      {catalog.Check[chatmsg.Settings]},
	"hangouts-chat":        {catalog.Check[chatmsg.Settings]},
	"pipelines-email":      {catalog.Check[pipelinesemail.Settings]},
	"asana":                {catalog.Check[asana.Settings]},
	"assembla":             {catalog.Check[assembla.Settings]},
	"campfire":             {catalog.Check[campfire.Settings]},
	"external-wiki":        {catalog.Check[externalwiki.Settings]},
	"flowdock":             {catalog.Check[flowdock.Settings]},
	"mock-ci":              {catalog.Check[mockci.Settings]},
	"packagist":            {catalog.Check[packagist.Settings]},
	"pivotaltracker":       {catalog.Check[pivotaltracker.Settings]},
	"bamboo":               {catalog.Check[bamboo.Settings]},
	"teamcity":             {catalog.Check[teamcity.Settings]},
	"jenkins":              {catalog.Check[jenkins.Settings]},
	"jenkins-deprecated":   {catalog.Check[jenkins.DeprecatedSettings]},
	"github":               {catalog.Check[github.Settings]},
	"drone-ci":             {catalog.Check[droneci.Settings]},
	"buildkite":            {catalog.Check[buildkite.Settings]},
	"prometheus":           {catalog.Check[prometheus.Settings]},
	"emails-on-push":       {catalog.Check[emailsonpush.Settings]},
	"bugzilla":             {catalog.Check[issuetracker.Settings]},
	"custom-issue-tracker": {catalog.Check[issuetracker.Settings]},
	"redmine":              {catalog.Check[issuetracker.Settings]},
	"youtrack":             {catalog.Check[issuetracker.Settings]},
	"hipchat":              {catalog.Check[hipchat.Settings]},
	"irker":                {catalog.Check[irker.Settings]},
	"jira":                 {catalog.Check[jira.Settings]},
	"pushover":             {catalog.Check[pushover.Settings]},
}

// TestSettingsNamesAreInTheCatalog: every property an integration's
// settings type reads (its `field:"..."` tags) is a field or flag of the
// catalog entry of the service it acts for, with a Go type
// catalog.Decode fills, so that a misspelt name fails here rather than
// reading as unset at delivery.
func TestSettingsNamesAreInTheCatalog(t *testing.T) {
	for slug, checks := range settingsTypes {
		for _, check := range checks {
			if err := check(slug); err != nil {
				t.Errorf("%s: %v", slug, err)
			}
		}
	}
}

// TestEverySettingsReaderIsChecked: every service glint builds requests,
// reads back a status, tests or links issues for has its settings type in
// settingsTypes, so that none reads its properties unchecked.
func TestEverySettingsReaderIsChecked(t *testing.T) {
	slugs := map[string]bool{}
	for slug := range builders {
		slugs[slug] = true
	}
	for slug := range statusReaders {
		slugs[slug] = true
	}
	for slug := range testers {
		slugs[slug] = true
	}
	for slug := range issueURLs {
		slugs[slug] = true
	}
	for slug := range slugs {
		if len(settingsTypes[slug]) == 0 {
			t.Errorf("%s: no settings type in settingsTypes", slug)
		}
	}
}
