package catalog

// actions say, for each service, what glint does with it beyond storing
// its settings: the events it acts on, what it reads back, its Test and
// the links it makes. docs/services.md shows them (Action), and tests keep
// docs/deliveries.md and the README listing the same services.
var actions = map[string]string{
	"asana":                     "On pushes: reads each task a commit names, comments on it and completes it after fix/close words; missing tasks are skipped.",
	"assembla":                  "On pushes: posts the push to the space's GitHub tool endpoint.",
	"bamboo":                    "On pushes: queues the plan (`updateAndBuild.action`). Reads back a commit's build status (`commit_status`).",
	"bugzilla":                  "On pushes and Test: `HEAD <project_url>` probe. Renders issue links (`issue_url`).",
	"buildkite":                 "On pushes: posts the payload to Buildkite's webhook. Reads back a commit's build status (`commit_status`).",
	"campfire":                  "On pushes: looks the room up and speaks the push's message in it.",
	"custom-issue-tracker":      "On pushes and Test: `HEAD <project_url>` probe. Renders issue links (`issue_url`).",
	"drone-ci":                  "On pushes, tag pushes and merge requests (GitLab's filters): posts the payload to Drone's hook. Reads back a commit's build status (`commit_status`).",
	"emails-on-push":            "Stored and shown; no email is sent yet (glint has no mail transport).",
	"external-wiki":             "No events (as GitLab). Test: `GET <external_wiki_url>`.",
	"flowdock":                  "On pushes: one thread activity per commit.",
	"github":                    "On pipelines: sets the commit status on GitHub, linking to the pipeline on the GitLab that sent it.",
	"hangouts-chat":             "On the chat events: posts GitLab's message to the space webhook.",
	"hipchat":                   "On the chat events: posts GitLab's HTML room notification.",
	"irker":                     "On pushes: IRC lines through the irker daemon, linking to the GitLab that sent the push.",
	"jenkins":                   "On pushes, tag pushes and merge requests: posts the payload to the Jenkins GitLab plugin's project endpoint.",
	"jenkins-deprecated":        "On pushes: posts the payload to `gitlab/build_now`. Reads back a commit's build status from its build page (`commit_status`).",
	"jira":                      "On commits and merge requests naming issues: cross-reference comments and remote links, closing transitions, all linking to the GitLab that sent the event.",
	"mattermost":                "On the chat events: posts GitLab's message to the incoming webhook.",
	"mattermost-slash-commands": "Answers slash commands at its trigger endpoint (docs/slash-commands.md).",
	"microsoft-teams":           "On the chat events: posts GitLab's MessageCard.",
	"mock-ci":                   "No events (as GitLab). Reads back a commit's build status from the mock service (`commit_status`).",
	"packagist":                 "On pushes, tag pushes and merge requests: posts the payload to Packagist's update-package API.",
	"pipelines-email":           "Stored and shown; no email is sent yet (glint has no mail transport).",
	"pivotaltracker":            "On pushes: one source commit per commit.",
	"prometheus":                "No events (as GitLab). Test: `/api/v1/query?query=1`; `query` and `query_range` passed through for Maintainers.",
	"pushover":                  "On pushes: posts the message to Pushover's API.",
	"redmine":                   "On pushes and Test: `HEAD <project_url>` probe. Renders issue links (`issue_url`).",
	"slack":                     "On the chat events: posts GitLab's message to the webhook.",
	"slack-slash-commands":      "Answers slash commands at its trigger endpoint (docs/slash-commands.md).",
	"teamcity":                  "On pushes and merge requests awaiting their mergeability check: queues a build of the branch. Reads back a commit's build status (`commit_status`).",
	"youtrack":                  "On pushes and Test: `HEAD <project_url>` probe. Renders issue links (`issue_url`, YouTrack's pattern).",
}

// Action says what glint does with the service (see actions).
func (s *Service) Action() string { return actions[s.Slug] }
