package dispatch

import (
	"reflect"
	"testing"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration/registry"
	"github.com/glint-dev/glint/internal/settings"
	"github.com/glint-dev/glint/internal/store"
)

// service returns an active (or not) stored service with its default
// flags, then the given flags changed.
func service(slug string, active bool, flags map[string]bool) store.Service {
	s, _ := catalog.Lookup(slug)
	rec := store.Service{Slug: slug}
	settings.Initialize(s, &rec)
	rec.Active = active
	for k, v := range flags {
		rec.Flags[k] = v
	}
	return rec
}

func TestTargets(t *testing.T) {
	all := func(string) bool { return true }
	cases := []struct {
		name     string
		kind     event.Kind
		services []store.Service
		acts     func(string) bool
		want     []string
	}{
		{"push to active slack", event.Push, []store.Service{service("slack", true, nil)}, all, []string{"slack"}},
		{"inactive service", event.Push, []store.Service{service("slack", false, nil)}, all, nil},
		{"flag off", event.Push, []store.Service{service("slack", true, map[string]bool{"push_events": false})}, all, nil},
		{"other flag off does not matter", event.Push, []store.Service{service("slack", true, map[string]bool{"issues_events": false})}, all, []string{"slack"}},
		{"service without the event", event.Issue, []store.Service{service("asana", true, nil)}, all, nil},
		{"confidential issue needs its own flag", event.ConfidentialIssue,
			[]store.Service{service("slack", true, map[string]bool{"confidential_issues_events": false, "issues_events": true})}, all, nil},
		{"confidential issue with its flag", event.ConfidentialIssue, []store.Service{service("slack", true, nil)}, all, []string{"slack"}},
		{"confidential note", event.ConfidentialNote,
			[]store.Service{service("slack", true, nil), service("hipchat", true, nil), service("microsoft-teams", true, map[string]bool{"confidential_note_events": false})},
			all, []string{"slack", "hipchat"}},
		{"deployment only where supported", event.Deployment,
			[]store.Service{service("slack", true, nil), service("microsoft-teams", true, nil), service("mattermost", true, nil)}, all, []string{"slack", "mattermost"}},
		{"pipeline", event.Pipeline, []store.Service{service("slack", true, nil), service("pipelines-email", true, nil), service("jira", true, nil)},
			all, []string{"slack", "pipelines-email"}},
		{"jira gets pushes as commits", event.Push, []store.Service{service("jira", true, nil)}, all, []string{"jira"}},
		{"jira with commit_events off", event.Push, []store.Service{service("jira", true, map[string]bool{"commit_events": false})}, all, nil},
		{"jira takes no tag pushes", event.TagPush, []store.Service{service("jira", true, nil)}, all, nil},
		{"slack keeps its push flag", event.Push,
			[]store.Service{service("slack", true, map[string]bool{"push_events": false, "commit_events": true})}, all, nil},
		{"no integration acts", event.Push, []store.Service{service("slack", true, nil), service("asana", true, nil)},
			func(s string) bool { return s == "asana" }, []string{"asana"}},
		{"tag push", event.TagPush, []store.Service{service("drone-ci", true, nil), service("bamboo", true, nil)}, all, []string{"drone-ci"}},
		// app/models/project_services/teamcity_service.rb: "def
		// self.supported_events %w(push merge_request)"; its execute's
		// "when 'merge_request'" branch queues the source branch.
		{"teamcity takes merge requests", event.MergeRequest, []store.Service{service("teamcity", true, nil), service("bamboo", true, nil)}, all, []string{"teamcity"}},
		{"teamcity with merge_requests_events off", event.MergeRequest,
			[]store.Service{service("teamcity", true, map[string]bool{"merge_requests_events": false})}, all, nil},
		// mock_ci_service.rb: execute is Service's no-op, and External
		// Wiki and Prometheus send nothing on events either; glint's
		// registry has no builder for them, so they are no target.
		{"mockci, wiki and prometheus send nothing", event.Push,
			[]store.Service{service("mock-ci", true, nil), service("external-wiki", true, nil), service("prometheus", true, nil), service("redmine", true, nil)},
			registry.Acts, []string{"redmine"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Targets(&event.Event{Kind: c.kind}, c.services, c.acts)
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
		})
	}
}
