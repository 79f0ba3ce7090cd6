// Package emailsonpush is GitLab's Emails on push service
// (EmailsOnPushService, EmailsOnPushWorker, Gitlab::Email::Message::
// RepositoryPush): for each push or tag push, one identical email per
// recipient with the commits and, unless disabled, the diff.
//
// It is a pure function of the event, the service's settings and the
// project; the diff comes with the event (the glint_diffs extension of a
// push from `glint hook`, or put there by the deliverer from the
// project's GitLab source), and the instance's email settings and the
// project's external issue tracker come with the project.
package emailsonpush

import (
	"strconv"
	"strings"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/mailtext"
)

// The bounds of the diff in an email (RepositoryPush#diffs: max_files 30,
// max_lines 5000): past either, the diff is left out with a note.
const (
	maxFiles = 30
	maxLines = 5000
)

// action is what the push did to its ref.
type action int

const (
	push action = iota
	create
	remove
)

// message is one push, as the mail tells it.
type message struct {
	ev        *event.PushEvent
	project   mailtext.Project
	action    action
	refName   string
	refType   string // "branch" or "tag"
	commits   []event.Commit
	count     int
	reverse   bool
	diffs     []event.Diff
	hasDiffs  bool // the diff is known (maybe empty)
	overflow  bool
	noDiffs   bool // disable_diffs
	tracker   *integration.IssueTracker
	targetURL string
}

// Settings are the service's properties, decoded by catalog.Decode.
type Settings struct {
	Recipients             string `field:"recipients"`
	DisableDiffs           bool   `field:"disable_diffs"`
	SendFromCommitterEmail bool   `field:"send_from_committer_email"`
}

// Build returns one mail per recipient for a push or tag push, none for
// other events, for a push that changes nothing, or when there are no
// recipients.
func Build(ev *event.Event, settings map[string]any, p integration.Project) ([]integration.Request, error) {
	if ev.Push == nil {
		return nil, nil
	}
	cfg, err := catalog.Decode[Settings]("emails-on-push", settings)
	if err != nil {
		return nil, err
	}
	recipients := mailtext.Recipients(cfg.Recipients, "")
	if len(recipients) == 0 {
		return nil, nil
	}
	m := newMessage(ev, p)
	if m == nil {
		return nil, nil
	}
	if m.noDiffs = cfg.DisableDiffs; m.noDiffs {
		m.diffs = nil
	}

	from, replyTo := p.Email.From, p.Email.ReplyTo
	if cfg.SendFromCommitterEmail && allowed(ev.Push.UserEmail, m.project.Host()) {
		from, replyTo = ev.Push.UserEmail, ev.Push.UserEmail
	}
	subject := m.subject()
	if p.Email.SubjectSuffix != "" {
		subject += " | " + p.Email.SubjectSuffix
	}
	text, html := m.text(), m.html()
	headers := m.project.Headers()
	if ev.Push.UserUsername != "" {
		headers = append(headers, [2]string{"X-GitLab-Author", ev.Push.UserUsername})
	}
	reqs := make([]integration.Request, len(recipients))
	for i, to := range recipients {
		reqs[i] = integration.Request{Mail: &integration.Mail{
			FromName: ev.Push.UserName, From: from, ReplyTo: replyTo, To: []string{to},
			Subject: subject, Header: headers, Text: text, HTML: html,
		}}
	}
	return reqs, nil
}

// newMessage works out what the push did; nil when there is nothing to
// mail (EmailsOnPushWorker: before equal to after, or a push whose
// comparison has no commits either way).
func newMessage(ev *event.Event, p integration.Project) *message {
	pe := ev.Push
	m := &message{ev: pe, project: mailtext.ProjectOf(pe.Project, p), refName: event.RefName(pe.Ref), refType: "branch",
		tracker: p.IssueTracker}
	if event.IsTagRef(pe.Ref) {
		m.refType = "tag"
	}
	switch {
	case pe.Before == pe.After:
		return nil
	case pe.Before == event.BlankSHA:
		m.action = create
		m.targetURL = m.project.WebURL + "/tree/" + m.refName
		return m
	case pe.After == event.BlankSHA:
		m.action = remove
		return m
	}
	m.commits, m.count = pe.Commits, max(pe.TotalCommitsCount, len(pe.Commits))
	if len(m.commits) == 0 {
		// Nothing new: a force push that removed commits, which only a
		// comparison the other way round (the GitLab source's) can list.
		if len(pe.DeletedCommits) == 0 {
			return nil
		}
		m.reverse, m.commits, m.count = true, pe.DeletedCommits, len(pe.DeletedCommits)
	}
	m.hasDiffs = pe.GlintDiffs != nil
	m.diffs, m.overflow = bound(pe.GlintDiffs, pe.GlintDiffsTruncated)
	switch {
	case m.count > 1 && m.reverse:
		m.targetURL = m.project.WebURL + "/compare/" + pe.After + "..." + pe.Before
	case m.count > 1:
		m.targetURL = m.project.WebURL + "/compare/" + pe.Before + "..." + pe.After
	default:
		m.targetURL = m.commits[0].URL
		if m.targetURL == "" {
			m.targetURL = m.project.WebURL + "/commit/" + m.commits[0].ID
		}
	}
	return m
}

// bound keeps the diffs when they are within the bounds; past them (or
// when the hook already stopped adding them) none are shown.
func bound(diffs []event.Diff, truncated bool) ([]event.Diff, bool) {
	if truncated || len(diffs) > maxFiles {
		return nil, true
	}
	lines := 0
	for _, d := range diffs {
		lines += strings.Count(strings.TrimSuffix(d.Diff, "\n"), "\n") + 1
	}
	if lines > maxLines {
		return nil, true
	}
	return diffs, false
}

// subject is RepositoryPush#subject.
func (m *message) subject() string {
	var b strings.Builder
	b.WriteString("[Git][" + m.project.FullPath + "]")
	switch m.action {
	case create:
		b.WriteString(" Pushed new " + m.refType + " " + m.refName)
		return b.String()
	case remove:
		b.WriteString(" Deleted " + m.refType + " " + m.refName)
		return b.String()
	}
	b.WriteString("[" + m.refName + "] ")
	title := mailtext.Title(m.commits[0])
	switch {
	case m.count > 1 && m.reverse:
		b.WriteString("Deleted " + strconv.Itoa(m.count) + " commits: " + title)
	case m.count > 1:
		b.WriteString(strconv.Itoa(m.count) + " commits: " + title)
	case m.reverse:
		b.WriteString("Deleted 1 commit: " + title)
	default:
		b.WriteString(title)
	}
	return b.String()
}

// actionName is RepositoryPush#action_name.
func (m *message) actionName() string {
	switch m.action {
	case create:
		return "pushed new"
	case remove:
		return "deleted"
	}
	return "pushed to"
}

// allowed reports whether an email address is in one of the domains of
// host (Notify's allowed domains): the host itself and each parent domain
// of more than one label.
func allowed(email, host string) bool {
	_, domain, ok := strings.Cut(strings.ToLower(email), "@")
	if !ok || domain == "" || host == "" {
		return false
	}
	for d := host; strings.Contains(d, "."); {
		if d == domain {
			return true
		}
		_, d, _ = strings.Cut(d, ".")
	}
	return false
}
