package catalog

// Issue trackers and project-management tools.

func trackerFields(withNewIssue bool) []Field {
	f := []Field{}
	if withNewIssue {
		f = append(f, required(link("new_issue_url", "New Issue url")))
	}
	return append(f,
		required(link("issues_url", "Issue url")),
		required(link("project_url", "Project url")),
		text("description", "Description"),
		text("title", "Title"),
	)
}

func init() {
	register(
		&Service{
			Slug: "bugzilla", Title: "Bugzilla", Description: "Bugzilla issue tracker",
			Fields: trackerFields(true), Events: []Event{Push}, TitleFromField: "title", IssueTracker: true,
		},
		&Service{
			Slug: "custom-issue-tracker", Title: "Custom Issue Tracker", Description: "Custom issue tracker",
			Fields: trackerFields(true), Events: []Event{Push}, TitleFromField: "title", IssueTracker: true,
		},
		&Service{
			Slug: "redmine", Title: "Redmine", Description: "Redmine issue tracker",
			Fields: trackerFields(true)[:4], Events: []Event{Push}, IssueTracker: true,
		},
		&Service{
			Slug: "youtrack", Title: "YouTrack", Description: "YouTrack issue tracker",
			Fields: trackerFields(false)[:3], Events: []Event{Push}, IssueTracker: true, LongIssueReferences: true,
		},
		&Service{
			Slug:        "jira",
			Title:       "Jira",
			Description: "Jira issue tracker",
			Fields: []Field{
				required(link("url", "The URL to the Jira project which is being linked to this GitLab project. For example, https://jira.example.com.")),
				link("api_url", "The base URL to the Jira instance API. Web URL value will be used if not set."),
				required(text("username", "The username of the user created to be used with GitLab/Jira.")),
				required(secret("password", "The password of the user created to be used with GitLab/Jira.")),
				text("jira_issue_transition_id", "The ID of a transition that moves issues to a closed state."),
			},
			Events: []Event{Commit, MergeRequest},
			Flags: []Flag{{Name: CommentOnEventFlag, Default: true,
				Help: "Comment on the Jira issue when a commit or merge request mentions it"}},
			ResetOnChange: map[string][]string{"url": {"password"}},
			IssueTracker:  true,
		},
		&Service{
			Slug:        "asana",
			Title:       "Asana",
			Description: "Asana - Teamwork without email",
			Fields: []Field{
				required(secret("api_key", "User API token. User must have access to task, all comments will be attributed to this user.")),
				text("restrict_to_branch", "Comma-separated list of branches which will be automatically inspected. Leave blank to include all branches."),
			},
			Events: []Event{Push},
		},
		&Service{
			Slug:        "assembla",
			Title:       "Assembla",
			Description: "Project Management Software (Source Commits Endpoint)",
			Fields: []Field{
				required(secret("token", "The authentication token")),
				text("subdomain", "The subdomain setting"),
			},
			Events: []Event{Push},
		},
		&Service{
			Slug:        "pivotaltracker",
			Title:       "PivotalTracker",
			Description: "Project Management Software (Source Commits Endpoint)",
			Fields: []Field{
				required(secret("token", "The PivotalTracker token")),
				// The doc calls it a boolean; it is a comma-separated list.
				text("restrict_to_branch", "Comma-separated list of branches which will be automatically inspected. Leave blank to include all branches."),
			},
			Events: []Event{Push},
		},
		&Service{
			Slug:        "external-wiki",
			Title:       "External Wiki",
			Description: "Replaces the link to the internal wiki with a link to an external wiki.",
			Fields:      []Field{required(link("external_wiki_url", "The URL of the external Wiki"))},
		},
		&Service{
			Slug:            "prometheus",
			Title:           "Prometheus",
			Description:     "Prometheus is a powerful time-series monitoring service.",
			ActiveFromField: "manual_configuration",
			Fields: []Field{
				required(link("api_url", "Prometheus API Base URL. For example, http://prometheus.example.com/.")),
				// Not a 12.5 parameter: GitLab activated Prometheus only for
				// a manual configuration or a cluster's Prometheus; glint has
				// no clusters, so a PUT is a manual configuration unless
				// this is sent as false.
				withDefault(boolean("manual_configuration", "The service is configured by hand (default true)"), true),
			},
		},
	)
}
