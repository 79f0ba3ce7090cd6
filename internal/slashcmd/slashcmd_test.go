package slashcmd_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/slashcmd"
)

const projectURL = "https://glint.example.com/group/project"

func TestMatch(t *testing.T) {
	tests := []struct {
		text, want string // want "" for no command
	}{
		{"issue show 123", "issue show"},
		{"issue show #123", "issue show"},
		{"issue  show\t42 and more", "issue show"},
		{"issue show", ""},
		{"issue show abc", ""},
		{"issue new Fix the build", "issue new"},
		{"issue create Fix the build\nwith a description\non two lines", "issue new"},
		{"issue new ", "issue new"}, // an empty title matches; GitLab then fails validation
		{"issue search flaky test", "issue search"},
		{"issue search ", "issue search"}, // the query may be empty, as GitLab's pattern allows
		{"issue move #12 to group/other", "issue move"},
		{"issue move 12 group/other", "issue move"},
		{"issue move 12", ""},
		{"issue close #7", "issue close"},
		{"issue close 7 now", "issue close"},
		{"issue close", ""},
		{"issue comment 7\nLooks good", "issue comment"},
		{"issue comment #7", "issue comment"},
		{"issue comment x", ""},
		{"deploy staging to production", "deploy"},
		{"deploy review/app to production now", "deploy"},
		{"deploy staging", ""},
		{"deploy staging to production\nnow", ""}, // "." stops at a line break
		{"run build", "run"},
		{"run deploy --force\nand more", "run"},
		{"run", ""},
		{"help", ""},
		{"", ""},
		{"Issue show 1", ""}, // case matters, as in GitLab
		{" issue show 1", ""},
		{"show issue 1", ""},
	}
	for _, tt := range tests {
		c, ok := slashcmd.Match(tt.text)
		if got := c.Name; ok != (tt.want != "") || got != tt.want {
			t.Errorf("Match(%q) = %q, %v; want %q", tt.text, got, ok, tt.want)
		}
	}
}

// helpText is GitLab 12.5's help for the trigger /gitlab, as its presenter
// words it.
const helpText = "*Available commands*\n" +
	"\n" +
	"The following commands are available for this chatops integration:\n" +
	"\n" +
	"/gitlab issue show <id>\n" +
	"/gitlab issue new <title> *`⇧ Shift`*+*`↵ Enter`* <description>\n" +
	"/gitlab issue search <your query>\n" +
	"/gitlab issue move <issue_id> (to)? <project_path>\n" +
	"/gitlab issue close <id>\n" +
	"/gitlab issue comment <id> *`⇧ Shift`*+*`↵ Enter`* <comment>\n" +
	"/gitlab deploy <environment> to <target-environment>\n" +
	"/gitlab run <command> <arguments>\n" +
	"\n" +
	"If available, the `run` command is used for running GitLab CI jobs\n" +
	"defined in this project's `.gitlab-ci.yml` file. For example, if a\n" +
	"job called \"help\" is defined you can run it like so:\n" +
	"\n" +
	"`/gitlab run help`\n" +
	"\n" +
	"\n" +
	"*Project*\n" +
	"\n" +
	"The GitLab project for this chatops integration can be found at\n" +
	"https://glint.example.com/group/project.\n" +
	"\n" +
	"\n" +
	"*Documentation*\n" +
	"\n" +
	"For more information about GitLab chatops, refer to its\n" +
	"documentation: https://docs.gitlab.com/ce/ci/chatops/README.html.\n" +
	"\n"

const notValid = "The specified command is not valid.\n\n"

func TestAnswer(t *testing.T) {
	tests := []struct {
		name, text, want string
		slack            bool
	}{
		{"help", "help", helpText, false},
		{"help with more words", "help me please", helpText, false},
		{"help for Slack", "help", helpText, true},
		{"empty text", "", notValid + helpText, false},
		{"unknown command", "frobnicate", notValid + helpText, false},
		{"incomplete command", "issue show", notValid + helpText, true},
		{"help not at the start", "please help", notValid + helpText, false},
		{"issue show", "issue show 1", notHeld("issue show", "issues"), false},
		{"issue new", "issue new Title\nBody", notHeld("issue new", "issues"), false},
		{"issue search", "issue search x", notHeld("issue search", "issues"), true},
		{"issue move", "issue move 1 to a/b", notHeld("issue move", "issues"), false},
		{"issue close", "issue close 1", notHeld("issue close", "issues"), false},
		{"issue comment", "issue comment 1\nhi", notHeld("issue comment", "issues"), false},
		{"deploy", "deploy staging to production", notHeld("deploy", "environments or deployments"), false},
		{"run", "run build", notHeld("run", "CI pipelines or jobs"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := slashcmd.Answer(slashcmd.Request{Trigger: "/gitlab", Text: tt.text, ProjectURL: projectURL, Slack: tt.slack})
			if got.ResponseType != slashcmd.Ephemeral || got.Status != 200 {
				t.Errorf("response type %q status %d, want ephemeral 200", got.ResponseType, got.Status)
			}
			if got.Text != tt.want {
				t.Errorf("text\n%s\nwant\n%s", got.Text, tt.want)
			}
		})
	}
}

func notHeld(name, lacks string) string {
	return "Sorry, `/gitlab " + name + "` is not available here: this chatops integration is served by glint, " +
		"which relays GitLab's webhook events to services and holds no " + lacks + ".\n\n" +
		"Use GitLab for this project instead: " + projectURL + "."
}

func TestAnswerWithoutTrigger(t *testing.T) {
	got := slashcmd.Answer(slashcmd.Request{Text: "help", ProjectURL: projectURL})
	// GitLab interpolates a missing command as "": the lines start with a space.
	if !strings.Contains(got.Text, "\n issue show <id>\n") || !strings.Contains(got.Text, "\n` run help`\n") {
		t.Errorf("help without a trigger:\n%s", got.Text)
	}
	got = slashcmd.Answer(slashcmd.Request{Text: "deploy a to b", ProjectURL: projectURL})
	if !strings.HasPrefix(got.Text, "Sorry, `deploy` is not available here") {
		t.Errorf("deploy without a trigger: %q", got.Text)
	}
}

func TestSlackLinks(t *testing.T) {
	// The help has no Markdown link; a project URL that looks like one is
	// turned into Slack's form for Slack only, as GitLab's Slack service
	// formats its answers.
	url := "[x](https://glint.example.com/p)"
	slack := slashcmd.Answer(slashcmd.Request{Trigger: "/gitlab", Text: "help", ProjectURL: url, Slack: true})
	mm := slashcmd.Answer(slashcmd.Request{Trigger: "/gitlab", Text: "help", ProjectURL: url})
	if !strings.Contains(slack.Text, "<https://glint.example.com/p|x>.") || !strings.Contains(mm.Text, url+".") {
		t.Errorf("Slack:\n%s\nMattermost:\n%s", slack.Text, mm.Text)
	}
}

func TestResponseJSON(t *testing.T) {
	b, err := json.Marshal(slashcmd.Response{ResponseType: slashcmd.Ephemeral, Status: 200, Text: "hi"})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"response_type":"ephemeral","status":200,"text":"hi"}`; string(b) != want {
		t.Errorf("JSON %s, want %s", b, want)
	}
}

func TestCommands(t *testing.T) {
	var names []string
	for _, c := range slashcmd.Commands() {
		names = append(names, c.Name)
	}
	if got, want := strings.Join(names, ","), "issue show,issue new,issue search,issue move,issue close,issue comment,deploy,run"; got != want {
		t.Errorf("commands %s, want %s", got, want)
	}
}
