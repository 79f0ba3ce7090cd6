// Package chatmsg writes the chat message GitLab 12.5's chat notifiers send
// for an event (its ChatMessage classes): the texts, attachments and Teams
// activity, in Markdown link form, and the filters and settings the chat
// notifiers share. Slack, Mattermost, Microsoft Teams and Hangouts Chat
// render the same Message in their own wire format.
//
// It knows events, the catalog and the integration package's project type;
// it must not import the API, the store or an integration.
package chatmsg

import (
	"strings"

	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration"
)

// Message is what a chat notifier sends for one event. Links are Markdown,
// [text](url); Slack-style targets convert them with SlackLinks.
type Message struct {
	// Pretext is the main text ("text" on Slack, "summary" on Teams).
	Pretext string
	// Fallback is set (HasFallback) only for pipelines.
	Fallback    string
	HasFallback bool
	// Attachments are the Slack-style attachments; an empty list is sent
	// as one.
	Attachments []Attachment
	// AttachmentText is the plain-string attachments of Markdown targets
	// (Teams); "" for none.
	AttachmentText string
	// Activity is the Teams card section.
	Activity Activity
	// EventType routes the message to <EventType>_channel: the object
	// kind, or its confidential variant.
	EventType string
	// ProjectName is the project as the message names it (Teams' title).
	ProjectName string
}

// Attachment is one Slack-style attachment.
type Attachment struct {
	Title     string
	TitleLink string
	Text      string
	Color     string
}

// Activity is the activity section of a Teams card.
type Activity struct {
	Title, Subtitle, Text, Image string
}

// The attachment colours.
const (
	defaultColor = "#345"
	issueColor   = "#C95823"
)

// Build writes the message for an event. It answers false when GitLab
// sends no chat message for it: issue and merge request updates, job
// events, notes on other things than commits, issues, merge requests and
// snippets. The chat filters (NotifyForRef, NotifyForPipeline) are not
// applied here.
func Build(ev *event.Event, p integration.Project) (*Message, bool) {
	if ev == nil {
		return nil, false
	}
	var m *Message
	switch {
	case ev.Push != nil:
		m = pushMessage(ev.Push, p)
	case ev.Issue != nil:
		m = issueMessage(ev.Issue, p)
	case ev.MergeRequest != nil:
		m = mergeRequestMessage(ev.MergeRequest, p)
	case ev.Note != nil:
		m = noteMessage(ev.Note, p)
	case ev.Pipeline != nil:
		m = pipelineMessage(ev.Pipeline, p)
	case ev.WikiPage != nil:
		m = wikiPageMessage(ev.WikiPage, p)
	case ev.Deployment != nil:
		m = deploymentMessage(ev.Deployment, p)
	}
	if m == nil {
		return nil, false
	}
	m.EventType = string(ev.Kind)
	return m, true
}

// about is what every message says of its project and user.
type about struct {
	projectName, projectURL string
	user                    string // user_combined_name
	avatar                  string
}

// newAbout names the project as the payload does (path and web URL of its
// "project" object), falling back to glint's project as GitLab falls back
// to the project_name and project_url it injects.
func newAbout(payload event.Project, p integration.Project, u *event.User) about {
	a := about{projectName: payload.PathWithNamespace, projectURL: payload.WebURL}
	if a.projectName == "" {
		a.projectName = injectedName(p)
	}
	if a.projectURL == "" {
		a.projectURL = p.WebURL
	}
	if u != nil {
		a.user = combinedName(u.Name, u.Username)
		a.avatar = u.AvatarURL
	}
	return a
}

// injectedName is GitLab's project_name: the full name without whitespace
// (Ruby's \s, ASCII only).
func injectedName(p integration.Project) string {
	if p.FullName == "" {
		return p.FullPath
	}
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune(" \t\n\v\f\r", r) {
			return -1
		}
		return r
	}, p.FullName)
}

// combinedName is "<full name> (<username>)", or the username alone when
// the full name is blank.
func combinedName(fullName, username string) string {
	if strings.TrimSpace(fullName) == "" {
		return username
	}
	return fullName + " (" + username + ")"
}

func link(text, url string) string { return "[" + text + "](" + url + ")" }

func (a about) projectLink() string { return link(a.projectName, a.projectURL) }

// firstLine is the first line of a title, without its line break.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return strings.TrimSuffix(line, "\r")
}

// shortSHA is a commit id cut to 8 characters.
func shortSHA(sha string) string {
	if len(sha) > 8 {
		return sha[:8]
	}
	return sha
}
