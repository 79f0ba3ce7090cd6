package emailsonpush

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/glint-dev/glint/internal/integration/mailtext"
)

// The notes of the Changes section.
const (
	noteHidden      = "Changes are hidden: this project's Emails on push service has diffs disabled."
	noteTooLarge    = "The diff was not included because it is too large."
	noteUnavailable = "The diff is not available: this push came without it, and the project has no GitLab source to fetch it from."
	warnReverse     = "The push did not contain any new commits, but force pushed to delete the commits and changes below."
)

// header is the mail's first line.
func (m *message) header() string {
	return fmt.Sprintf("%s %s %s %s at %s", m.ev.UserName, m.actionName(), m.refType, m.refName, m.project.FullName)
}

// changesNote is the note that takes the place of the diff, "" when the
// diff is shown.
func (m *message) changesNote() string {
	switch {
	case m.noDiffs:
		return noteHidden
	case !m.hasDiffs && m.ev.DiffError != "":
		return "The diff is not available: it could not be read from the project's GitLab source (" + m.ev.DiffError + ")."
	case !m.hasDiffs:
		return noteUnavailable
	case m.overflow:
		return noteTooLarge
	}
	return ""
}

// text is the text part (repository_push_email.text).
func (m *message) text() string {
	var b strings.Builder
	b.WriteString(m.header() + "\n")
	if m.action == push {
		if m.reverse {
			b.WriteString("\nWARNING: " + warnReverse + "\n")
		}
		if m.reverse {
			b.WriteString("\nDeleted commits:\n")
		} else {
			b.WriteString("\nCommits:\n")
		}
		for _, c := range m.commits {
			fmt.Fprintf(&b, "\n%s by %s at %s\n\n%s\n\n- - - - -\n", mailtext.ShortSHA(c.ID), c.Author.Name, c.Timestamp,
				strings.TrimRight(c.Message, "\n"))
		}
		b.WriteString("\nChanges:\n")
		if note := m.changesNote(); note != "" {
			b.WriteString("\n" + note + "\n")
		}
		for _, d := range m.diffs {
			b.WriteString("\n=====================================\n" + diffTitle(d.OldPath, d.NewPath, d.NewFile, d.DeletedFile, d.RenamedFile) +
				"\n=====================================\n")
			b.WriteString(strings.TrimRight(d.Diff, "\n") + "\n")
		}
	}
	if m.targetURL != "" {
		b.WriteString("\n---\nView it on GitLab: " + m.targetURL + "\n")
	}
	return b.String()
}

func diffTitle(oldPath, newPath string, added, deleted, renamed bool) string {
	switch {
	case added:
		return newPath + " (added)"
	case deleted:
		return oldPath + " (deleted)"
	case renamed:
		return oldPath + " → " + newPath
	}
	return newPath
}

// html is the HTML part (repository_push_email.html).
func (m *message) html() string {
	var b strings.Builder
	fmt.Fprintf(&b, "<h3>\n%s %s %s %s\nat %s\n</h3>\n", mailtext.Escape(m.ev.UserName), m.actionName(), m.refType,
		mailtext.Escape(m.refName), mailtext.Link(m.project.WebURL, m.project.FullName))
	if m.action == push {
		if m.reverse {
			b.WriteString("<p>\n<strong>WARNING:</strong>\n" + mailtext.Escape(warnReverse) + "\n</p>\n")
			b.WriteString("<h4>\nDeleted commits:\n</h4>\n<ul>\n")
		} else {
			b.WriteString("<h4>\nCommits:\n</h4>\n<ul>\n")
		}
		for _, c := range m.commits {
			url := c.URL
			if url == "" {
				url = m.project.WebURL + "/commit/" + c.ID
			}
			fmt.Fprintf(&b, "<li>\n<strong>%s</strong>\n<div>\n<span>by %s</span>\n<i>at %s</i>\n</div>\n<pre class=\"commit-message\">%s</pre>\n</li>\n",
				mailtext.Link(url, mailtext.ShortSHA(c.ID)), mailtext.Escape(c.Author.Name), mailtext.Escape(c.Timestamp),
				m.linkIssues(strings.TrimRight(c.Message, "\n")))
		}
		b.WriteString("</ul>\n<h4>\nChanges:\n</h4>\n")
		if note := m.changesNote(); note != "" {
			b.WriteString("<h5>\n" + mailtext.Escape(note) + "\n</h5>\n")
		}
		if len(m.diffs) > 0 {
			b.WriteString("<ul>\n")
		}
		for i, d := range m.diffs {
			fmt.Fprintf(&b, "<li id=\"diff-%d\">\n<strong>%s</strong>\n<hr>\n<table class=\"code\">\n", i,
				mailtext.Escape(diffTitle(d.OldPath, d.NewPath, d.NewFile, d.DeletedFile, d.RenamedFile)))
			for _, line := range strings.Split(strings.TrimRight(d.Diff, "\n"), "\n") {
				class := "line"
				switch {
				case strings.HasPrefix(line, "@@"):
					class = "line match"
				case strings.HasPrefix(line, "+"):
					class = "line new"
				case strings.HasPrefix(line, "-"):
					class = "line old"
				}
				fmt.Fprintf(&b, "<tr class=\"%s\"><td><pre>%s</pre></td></tr>\n", class, mailtext.Escape(line))
			}
			b.WriteString("</table>\n<br>\n</li>\n")
		}
		if len(m.diffs) > 0 {
			b.WriteString("</ul>\n")
		}
	}
	if m.targetURL != "" {
		b.WriteString("<div class=\"footer\">\n<p>\n" + mailtext.Link(m.targetURL, "View it on GitLab") + ".\n</p>\n</div>\n")
	}
	return mailtext.Page(m.subject(), b.String())
}

// The references of an external tracker (IssueTrackerService and
// YoutrackService reference_pattern): "#12" or "ABC-12" whose id is 12,
// or YouTrack's "ABC-12" whose id is all of it.
var (
	issueRef     = regexp.MustCompile(`(\b[A-Z][A-Z0-9_]*-|#)(\d+)`)
	longIssueRef = regexp.MustCompile(`\b[A-Z][A-Za-z0-9_]*-\d+`)
)

// linkIssues escapes a commit message for HTML and links its issue
// references to the project's external tracker, as GitLab's
// ExternalIssueReferenceFilter renders them.
func (m *message) linkIssues(msg string) string {
	t := m.tracker
	if t == nil || t.IssuesURL == "" {
		return mailtext.Escape(msg)
	}
	re := issueRef
	if t.LongOnly {
		re = longIssueRef
	}
	var b strings.Builder
	last := 0
	for _, loc := range re.FindAllStringSubmatchIndex(msg, -1) {
		ref := msg[loc[0]:loc[1]]
		id := ref
		if !t.LongOnly {
			id = msg[loc[4]:loc[5]]
		}
		b.WriteString(mailtext.Escape(msg[last:loc[0]]))
		fmt.Fprintf(&b, `<a href="%s" data-project="%d" data-external-issue="%s" data-reference-type="external_issue" data-container="body" data-placement="top" title="%s" class="gfm gfm-issue has-tooltip">%s</a>`,
			mailtext.Escape(strings.ReplaceAll(t.IssuesURL, ":id", id)), m.project.ID, mailtext.Escape(id),
			mailtext.Escape("Issue in "+t.Title), mailtext.Escape(ref))
		last = loc[1]
	}
	b.WriteString(mailtext.Escape(msg[last:]))
	return b.String()
}
