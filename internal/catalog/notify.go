package catalog

// Services that send mail, pushes or IRC lines.

func init() {
	register(
		&Service{
			Slug:        "campfire",
			Title:       "Campfire",
			Description: "Simple web-based real-time group chat",
			Fields: []Field{
				required(secret("token", "Campfire token")),
				text("subdomain", "Campfire subdomain"),
				text("room", "Campfire room"),
			},
			Events: []Event{Push},
		},
		&Service{
			Slug:        "flowdock",
			Title:       "Flowdock",
			Description: "Flowdock is a collaboration web app for technical teams.",
			Fields:      []Field{required(secret("token", "Flowdock Git source token"))},
			Events:      []Event{Push},
		},
		&Service{
			Slug:        "pushover",
			Title:       "Pushover",
			Description: "Pushover makes it easy to get real-time notifications on your Android device, iPhone, iPad, and Desktop.",
			Fields: []Field{
				required(secret("api_key", "Your application key")),
				required(secret("user_key", "Your user key")),
				example(checked(required(text("priority", "The priority: -2 (lowest), -1 (low), 0 (normal) or 1 (high)")), pushoverPriority), "1"),
				text("device", "Leave blank for all active devices"),
				text("sound", "The sound of the notification"),
			},
			Events: []Event{Push},
		},
		&Service{
			Slug:        "irker",
			Title:       "Irker (IRC gateway)",
			Description: "Send IRC messages, on update, to a list of recipients through an Irker gateway.",
			Fields: []Field{
				required(text("recipients", "Recipients/channels separated by whitespaces")),
				example(text("default_irc_uri", "irc://irc.network.net:6697/"), "irc://irc.network.net:6697/"),
				text("server_host", "localhost"),
				checkedInt(integer("server_port", "6659"), portNumber),
				boolean("colorize_messages", "Colorize messages"),
			},
			Events:   []Event{Push},
			Validate: irkerRecipients,
		},
		&Service{
			Slug:        "emails-on-push",
			Title:       "Emails on push",
			Description: "Email the commits and diff of each push to a list of recipients.",
			Fields: []Field{
				required(text("recipients", "Emails separated by whitespace")),
				boolean("disable_diffs", "Disable code diffs"),
				boolean("send_from_committer_email", "Send from committer"),
			},
			Events:      []Event{Push, TagPush},
			PushContext: true,
		},
		&Service{
			Slug:        "pipelines-email",
			Title:       "Pipelines emails",
			Description: "Email the pipelines status to a list of recipients.",
			Fields: []Field{
				required(text("recipients", "Comma-separated list of recipient email addresses")),
				boolean("add_pusher", "Add pusher to recipients list"),
				withDefault(boolean("notify_only_broken_pipelines", "Notify only broken pipelines"), true),
				branchesToBeNotified("default"),
			},
			Events:             []Event{Pipeline},
			DefaultBranchAlias: true,
			TestEvent:          Pipeline,
		},
	)
}
