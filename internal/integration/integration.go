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
	// what to send next, given that answer's body (the first 4 KiB): the
	// requests it returns are sent right after this one, before the rest.
	// An error ends the delivery for good. Campfire needs it: its message
	// goes to the id of a room it first looks up by name.
	Then func(answer []byte) ([]Request, error)
	// TCP, when set, is a "host:port" address: Body is written to it as it
	// is over one TCP connection, which is then closed, and no answer is
	// read. Method, URL, Header and InsecureSkipVerify are not used then.
	TCP string
	// NoRedirects returns a 3xx answer as it is instead of following it
	// (Prometheus' client sets follow_redirects: false).
	NoRedirects bool
	// Optional: a 404 answer to this request is no failure: what Then
	// would send is skipped and the delivery goes on with the rest (Asana
	// reads each task first and skips the tasks that do not exist).
	Optional bool
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
}
