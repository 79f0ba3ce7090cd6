// Package integration holds what every integration shares: the outbound
// request an integration asks for, the project facts it may use, and the
// signature of a builder. Integrations (one package each below this one)
// are pure functions from (event, settings, project) to requests; they know
// nothing of HTTP handlers, the queue or storage.
package integration

import "net/http"

// Request is one outbound call an integration wants made: an HTTP request,
// or, when TCP is set, a raw TCP write (irker's line protocol).
type Request struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte
	// InsecureSkipVerify is set only where the service's
	// enable_ssl_verification is false.
	InsecureSkipVerify bool
	// Then, when set, is asked, once this request has had a 2xx answer,
	// what to send next, given that answer's whole body (up to 1 MiB: a
	// longer answer ends the delivery for good, Then is not asked): the
	// requests it returns are sent right after this one, before the rest.
	// An error ends the delivery for good. Campfire needs it: its message
	// goes to the id of a room it first looks up by name; so does Jira,
	// whose lookups decide what is written. The walk is outbound.Walk.
	Then func(answer []byte) ([]Request, error)
	// TCP, when set, is a "host:port" address: Body is written to it as it
	// is over one TCP connection, which is then closed, and no answer is
	// read. Method, URL, Header and InsecureSkipVerify are not used then.
	TCP string
	// Mail, when set, is an email to send through the instance's SMTP
	// server (--smtp-host); Method, URL, Header, Body and
	// InsecureSkipVerify are not used then.
	Mail *Mail
	// NoRedirects returns a 3xx answer as it is instead of following it
	// (Prometheus' client sets follow_redirects: false).
	NoRedirects bool
	// Optional: a 404 answer to this request is no failure: what Then
	// would send is skipped and the delivery goes on with the rest (Asana
	// reads each task first and skips the tasks that do not exist).
	Optional bool
}

// Mail is one email: the message headers and its two parts. The envelope
// sender is From and the envelope recipients are To and Bcc.
type Mail struct {
	FromName string
	From     string
	// ReplyTo is empty when the mail has none.
	ReplyTo string
	To      []string
	Bcc     []string
	Subject string
	// Header are further headers (X-GitLab-*), in the order they are
	// written.
	Header [][2]string
	Text   string
	HTML   string
}

// Email is the instance's email settings (--email-from, --email-reply-to,
// --email-subject-suffix): the same for every project.
type Email struct {
	From          string
	ReplyTo       string
	SubjectSuffix string
}

// IssueTracker is a project's active external issue tracker (Bugzilla,
// Redmine, YouTrack, Custom Issue Tracker), for linking issue references.
type IssueTracker struct {
	// Title is the tracker's title, "Bugzilla" unless the service sets
	// another.
	Title string
	// IssuesURL is the issues_url setting, ":id" standing for the issue.
	IssuesURL string
	// LongOnly is true for trackers whose references are only of the
	// long form "ABC-123" (YouTrack), not "#123".
	LongOnly bool
}

// Project is what integrations know of the project an event belongs to.
type Project struct {
	ID            int64
	Name          string
	FullName      string // "Group / Project", as GitLab's full name
	FullPath      string // "group/project"
	WebURL        string // "https://glint.example.com/group/project"
	DefaultBranch string
	// ProtectedBranches are exact branch names (glint treats the default
	// branch as protected when none are configured).
	ProtectedBranches []string
	// Email is the instance's email settings, for the email services.
	Email Email
	// IssueTracker is the project's active external issue tracker, nil
	// when none; only filled for the integrations that link issues.
	IssueTracker *IssueTracker
}
