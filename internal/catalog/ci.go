package catalog

// Continuous integration services: each triggers a build on a push.

func init() {
	ciEvents := []Event{Push, MergeRequest, TagPush}
	register(
		&Service{
			Slug:        "bamboo",
			Title:       "Atlassian Bamboo CI",
			Description: "A continuous integration and build server",
			Fields: []Field{
				required(link("bamboo_url", "Bamboo root URL. For example, https://bamboo.example.com.")),
				required(text("build_key", "Bamboo build plan key like KEY")),
				required(text("username", "A user with API access, if applicable")),
				required(secret("password", "Password of the user")),
			},
			Events:        []Event{Push},
			ResetOnChange: map[string][]string{"bamboo_url": {"password"}},
		},
		&Service{
			Slug:        "buildkite",
			Title:       "Buildkite",
			Description: "Continuous integration and deployments",
			Fields: []Field{
				required(secret("token", "Buildkite project GitLab token")),
				required(link("project_url", "https://buildkite.com/example/project")),
				withDefault(boolean("enable_ssl_verification", "Enable SSL verification"), true),
			},
			Events: ciEvents,
		},
		&Service{
			Slug:        "drone-ci",
			Title:       "Drone CI",
			Description: "Drone is a Continuous Integration platform built on Docker, written in Go",
			Fields: []Field{
				required(secret("token", "Drone CI project specific token")),
				required(link("drone_url", "http://drone.example.com")),
				withDefault(boolean("enable_ssl_verification", "Enable SSL verification"), true),
			},
			Events: ciEvents,
		},
		&Service{
			Slug:        "teamcity",
			Title:       "JetBrains TeamCity CI",
			Description: "A continuous integration and build server",
			Fields: []Field{
				required(link("teamcity_url", "TeamCity root URL. For example, https://teamcity.example.com")),
				required(text("build_type", "Build configuration ID")),
				required(text("username", "A user with permissions to trigger a manual build")),
				required(secret("password", "The password of the user")),
			},
			// TeamcityService.supported_events is %w(push merge_request):
			// an open merge request whose mergeability is unchecked
			// queues a build of its source branch.
			Events:        []Event{Push, MergeRequest},
			ResetOnChange: map[string][]string{"teamcity_url": {"password"}},
		},
		&Service{
			Slug:        "jenkins",
			Title:       "Jenkins CI",
			Description: "An extendable open source continuous integration server",
			Fields: []Field{
				required(link("jenkins_url", "Jenkins URL like http://jenkins.example.com")),
				checked(required(text("project_name", "The URL-friendly project name. Example: my_project_name")), jenkinsProjectName),
				text("username", "A user with access to the Jenkins server, if applicable"),
				secret("password", "The password of the user"),
			},
			Events:        ciEvents,
			DefaultFlags:  map[Event]bool{MergeRequest: false, TagPush: false},
			ResetOnChange: map[string][]string{"jenkins_url": {"password"}},
		},
		&Service{
			Slug:        "jenkins-deprecated",
			Title:       "Jenkins CI (Deprecated)",
			Description: "An extendable open source continuous integration server",
			Fields: []Field{
				required(link("project_url", "Jenkins project URL like http://jenkins.example.com/job/my-project/")),
				boolean("multiproject_enabled", "Multi-project mode is configured in Jenkins GitLab Hook plugin"),
				boolean("pass_unstable", "Unstable builds will be treated as passing"),
			},
			Events: []Event{Push, MergeRequest},
		},
		&Service{
			Slug:        "mock-ci",
			Title:       "MockCI",
			Description: "Mock an external CI",
			Fields:      []Field{required(link("mock_service_url", "http://localhost:4004"))},
			Events:      []Event{Push},
		},
		&Service{
			Slug:        "github",
			Title:       "GitHub",
			Description: "See pipeline statuses on GitHub for your commits and pull requests",
			Fields: []Field{
				required(secret("token", "GitHub API token with repo:status OAuth scope")),
				required(link("repository_url", "GitHub repository URL")),
				boolean("static_context", "Append instance name instead of branch to status check name"),
			},
			Events: []Event{Pipeline},
		},
		&Service{
			Slug:        "packagist",
			Title:       "Packagist",
			Description: "Update your project on Packagist, the main Composer repository",
			Fields: []Field{
				required(text("username", "The username of a Packagist account")),
				required(secret("token", "API token to the Packagist server")),
				// The doc calls server a boolean; GitLab's source, and its
				// meaning, make it a URL string.
				text("server", "URL of the Packagist server. Leave blank for default: https://packagist.org"),
			},
			Events: ciEvents,
		},
	)
}
