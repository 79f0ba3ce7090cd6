package catalog

// Chat notification services: Slack, Mattermost, Microsoft Teams and
// Hangouts Chat share GitLab's ChatNotificationService settings.

var chatEvents = []Event{Push, Issue, ConfidentialIssue, MergeRequest, Note, ConfidentialNote, TagPush, Pipeline, WikiPage}

// channelFields are the per-event channel overrides of Slack and Mattermost.
func channelFields(events []string) []Field {
	out := make([]Field, 0, len(events))
	for _, e := range events {
		out = append(out, text(e+"_channel", "The name of the channel to receive "+e+" events notifications"))
	}
	return out
}

func chatFields(webhookHelp string, channels []string) []Field {
	f := []Field{
		required(link("webhook", webhookHelp)),
		text("username", "username"),
		internal(text("channel", "Default channel to use if others are not configured")),
		withDefault(boolean("notify_only_broken_pipelines", "Send notifications for broken pipelines"), true),
		branchesToBeNotified("default"),
	}
	return append(f, channelFields(channels)...)
}

func init() {
	slackEvents := append(append([]Event{}, chatEvents...), Deployment, Commit, Job)
	register(
		&Service{
			Slug:        "slack",
			Title:       "Slack notifications",
			Description: "Receive event notifications in Slack",
			Fields: chatFields("https://hooks.slack.com/services/...",
				[]string{"push", "issue", "confidential_issue", "merge_request", "note", "confidential_note", "tag_push", "pipeline", "wiki_page", "deployment"}),
			Events:             slackEvents,
			StrictEventFlags:   true,
			DefaultBranchAlias: true,
		},
		&Service{
			Slug:        "mattermost",
			Title:       "Mattermost notifications",
			Description: "Receive event notifications in Mattermost",
			Fields: chatFields("The Mattermost webhook. For example, http://mattermost_host/hooks/...",
				[]string{"push", "issue", "confidential_issue", "merge_request", "note", "confidential_note", "tag_push", "pipeline", "wiki_page", "deployment"}),
			Events:             append(append([]Event{}, chatEvents...), Deployment),
			StrictEventFlags:   true,
			DefaultBranchAlias: true,
		},
		&Service{
			Slug:        "microsoft-teams",
			Title:       "Microsoft Teams Notification",
			Description: "Receive event notifications in Microsoft Teams",
			Fields: []Field{
				required(link("webhook", "The Microsoft Teams webhook. For example, https://outlook.office.com/webhook/...")),
				withDefault(boolean("notify_only_broken_pipelines", "Send notifications for broken pipelines"), true),
				branchesToBeNotified("default"),
			},
			Events:             chatEvents,
			Aliases:            map[string]string{"confidental_note_events": "confidential_note_events"},
			DefaultBranchAlias: true,
		},
		&Service{
			Slug:        "hangouts-chat",
			Title:       "Hangouts Chat",
			Description: "Google GSuite team collaboration tool.",
			Fields: []Field{
				required(link("webhook", "The Hangouts Chat webhook. For example, https://chat.googleapis.com/v1/spaces...")),
				withDefault(boolean("notify_only_broken_pipelines", "Send notifications for broken pipelines"), true),
				branchesToBeNotified("default"),
			},
			Events:             chatEvents,
			StrictEventFlags:   true,
			DefaultBranchAlias: true,
		},
		&Service{
			Slug:        "hipchat",
			Title:       "HipChat",
			Description: "Private group chat and IM",
			Fields: []Field{
				required(secret("token", "Room token")),
				text("room", "Room name or ID"),
				text("color", "The room color"),
				boolean("notify", "Enable notifications"),
				text("api_version", "Leave blank for default (v2)"),
				text("server", "Leave blank for default. For example, https://hipchat.example.com."),
				// Not among GitLab's form fields, but HipchatService
				// reads it (default_value_for ..., true).
				undeclared(internal(withDefault(boolean("notify_only_broken_pipelines", "Send notifications for broken pipelines"), true))),
			},
			Events:  []Event{Push, Issue, ConfidentialIssue, MergeRequest, Note, ConfidentialNote, TagPush, Pipeline},
			Aliases: map[string]string{"confidental_note_events": "confidential_note_events"},
		},
		&Service{
			Slug:        "slack-slash-commands",
			Title:       "Slack slash commands",
			Description: "Ability to receive slash commands from a Slack chat instance.",
			Fields:      []Field{required(secret("token", "The Slack token"))},
		},
		&Service{
			Slug:        "mattermost-slash-commands",
			Title:       "Mattermost slash commands",
			Description: "Ability to receive slash commands from a Mattermost chat instance.",
			Fields: []Field{
				required(secret("token", "The Mattermost token")),
				text("username", "The username to use to post the message"),
			},
		},
	)
}
