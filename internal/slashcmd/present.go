package slashcmd

import (
	"strconv"
	"strings"

	"github.com/glint-dev/glint/internal/chatmsg"
	"github.com/glint-dev/glint/internal/gitlabapi"
)

// The presenters word the answers to commands carried out on a project's
// GitLab source as GitLab's Gitlab::SlashCommands::Presenters do (12.5's;
// IssueClose and IssueComment as GitLab first wrote them). They are pure.

// GitLab's issue colours (Presenters::IssueBase#color; NoteBase's GREEN).
const (
	colorOpen   = "#38ae67"
	colorClosed = "#d22852"
)

// Texts of Presenters::Access, Presenters::Base and Presenters::Deploy.
const (
	textNotFound            = "404 not found! GitLab couldn't find what you were looking for! :boom:"
	textAccessDenied        = "Whoops! This action is not allowed. This incident will be [reported](https://xkcd.com/838/)."
	textGenericAccessDenied = "You are not allowed to perform the given chatops command."
	textNotSuccessful       = "The action was not successful, because:"
	textNoDeployAction      = "Couldn't find a deployment manual action."
)

// Attachment is the issue card of GitLab's presenters (Slack's message
// attachment), keys in GitLab's order.
type Attachment struct {
	Title      string `json:"title"`
	TitleLink  string `json:"title_link"`
	AuthorName string `json:"author_name"`
	AuthorIcon string `json:"author_icon"`
	Fallback   string `json:"fallback"`
	Pretext    string `json:"pretext"`
	// Text is absent from the new issue and new comment cards.
	Text     *string  `json:"text,omitempty"`
	Color    string   `json:"color"`
	Fields   []Field  `json:"fields"`
	MrkdwnIn []string `json:"mrkdwn_in"`
}

// Field is one of an attachment's fields.
type Field struct {
	Title string `json:"title"`
	Value string `json:"value"`
	Short bool   `json:"short,omitempty"`
}

// SearchAttachment is one issue of a search answer.
type SearchAttachment struct {
	Color    string   `json:"color"`
	Fallback string   `json:"fallback"`
	Text     string   `json:"text"`
	MrkdwnIn []string `json:"mrkdwn_in"`
}

func ephemeral(text string) Response {
	return Response{ResponseType: Ephemeral, Status: 200, Text: text}
}

// NotFound is Presenters::Access#not_found.
func NotFound() Response { return ephemeral(textNotFound) }

// AccessDenied is Presenters::Access#access_denied.
func AccessDenied() Response { return ephemeral(textAccessDenied) }

// GenericAccessDenied is Presenters::Access#generic_access_denied.
func GenericAccessDenied() Response { return ephemeral(textGenericAccessDenied) }

// NotSuccessful is Presenters::Base#display_errors: the header and one
// "- " line per error.
func NotSuccessful(errs []string) Response {
	lines := []string{textNotSuccessful}
	for _, e := range errs {
		lines = append(lines, "- "+e)
	}
	return ephemeral(strings.Join(lines, "\n"))
}

func ref(i *gitlabapi.Issue) string { return "#" + strconv.FormatInt(i.IID, 10) }

func issueColor(i *gitlabapi.Issue) string {
	if i.Closed() {
		return colorClosed
	}
	return colorOpen
}

func statusText(i *gitlabapi.Issue) string {
	if i.Closed() {
		return "Closed"
	}
	return "Open"
}

// issueFields are IssueBase#fields: Assignee, Milestone, Labels.
func issueFields(i *gitlabapi.Issue) []Field {
	assignee, milestone, labels := "_None_", "_None_", "_None_"
	if len(i.Assignees) > 0 {
		assignee = i.Assignees[0].Name
	}
	if i.Milestone != nil {
		milestone = i.Milestone.Title
	}
	if len(i.Labels) > 0 {
		labels = strings.Join(i.Labels, ", ")
	}
	return []Field{{"Assignee", assignee, true}, {"Milestone", milestone, true}, {"Labels", labels, true}}
}

func projectLink(p *gitlabapi.Project) string {
	return "[" + p.NameWithNamespace + "](" + p.WebURL + ")"
}

func profileLink(u gitlabapi.User) string { return "[@" + u.Username + "](" + u.WebURL + ")" }

// card is an issue attachment with the author given.
func card(i *gitlabapi.Issue, author gitlabapi.User, link, fallback, pretext string) *Attachment {
	return &Attachment{Title: i.Title + " · " + ref(i), TitleLink: link, AuthorName: author.Name,
		AuthorIcon: author.AvatarURL, Fallback: fallback, Pretext: pretext, Color: issueColor(i), Fields: issueFields(i)}
}

func withType(confidential bool, r Response) Response {
	r.ResponseType, r.Status = InChannel, 200
	if confidential {
		r.ResponseType = Ephemeral
	}
	return r
}

// IssueShow is Presenters::IssueShow: in the channel unless the issue is
// confidential.
func IssueShow(p *gitlabapi.Project, i *gitlabapi.Issue) Response {
	text := "**" + statusText(i) + "**"
	if i.Upvotes != 0 || i.Downvotes != 0 || i.UserNotesCount != 0 {
		text += " · "
		if i.Upvotes != 0 {
			text += ":+1: " + strconv.Itoa(i.Upvotes) + " "
		}
		if i.Downvotes != 0 {
			text += ":-1: " + strconv.Itoa(i.Downvotes) + " "
		}
		if i.UserNotesCount != 0 {
			text += ":speech_balloon: " + strconv.Itoa(i.UserNotesCount)
		}
	}
	a := card(i, i.Author, i.WebURL, "Issue "+ref(i)+": "+i.Title, "Issue *"+ref(i)+"* from "+p.NameWithNamespace)
	a.Text, a.MrkdwnIn = &text, []string{"pretext", "text", "fields"}
	return withType(i.Confidential, Response{Attachments: []any{a}})
}

// IssueNew is Presenters::IssueNew: in the channel.
func IssueNew(p *gitlabapi.Project, i *gitlabapi.Issue) Response {
	a := card(i, i.Author, i.WebURL, "New issue "+ref(i)+": "+i.Title,
		"I created an issue on "+profileLink(i.Author)+"'s behalf: **"+ref(i)+"** in "+projectLink(p))
	a.MrkdwnIn = []string{"title", "pretext", "text", "fields"}
	return withType(false, Response{Attachments: []any{a}})
}

// IssueSearch is Presenters::IssueSearch for one to five issues:
// ephemeral.
func IssueSearch(issues []gitlabapi.Issue) Response {
	var text string
	switch n := len(issues); {
	case n >= 5:
		text = "Here are the first 5 issues I found:"
	case n == 1:
		text = "Here is the only issue I found:"
	default:
		text = "Here are the " + strconv.Itoa(n) + " issues I found:"
	}
	r := ephemeral(text)
	for k := range issues {
		i := &issues[k]
		r.Attachments = append(r.Attachments, &SearchAttachment{Color: issueColor(i), Fallback: ref(i) + " " + i.Title,
			Text: "[" + ref(i) + "](" + i.WebURL + ") · " + i.Title + " (" + statusText(i) + ")", MrkdwnIn: []string{"text"}})
	}
	return r
}

// IssueClose is Presenters::IssueClose#present for the issue as closed:
// in the channel unless confidential. As GitLab's, the pretext names the
// issue's author.
func IssueClose(p *gitlabapi.Project, i *gitlabapi.Issue) Response {
	a := card(i, i.Author, i.WebURL, "Closed issue "+ref(i)+": "+i.Title,
		"I closed an issue on "+profileLink(i.Author)+"'s behalf: *"+ref(i)+"* in "+projectLink(p))
	empty := ""
	a.Text, a.MrkdwnIn = &empty, []string{"title", "pretext", "fields"}
	return withType(i.Confidential, Response{Attachments: []any{a}})
}

// AlreadyClosed is Presenters::IssueClose#already_closed.
func AlreadyClosed(i *gitlabapi.Issue) Response {
	return ephemeral("Issue " + ref(i) + " is already closed.")
}

// IssueComment is Presenters::IssueComment: ephemeral, the note's author
// and body, the link to the note.
func IssueComment(p *gitlabapi.Project, i *gitlabapi.Issue, n *gitlabapi.Note) Response {
	a := card(i, n.Author, i.WebURL+"#note_"+strconv.FormatInt(n.ID, 10), "New comment on "+ref(i)+": "+i.Title,
		"I commented on an issue on "+profileLink(n.Author)+"'s behalf: *"+ref(i)+"* in "+projectLink(p))
	a.Color, a.Fields, a.MrkdwnIn = colorOpen, []Field{{Title: "Comment", Value: n.Body}}, []string{"title", "pretext", "fields"}
	return Response{ResponseType: Ephemeral, Status: 200, Attachments: []any{a}}
}

// Deploy is Presenters::Deploy#present: in the channel, with the link to
// the job started.
func Deploy(from, to, jobURL string) Response {
	return Response{ResponseType: InChannel, Status: 200,
		Text: "Deployment started from " + from + " to " + to + ". [Follow its progress](" + jobURL + ")."}
}

// DeployActionNotFound is Presenters::Deploy#action_not_found.
func DeployActionNotFound() Response { return ephemeral(textNoDeployAction) }

// SlackFormat writes the Markdown links of the text and of the
// attachments' pretext and text in Slack's <url|text> form, as
// Presenters::Base#format_response for Slack.
func SlackFormat(r Response) Response {
	r.Text = chatmsg.SlackLinks(r.Text)
	r.Attachments = append([]any(nil), r.Attachments...)
	for k, v := range r.Attachments {
		switch a := v.(type) {
		case *Attachment:
			c := *a
			c.Pretext = chatmsg.SlackLinks(c.Pretext)
			if c.Text != nil {
				t := chatmsg.SlackLinks(*c.Text)
				c.Text = &t
			}
			r.Attachments[k] = &c
		case *SearchAttachment:
			c := *a
			c.Text = chatmsg.SlackLinks(c.Text)
			r.Attachments[k] = &c
		}
	}
	return r
}
