// Package integration holds what every integration shares: the outbound
// request an integration asks for, the project facts it may use, and the
// signature of a builder. Integrations (one package each below this one)
// are pure functions from (event, settings, project) to requests; they know
// nothing of HTTP handlers, the queue or storage.
package integration

import "net/http"

// Request is one outbound HTTP call an integration wants made.
type Request struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte
	// InsecureSkipVerify is set only where the service's
	// enable_ssl_verification is false.
	InsecureSkipVerify bool
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
