package chatmsg

import (
	"strconv"
	"strings"
	"time"

	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration"
)

// The texts below are those of GitLab 12.5's ChatMessage classes
// (spec §0.6).

func pushMessage(e *event.PushEvent, p integration.Project) *Message {
	a := newAbout(e.Project, p, nil)
	// A push payload has no user object: its user_name (the display name)
	// stands alone.
	a.user = combinedName("", e.UserName)
	a.avatar = e.UserAvatar

	refType := "branch"
	if event.IsTagRef(e.Ref) {
		refType = "tag"
	}
	ref := event.RefName(e.Ref)
	refLink := link(ref, a.projectURL+"/commits/"+ref)
	compareLink := link("Compare changes", e.CompareURL(a.projectURL))

	var action, refText, target string
	normal := false
	switch {
	case e.Before == event.BlankSHA:
		action, refText, target = "pushed new", refLink, "to "+a.projectLink()
	case e.After == event.BlankSHA:
		action, refText, target = "removed", ref, "from "+a.projectLink()
	default:
		action, refText, target = "pushed to", refLink, "of "+a.projectLink()+" ("+compareLink+")"
		normal = true
	}
	short := a.user + " " + action + " " + refType + " " + refText
	m := &Message{
		Pretext:     short + " " + target,
		Attachments: []Attachment{},
		ProjectName: a.projectName,
		Activity:    Activity{Title: short, Subtitle: "in " + a.projectLink(), Text: compareLink, Image: a.avatar},
	}
	if normal {
		lines := make([]string, len(e.Commits))
		for i, c := range e.Commits {
			lines[i] = link(shortSHA(c.ID), c.URL) + ": " + c.Message + " - " + c.Author.Name
		}
		m.AttachmentText = strings.Join(lines, "\n\n")
		m.Attachments = []Attachment{{Text: m.AttachmentText, Color: defaultColor}}
	}
	return m
}

func issueMessage(e *event.IssueEvent, p integration.Project) *Message {
	oa := e.ObjectAttributes
	if oa.Action == "update" {
		return nil
	}
	a := newAbout(e.Project, p, &e.User)
	title := "#" + strconv.FormatInt(oa.IID, 10) + " " + oa.Title
	issueLink := link(title, oa.URL)
	m := &Message{
		Pretext:     "[" + a.projectLink() + "] Issue " + issueLink + " " + oa.State + " by " + a.user,
		Attachments: []Attachment{},
		ProjectName: a.projectName,
		Activity: Activity{Title: "Issue " + oa.State + " by " + a.user, Subtitle: "in " + a.projectLink(),
			Text: issueLink, Image: a.avatar},
	}
	if oa.Action == "open" {
		m.Attachments = []Attachment{{Title: title, TitleLink: oa.URL, Text: oa.Description, Color: issueColor}}
		m.AttachmentText = oa.Description
	}
	return m
}

func mergeRequestMessage(e *event.MergeRequestEvent, p integration.Project) *Message {
	oa := e.ObjectAttributes
	if oa.Action == "update" {
		return nil
	}
	a := newAbout(e.Project, p, &e.User)
	iid := strconv.FormatInt(oa.IID, 10)
	mrLink := link("!"+iid+" *"+firstLine(oa.Title)+"*", a.projectURL+"/merge_requests/"+iid)
	return &Message{
		Pretext:     a.user + " " + oa.State + " " + mrLink + " in " + a.projectLink(),
		Attachments: []Attachment{},
		ProjectName: a.projectName,
		Activity: Activity{Title: "Merge Request " + oa.State + " by " + a.user, Subtitle: "in " + a.projectLink(),
			Text: mrLink, Image: a.avatar},
	}
}

// NoteTarget names what a comment is on, as GitLab's note texts do
// ("commit 1234abcd", "issue #1", "merge request !1", "snippet
// <snippetPrefix>1"), and gives that thing's title (a commit's whole
// message); ok is false for anything else. The chat messages write
// snippets with "$", HipChat with "#".
func NoteTarget(e *event.NoteEvent, snippetPrefix string) (target, title string, ok bool) {
	switch oa := e.ObjectAttributes; {
	case oa.NoteableType == "Commit" && e.Commit != nil:
		return "commit " + shortSHA(e.Commit.ID), e.Commit.Message, true
	case oa.NoteableType == "Issue" && e.Issue != nil:
		return "issue #" + strconv.FormatInt(e.Issue.IID, 10), e.Issue.Title, true
	case oa.NoteableType == "MergeRequest" && e.MergeRequest != nil:
		return "merge request !" + strconv.FormatInt(e.MergeRequest.IID, 10), e.MergeRequest.Title, true
	case oa.NoteableType == "Snippet" && e.Snippet != nil:
		return "snippet " + snippetPrefix + strconv.FormatInt(e.Snippet.ID, 10), e.Snippet.Title, true
	}
	return "", "", false
}

func noteMessage(e *event.NoteEvent, p integration.Project) *Message {
	// Snippet's reference prefix; older versions wrote "#".
	target, title, ok := NoteTarget(e, "$")
	if !ok {
		return nil
	}
	title = firstLine(title)
	a := newAbout(e.Project, p, &e.User)
	noteLink := link("commented on "+target, e.ObjectAttributes.URL)
	return &Message{
		Pretext:        a.user + " " + noteLink + " in " + a.projectLink() + ": *" + title + "*",
		Attachments:    []Attachment{{Text: e.ObjectAttributes.Note, Color: defaultColor}},
		AttachmentText: e.ObjectAttributes.Note,
		ProjectName:    a.projectName,
		Activity:       Activity{Title: a.user + " " + noteLink, Subtitle: "in " + a.projectLink(), Text: title, Image: a.avatar},
	}
}

func pipelineMessage(e *event.PipelineEvent, p integration.Project) *Message {
	oa := e.ObjectAttributes
	a := newAbout(e.Project, p, nil)
	username, fullName := "API", ""
	if e.User != nil {
		if e.User.Username != "" {
			username = e.User.Username
		}
		fullName, a.avatar = e.User.Name, e.User.AvatarURL
	}
	a.user = combinedName(fullName, username)

	refType := "branch"
	if oa.Tag {
		refType = "tag"
	}
	id := strconv.FormatInt(oa.ID, 10)
	status, color := oa.Status, "danger"
	if oa.Status == "success" {
		status, color = "passed", "good"
	}
	duration := prettyDuration(oa.Duration)
	head := "Pipeline " + link("#"+id, a.projectURL+"/pipelines/"+id) + " of " + refType + " " +
		link(oa.Ref, a.projectURL+"/commits/"+oa.Ref) + " by " + a.user + " " + status
	text := a.projectLink() + ": " + head + " in " + duration
	return &Message{
		Fallback:       text,
		HasFallback:    true,
		Attachments:    []Attachment{{Text: text, Color: color}},
		AttachmentText: text,
		ProjectName:    a.projectName,
		Activity:       Activity{Title: head, Subtitle: "in " + a.projectLink(), Text: "in " + duration, Image: a.avatar},
	}
}

// prettyDuration writes seconds as MM:SS under an hour and HH:MM:SS from
// one hour, as a UTC clock would show them (so hours wrap at 24), the way
// GitLab formats Time.at(seconds).utc. A missing duration is 0.
func prettyDuration(seconds *float64) string {
	var s int64
	if seconds != nil {
		s = int64(*seconds) // truncated, as Ruby's to_i
	}
	layout := "15:04:05"
	if s < 3600 {
		layout = "04:05"
	}
	return time.Unix(s, 0).UTC().Format(layout)
}

func wikiPageMessage(e *event.WikiPageEvent, p integration.Project) *Message {
	oa := e.ObjectAttributes
	a := newAbout(e.Project, p, &e.User)
	action := oa.Action
	switch action {
	case "create":
		action = "created"
	case "update":
		action = "edited"
	case "delete": // not sent by 12.5; later versions' wording
		action = "deleted"
	}
	pageLink := link("wiki page", oa.URL)
	return &Message{
		Pretext:        a.user + " " + action + " " + pageLink + " in " + a.projectLink() + ": *" + oa.Title + "*",
		Attachments:    []Attachment{{Text: oa.Message, Color: defaultColor}},
		AttachmentText: oa.Message,
		ProjectName:    a.projectName,
		Activity: Activity{Title: a.user + " " + action + " " + pageLink, Subtitle: "in " + a.projectLink(),
			Text: oa.Title, Image: a.avatar},
	}
}

func deploymentMessage(e *event.DeploymentEvent, p integration.Project) *Message {
	a := newAbout(e.Project, p, &e.User)
	status, color := e.Status, "#334455"
	switch e.Status {
	case "success":
		status, color = "succeeded", "good"
	case "canceled":
		color = "warning"
	case "failed":
		color = "danger"
	}
	text := a.projectLink() + "\n" + link("Job #"+strconv.FormatInt(e.DeployableID, 10), e.DeployableURL) +
		", SHA " + link(e.ShortSHA, e.CommitURL) + ", by " + a.user
	return &Message{
		Pretext:        "Deploy to " + e.Environment + " " + status,
		Attachments:    []Attachment{{Text: text, Color: color}},
		AttachmentText: text,
		ProjectName:    a.projectName,
		// Teams does not take deployments: no activity.
	}
}
