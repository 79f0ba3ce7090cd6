package catalog

import (
	"fmt"
	"strings"
)

// Markdown renders the reference of every service, docs/services.md.
func Markdown() string {
	var b strings.Builder
	b.WriteString("# Services reference\n\n")
	b.WriteString("Generated from `internal/catalog` by `go test ./internal/catalog -update`; do not edit by hand.\n\n")
	b.WriteString("Every service has `GET`, `PUT` and `DELETE /api/v4/projects/:id/services/<slug>` (also under `/integrations/<slug>`).\n")
	b.WriteString("`PUT` activates the service; `DELETE` deactivates it and blanks its settings. Fields marked *hidden* are\n")
	b.WriteString("never returned in `properties` (GitLab hides every name containing password, token, key, title or description);\n")
	b.WriteString("*secret* fields are also sealed at rest with AES-256-GCM.\n\n")
	b.WriteString("| slug | title | events | what glint does |\n| --- | --- | --- | --- |\n")
	for _, s := range All() {
		fmt.Fprintf(&b, "| [`%s`](#%s) | %s | %s | %s |\n", s.Slug, s.Slug, s.Title, eventList(s), s.Action())
	}
	for _, s := range All() {
		fmt.Fprintf(&b, "\n## %s\n\n%s\n\n**What glint does:** %s\n\n`PUT /api/v4/projects/:id/services/%s`\n\n", s.Slug, s.Description, s.Action(), s.Slug)
		b.WriteString("| parameter | type | required | notes | description |\n| --- | --- | --- | --- | --- |\n")
		for _, f := range s.Fields {
			if f.Undeclared {
				continue // not a parameter
			}
			fmt.Fprintf(&b, "| `%s` | %s | %v | %s | %s |\n", f.Name, f.Type, f.Required, fieldNotes(f), f.Help)
		}
		for _, e := range s.Events {
			fmt.Fprintf(&b, "| `%s` | boolean | false | default %v | Enable notifications for %s events |\n",
				e.FlagName(), s.DefaultFlag(e), strings.ReplaceAll(string(e), "_", " "))
		}
		for _, f := range s.Flags {
			fmt.Fprintf(&b, "| `%s` | boolean | false |  | %s |\n", f.Name, f.Help)
		}
		if s.DefaultBranchAlias {
			b.WriteString("| `notify_only_default_branch` | boolean | false | deprecated | Sets `branches_to_be_notified` to `default` (true) or `all` (false) |\n")
		}
		for alias, target := range s.Aliases {
			fmt.Fprintf(&b, "| `%s` | boolean | false | alias | Same as `%s` (the spelling of GitLab's doc) |\n", alias, target)
		}
	}
	return b.String()
}

func eventList(s *Service) string {
	if len(s.Events) == 0 {
		return "none"
	}
	names := make([]string, len(s.Events))
	for i, e := range s.Events {
		names[i] = string(e)
	}
	return strings.Join(names, ", ")
}

func fieldNotes(f Field) string {
	var notes []string
	if f.Secret {
		notes = append(notes, "secret")
	}
	if f.Hidden() {
		notes = append(notes, "hidden")
	}
	if f.URL {
		notes = append(notes, "URL")
	}
	if f.Default != nil {
		notes = append(notes, fmt.Sprintf("default `%v`", f.Default))
	}
	if len(f.Values) > 0 {
		notes = append(notes, "one of "+strings.Join(f.Values, ", "))
	}
	return strings.Join(notes, ", ")
}
