// Package slashcmd answers the slash commands Slack and Mattermost send to
// GitLab 12.5's "Slack slash commands" and "Mattermost slash commands"
// services (spec §12): it matches the command text against GitLab's
// commands, first match wins (Parse, pure), and words the answer.
//
// When the project has a GitLab source, Execute carries issue show, new,
// search, close and comment and deploy out on it (through the GitLab
// interface, package gitlabapi) and words the outcome with GitLab's
// presenters (present.go, pure). Without one, Answer says for every
// command that needs issues, environments or CI pipelines that glint holds
// none; anything else gets GitLab's help. Answer is pure: no I/O, no
// storage, no HTTP.
package slashcmd

import (
	"regexp"
	"strings"

	"github.com/glint-dev/glint/internal/chatmsg"
)

// The response types of Slack's and Mattermost's slash command answers:
// only the caller sees an ephemeral one; in_channel ones are posted for all.
const (
	Ephemeral = "ephemeral"
	InChannel = "in_channel"
)

// Response is the answer to a slash command, keys in GitLab's order: its
// presenters build {response_type, status} and merge the text and the
// attachments in.
type Response struct {
	ResponseType string `json:"response_type"`
	// Status is also the HTTP status of the answer, as GitLab's API sets it.
	Status int    `json:"status"`
	Text   string `json:"text,omitempty"`
	// Attachments are *Attachment or *SearchAttachment values.
	Attachments []any `json:"attachments,omitempty"`
}

// Command is one of GitLab's slash commands.
type Command struct {
	// Name is what the command is called, e.g. "issue show".
	Name string
	// Help is its line in the help text, after the trigger; GitLab's words.
	Help string
	// lacks says what glint would need to carry the command out.
	lacks   string
	pattern *regexp.Regexp
}

// ws is Ruby's \s (ASCII whitespace), which GitLab's patterns use.
const ws = `[ \t\n\v\f\r]`

// commands are GitLab's (Gitlab::SlashCommands::Command::COMMANDS), in
// its order, with its patterns and help lines: 12.5's, and "issue close"
// and "issue comment", which GitLab added after 12.5 before "deploy". deploy and run are
// available when the project has builds enabled, which glint assumes (the
// GitLab default).
var commands = []Command{
	{Name: "issue show", Help: "issue show <id>", lacks: "issues",
		pattern: regexp.MustCompile(`\Aissue` + ws + `+show` + ws + `+#?(?P<iid>\d+)`)},
	{Name: "issue new", Help: "issue new <title> *`⇧ Shift`*+*`↵ Enter`* <description>", lacks: "issues",
		pattern: regexp.MustCompile(`\Aissue` + ws + `+(new|create)` + ws + `+(?P<title>[^\n]*)\n*(?P<description>(.|\n)*)`)},
	{Name: "issue search", Help: "issue search <your query>", lacks: "issues",
		pattern: regexp.MustCompile(`\Aissue` + ws + `+search` + ws + `+(?P<query>.*)`)},
	{Name: "issue move", Help: "issue move <issue_id> (to)? <project_path>", lacks: "issues",
		pattern: regexp.MustCompile(`\Aissue` + ws + `+move` + ws + `+#?(?P<iid>\d+)` + ws + `+(?:to` + ws + `+)?(?P<project_path>[^ \t\n\v\f\r]+)`)},
	{Name: "issue close", Help: "issue close <id>", lacks: "issues",
		pattern: regexp.MustCompile(`\Aissue` + ws + `+close` + ws + `+#?(?P<iid>\d+)`)},
	{Name: "issue comment", Help: "issue comment <id> *`⇧ Shift`*+*`↵ Enter`* <comment>", lacks: "issues",
		pattern: regexp.MustCompile(`\Aissue` + ws + `+comment` + ws + `+#?(?P<iid>\d+)\n*(?P<note>(.|\n)*)`)},
	{Name: "deploy", Help: "deploy <environment> to <target-environment>", lacks: "environments or deployments",
		pattern: regexp.MustCompile(`\Adeploy` + ws + `+(?P<from>\S+.*)` + ws + `+to+` + ws + `+(?P<to>\S+.*)\z`)},
	{Name: "run", Help: "run <command> <arguments>", lacks: "CI pipelines or jobs",
		pattern: regexp.MustCompile(`(?s)\Arun` + ws + `+(?P<command>\S+)(` + ws + `+(?P<arguments>.+))?\z`)},
}

// Commands returns GitLab's commands, in the order they are matched.
func Commands() []Command { return append([]Command(nil), commands...) }

// Match returns the first command whose pattern matches text, as GitLab's
// Command#match_command; ok is false when none does.
func Match(text string) (c Command, ok bool) {
	p, ok := Parse(text)
	return p.Command, ok
}

// Request is what Answer needs of a slash command request.
type Request struct {
	// Trigger is the "command" parameter, e.g. "/gitlab".
	Trigger string
	// Text is the "text" parameter: what follows the trigger.
	Text string
	// ProjectURL is the web URL of the service's project.
	ProjectURL string
	// Slack asks for Slack's link format (<url|text>) in the answer, as
	// GitLab's Slack slash commands service formats its text.
	Slack bool
}

// Answer answers a slash command whose token was accepted: a command
// glint recognises but cannot carry out is answered with what glint lacks;
// anything else gets GitLab's help, which starts with "The specified
// command is not valid." unless the text starts with "help". Every answer
// is ephemeral, status 200.
func Answer(r Request) Response {
	text := Help(r.Trigger, r.Text, r.ProjectURL)
	if c, ok := Match(r.Text); ok {
		text = NotHeld(c, r.Trigger, r.ProjectURL)
	}
	if r.Slack {
		text = chatmsg.SlackLinks(text)
	}
	return Response{ResponseType: Ephemeral, Status: 200, Text: text}
}

// NotHeld is glint's answer to a command that needs data it does not hold.
func NotHeld(c Command, trigger, projectURL string) string {
	return "Sorry, `" + strings.TrimSpace(trigger+" "+c.Name) + "` is not available here: " +
		"this chatops integration is served by glint, which relays GitLab's webhook events to services " +
		"and holds no " + c.lacks + ".\n\n" +
		"Use GitLab for this project instead: " + projectURL + "."
}

// Help is the text of GitLab 12.5's help answer
// (Gitlab::SlashCommands::Presenters::Help) for the trigger and the text
// the user sent.
func Help(trigger, text, projectURL string) string {
	var list []string
	for _, c := range commands {
		list = append(list, trigger+" "+c.Help)
	}
	full := "*Available commands*\n\n" +
		"The following commands are available for this chatops integration:\n\n" +
		strings.Join(list, "\n") + "\n\n" +
		"If available, the `run` command is used for running GitLab CI jobs\n" +
		"defined in this project's `.gitlab-ci.yml` file. For example, if a\n" +
		"job called \"help\" is defined you can run it like so:\n\n" +
		"`" + trigger + " run help`\n"
	footer := "*Project*\n\n" +
		"The GitLab project for this chatops integration can be found at\n" +
		projectURL + ".\n\n" +
		"\n" +
		"*Documentation*\n\n" +
		"For more information about GitLab chatops, refer to its\n" +
		"documentation: https://docs.gitlab.com/ce/ci/chatops/README.html.\n"
	msg := full + "\n\n" + footer + "\n"
	if !strings.HasPrefix(text, "help") {
		msg = "The specified command is not valid.\n\n" + msg
	}
	return msg
}
