package registry

import (
	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/bamboo"
	"github.com/glint-dev/glint/internal/integration/buildkite"
	"github.com/glint-dev/glint/internal/integration/droneci"
	"github.com/glint-dev/glint/internal/integration/externalwiki"
	"github.com/glint-dev/glint/internal/integration/issuetracker"
	"github.com/glint-dev/glint/internal/integration/jenkins"
	"github.com/glint-dev/glint/internal/integration/mockci"
	"github.com/glint-dev/glint/internal/integration/prometheus"
	"github.com/glint-dev/glint/internal/integration/teamcity"
)

// statusReaders are the CI services GitLab 12.5 reads build statuses back
// from (their commit_status and build_page; spec §19). Jenkins CI (EE)
// has none: Jenkins reports to GitLab's commit status API itself.
var statusReaders = map[string]integration.StatusReader{
	"bamboo":             bamboo.Status,
	"buildkite":          buildkite.Status,
	"drone-ci":           droneci.Status,
	"jenkins-deprecated": jenkins.DeprecatedStatus,
	"mock-ci":            mockci.Status,
	"teamcity":           teamcity.Status,
}

// StatusReader returns how glint asks the service for a commit's status,
// if it is one GitLab reads back from.
func StatusReader(slug string) (integration.StatusReader, bool) {
	r, ok := statusReaders[slug]
	return r, ok
}

// testers are the Tests of services that act on no event, so that a
// sample push cannot test them.
var testers = map[string]integration.Tester{
	"external-wiki":        externalwiki.Test,
	"prometheus":           prometheus.Test,
	"bugzilla":             issuetracker.Tester("BugzillaService"),
	"custom-issue-tracker": issuetracker.Tester("CustomIssueTrackerService"),
	"redmine":              issuetracker.Tester("RedmineService"),
	"youtrack":             issuetracker.Tester("YoutrackService"),
}

// Tester returns the service's own Test, if it has one.
func Tester(slug string) (integration.Tester, bool) {
	t, ok := testers[slug]
	return t, ok
}

// issueURLs render an issue reference as a link to the external tracker.
var issueURLs = map[string]func(settings map[string]any, ref string) (string, bool){
	"bugzilla":             issuetracker.IssueURL,
	"custom-issue-tracker": issuetracker.IssueURL,
	"redmine":              issuetracker.IssueURL,
	"youtrack":             issuetracker.YouTrackIssueURL,
}

// IssueURL returns the service's issue link renderer, if it is an
// external issue tracker that renders them.
func IssueURL(slug string) (func(settings map[string]any, ref string) (string, bool), bool) {
	f, ok := issueURLs[slug]
	return f, ok
}
