package slashcmd

import "strings"

// Parsed is a slash command's text matched against GitLab's commands, with
// the parts its pattern captures.
type Parsed struct {
	// Command is the command matched.
	Command Command
	// IID is the iid as typed, digits only ("issue show",
	// "issue move", "issue close", "issue comment").
	IID string
	// Title and Description are a new issue's: the rest of the first
	// line, and the following lines with trailing white space removed
	// (GitLab's rstrip).
	Title, Description string
	// Query is what "issue search" looks for.
	Query string
	// Note is a comment's body, stripped of leading and trailing white
	// space (GitLab's strip).
	Note string
	// From and To are deploy's environments.
	From, To string
	// ProjectPath is where "issue move" moves the issue.
	ProjectPath string
}

// rubySpace is what Ruby's strip removes ("\0" only at the end).
const rubySpace = " \t\n\v\f\r"

// Parse matches text against GitLab's commands, first match wins, as
// Gitlab::SlashCommands::Command#match_command, and returns what the
// pattern captured; ok is false when no command matches. It is pure.
func Parse(text string) (p Parsed, ok bool) {
	for _, c := range commands {
		m := c.pattern.FindStringSubmatch(text)
		if m == nil {
			continue
		}
		group := func(name string) string {
			if i := c.pattern.SubexpIndex(name); i > 0 {
				return m[i]
			}
			return ""
		}
		p = Parsed{Command: c, IID: group("iid"), Title: group("title"), Query: group("query"),
			From: group("from"), To: group("to"), ProjectPath: group("project_path")}
		p.Description = strings.TrimRight(group("description"), rubySpace+"\x00")
		p.Note = strings.TrimLeft(strings.TrimRight(group("note"), rubySpace+"\x00"), rubySpace)
		return p, true
	}
	return Parsed{}, false
}
