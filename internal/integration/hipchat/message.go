package hipchat

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/glint-dev/glint/internal/chatmsg"
	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration"
)

// maxCommits is how many commits a push message lists.
const maxCommits = 3

// message is HipchatService#create_message: the HTML text for the event,
// "" when GitLab sends nothing (issue and merge request updates, notes on
// unknown things, pipelines the status filter drops, other events).
func message(ev *event.Event, onlyBroken bool, p integration.Project) string {
	h := html{url: p.WebURL, name: chatmsg.ProjectName(p)}
	switch {
	case ev.Push != nil:
		return h.push(ev.Push)
	case ev.Issue != nil && ev.Issue.ObjectAttributes.Action != "update":
		oa := ev.Issue.ObjectAttributes
		link := anchor(oa.URL, "issue #"+strconv.FormatInt(oa.IID, 10))
		return h.issuable(ev.Issue.User.Name, oa.State, link, oa.Title, oa.Description)
	case ev.MergeRequest != nil && ev.MergeRequest.ObjectAttributes.Action != "update":
		oa := ev.MergeRequest.ObjectAttributes
		iid := strconv.FormatInt(oa.IID, 10)
		link := anchor(h.url+"/merge_requests/"+iid, "merge request !"+iid)
		return h.issuable(ev.MergeRequest.User.Name, oa.State, link, oa.Title, oa.Description)
	case ev.Note != nil:
		return h.note(ev.Note)
	case ev.Pipeline != nil && chatmsg.NotifyForPipeline(ev, onlyBroken):
		return h.pipeline(ev.Pipeline)
	}
	return ""
}

// html writes the texts of one project, named as HipChat names it: the
// full name without whitespace, linked to the project's web URL.
type html struct{ url, name string }

func anchor(href, text string) string { return `<a href="` + href + `">` + text + `</a>` }

func (h html) projectLink() string { return anchor(h.url, h.name) }

func (h html) push(e *event.PushEvent) string {
	refType := "branch"
	if event.IsTagRef(e.Ref) {
		refType = "tag"
	}
	ref := event.RefName(e.Ref)
	refLink := anchor(h.url+"/commits/"+url.QueryEscape(ref), ref) // CGI.escape
	var b strings.Builder
	b.WriteString(e.UserName + " ")
	switch {
	case e.Before == event.BlankSHA:
		b.WriteString("pushed new " + refType + " " + refLink + " to " + h.projectLink() + "\n")
	case e.After == event.BlankSHA:
		b.WriteString("removed " + refType + " <b>" + ref + "</b> from " + h.projectLink() + " \n")
	default:
		b.WriteString("pushed to " + refType + " " + refLink + " of " + h.projectLink() + " (" +
			anchor(e.CompareURL(h.url), "Compare changes") + ")")
		for _, c := range e.Commits[:min(len(e.Commits), maxCommits)] {
			id := c.ID[:min(len(c.ID), 6)]
			b.WriteString("<br /> - " + renderLine(c.Message) + " (" + anchor(c.URL, id) + ")")
		}
		if n := len(e.Commits); n > maxCommits {
			b.WriteString("<br />... " + strconv.Itoa(n-maxCommits) + " more commits")
		}
	}
	return b.String()
}

// issuable is the issue and merge request text; user is the full name.
func (h html) issuable(user, state, link, title, description string) string {
	return user + " " + state + " " + link + " in " + h.projectLink() + ": <b>" + renderLine(title) + "</b>" +
		"<pre>" + render(description) + "</pre>"
}

func (h html) note(e *event.NoteEvent) string {
	// HipChat's own text writes snippets "#", not "$" as the chat messages.
	subject, title, ok := chatmsg.NoteTarget(e, "#")
	if !ok {
		return ""
	}
	oa := e.ObjectAttributes
	return e.User.Name + " commented on " + anchor(oa.URL, subject) + " in " + h.projectLink() + ": " +
		"<b>" + renderLine(title) + "</b><pre>" + render(oa.Note) + "</pre>"
}

func (h html) pipeline(e *event.PipelineEvent) string {
	oa := e.ObjectAttributes
	refType := "branch"
	if oa.Tag {
		refType = "tag"
	}
	user := "API"
	if e.User != nil && e.User.Name != "" {
		user = e.User.Name
	}
	status := oa.Status
	if status == "success" {
		status = "passed"
	}
	id := strconv.FormatInt(oa.ID, 10)
	return h.projectLink() + ": Pipeline " + anchor(h.url+"/pipelines/"+id, "#"+id) + " of " +
		anchor(h.url+"/commits/"+url.QueryEscape(oa.Ref), oa.Ref) + " " + refType + " by " + user + " " +
		status + " in " + seconds(oa.Duration) + " second(s)"
}

// seconds is a duration as Ruby interpolates it: an integer as such, a
// missing one as "".
func seconds(d *float64) string {
	switch {
	case d == nil:
		return ""
	case *d == float64(int64(*d)):
		return strconv.FormatInt(int64(*d), 10)
	}
	return strconv.FormatFloat(*d, 'f', -1, 64)
}

// The Markdown GitLab renders (Banzai, then sanitised to HipChat's tags
// and cut to 200 characters) is approximated for plain text: glint has no
// GitLab Markdown renderer. The text is HTML-escaped as the renderer
// escapes it; a multi-line text keeps its line breaks as <br> (GitLab
// renders line breaks as hard breaks) and its paragraphs on lines of
// their own (the <p> tags fall to the sanitiser). Markdown syntax itself
// (emphasis, links, references, lists) is not rendered.

var escapeText = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// renderLine is render_line: the first line, rendered on one line.
func renderLine(text string) string {
	line, _, _ := strings.Cut(text, "\n")
	return truncate(escapeText.Replace(strings.TrimSuffix(line, "\r")))
}

// render is markdown(): the whole text.
func render(text string) string {
	var paragraphs []string
	for _, para := range strings.Split(strings.ReplaceAll(strings.TrimSpace(text), "\r\n", "\n"), "\n\n") {
		if para = strings.Trim(para, "\n"); para != "" {
			paragraphs = append(paragraphs, strings.ReplaceAll(escapeText.Replace(para), "\n", "<br>\n"))
		}
	}
	return truncate(strings.Join(paragraphs, "\n"))
}

// truncate is ActiveSupport's truncate(200, separator: ' ', omission:
// '...'): a text over 200 characters is cut at the last space at or
// before character 197, or at 197, and "..." is appended.
func truncate(s string) string {
	const at, omission = 200, "..."
	r := []rune(s)
	if len(r) <= at {
		return s
	}
	room := at - len(omission)
	stop := room
	for i := min(room, len(r)-1); i >= 0; i-- {
		if r[i] == ' ' {
			stop = i
			break
		}
	}
	return string(r[:stop]) + omission
}
