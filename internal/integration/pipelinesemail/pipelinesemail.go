// Package pipelinesemail is GitLab's Pipeline emails service
// (PipelinesEmailService, Emails::Pipelines): one email, its recipients in
// Bcc, when a pipeline succeeds or fails on a branch the settings name.
//
// It is a pure function of the event, the service's settings and the
// project (whose Email holds the instance's sender and subject suffix).
package pipelinesemail

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/chatmsg"
	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/mailtext"
)

// FromName is the display name of the mails' sender (GitLab's
// email_display_name).
const FromName = "glint"

// commitMessageMax is how much of the commit message the text part shows.
const commitMessageMax = 50

// Settings are the service's properties, decoded by catalog.Decode.
type Settings struct {
	Recipients                string `field:"recipients"`
	AddPusher                 bool   `field:"add_pusher"`
	NotifyOnlyBrokenPipelines bool   `field:"notify_only_broken_pipelines"`
	BranchesToBeNotified      string `field:"branches_to_be_notified"`
}

// Build returns the one mail for a pipeline that passes the filters, none
// otherwise. The "test" button's sample push is no pipeline: it yields
// nothing.
func Build(ev *event.Event, settings map[string]any, p integration.Project) ([]integration.Request, error) {
	pe := ev.Pipeline
	if pe == nil {
		return nil, nil
	}
	s, err := catalog.Decode[Settings]("pipelines-email", settings)
	if err != nil {
		return nil, err
	}
	if !refWanted(pe, s.BranchesToBeNotified, p) || !chatmsg.NotifyForPipeline(ev, s.NotifyOnlyBrokenPipelines) {
		return nil, nil
	}
	bcc := mailtext.Recipients(s.Recipients, ",")
	if s.AddPusher && pe.User != nil && pe.User.Email != "" && !slices.Contains(bcc, pe.User.Email) {
		bcc = append(bcc, pe.User.Email)
	}
	if len(bcc) == 0 {
		return nil, nil
	}
	m := newMessage(pe, p)
	subject := m.subject()
	if p.Email.SubjectSuffix != "" {
		subject += " | " + p.Email.SubjectSuffix
	}
	return []integration.Request{{Mail: &integration.Mail{
		FromName: FromName, From: p.Email.From, ReplyTo: p.Email.ReplyTo, Bcc: bcc, Subject: subject,
		Header: m.project.Headers(
			[2]string{"X-GitLab-Pipeline-Id", strconv.FormatInt(pe.ObjectAttributes.ID, 10)},
			[2]string{"X-GitLab-Pipeline-Ref", pe.ObjectAttributes.Ref},
			[2]string{"X-GitLab-Pipeline-Status", pe.ObjectAttributes.Status},
		),
		Text: m.text(), HTML: m.html(),
	}}}, nil
}

// refWanted is the branch filter of PipelinesEmailService: as the chat
// services' but without their tag shortcut, so a tag is a ref like any
// other, which "default" and "protected" do not name.
func refWanted(pe *event.PipelineEvent, branches string, p integration.Project) bool {
	if pe.ObjectAttributes.Tag {
		return branches == "all"
	}
	return chatmsg.BranchNotified(pe.ObjectAttributes.Ref, branches, pe.Project.DefaultBranch, p)
}

// message is one pipeline, as the mail tells it.
type message struct {
	pe      *event.PipelineEvent
	project mailtext.Project
	host    string // the GitLab's base URL, for user pages
	failed  bool
}

func newMessage(pe *event.PipelineEvent, p integration.Project) *message {
	m := &message{pe: pe, project: mailtext.ProjectOf(pe.Project, p), failed: pe.ObjectAttributes.Status == "failed"}
	m.host = strings.TrimSuffix(strings.TrimSuffix(m.project.WebURL, m.project.FullPath), "/")
	return m
}

// sourceRef is the pipeline's source ref: a merge request pipeline's
// source branch, else its ref.
func (m *message) sourceRef() string {
	if mr := m.pe.MergeRequest; mr != nil && mr.SourceBranch != "" {
		return mr.SourceBranch
	}
	return m.pe.ObjectAttributes.Ref
}

// subject is Emails::Pipelines#pipeline_mail's subject.
func (m *message) subject() string {
	status := "succeeded"
	if m.failed {
		status = "failed"
	}
	last := mailtext.ShortSHA(m.pe.ObjectAttributes.SHA)
	if mr := m.pe.MergeRequest; mr != nil {
		last += " in !" + strconv.FormatInt(mr.IID, 10)
	}
	return fmt.Sprintf("%s | Pipeline #%d has %s for %s | %s", m.project.Name, m.pe.ObjectAttributes.ID, status, m.sourceRef(), last)
}

func (m *message) pipelineURL() string {
	return m.project.WebURL + "/pipelines/" + strconv.FormatInt(m.pe.ObjectAttributes.ID, 10)
}

func (m *message) commitURL() string {
	if m.pe.Commit.URL != "" {
		return m.pe.Commit.URL
	}
	return m.project.WebURL + "/commit/" + m.pe.ObjectAttributes.SHA
}

func (m *message) refURL() string {
	if m.pe.ObjectAttributes.Tag {
		return m.project.WebURL + "/tags/" + m.sourceRef()
	}
	return m.project.WebURL + "/commits/" + m.sourceRef()
}

func (m *message) userURL(u *event.User) string { return m.host + "/" + u.Username }

// authorURL is the commit author's link: mailto: their email.
func (m *message) authorURL() string { return "mailto:" + m.pe.Commit.Author.Email }

// stages is how many stages the pipeline's jobs ran in.
func (m *message) stages() int {
	if n := len(m.pe.ObjectAttributes.Stages); n > 0 {
		return n
	}
	var seen []string
	for _, b := range m.pe.Builds {
		if !slices.Contains(seen, b.Stage) {
			seen = append(seen, b.Stage)
		}
	}
	return len(seen)
}

// failedJobs are the failed jobs, in the payload's order.
func (m *message) failedJobs() []event.Build {
	var out []event.Build
	for _, b := range m.pe.Builds {
		if b.Status == "failed" {
			out = append(out, b)
		}
	}
	return out
}

func (m *message) jobURL(b event.Build) string {
	return m.project.WebURL + "/-/jobs/" + strconv.FormatInt(b.ID, 10)
}

// truncate cuts s to n characters, the last three being "..." when cut,
// as Rails' truncate.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-3]) + "..."
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
