package integration

import (
	"encoding/json"
	"net/http"
)

// Commit statuses in GitLab's vocabulary, as CI services answer
// commit_status(sha, ref). StatusError is GitLab's :error symbol: the CI
// could not be asked, or its answer could not be read.
const (
	StatusSuccess  = "success"
	StatusFailed   = "failed"
	StatusRunning  = "running"
	StatusPending  = "pending"
	StatusCanceled = "canceled"
	StatusSkipped  = "skipped"
	StatusError    = "error"
)

// Answer is what came back for a read-back request: an HTTP status, the
// headers and the body, or Err when no answer came at all (refused,
// timed out, TLS failure, blocked address).
type Answer struct {
	Status int
	Header http.Header
	Body   []byte
	Err    error
}

// JSONStatus is the "status" string of a 200 answer whose body is a JSON
// object (the CIs that answer JSON: Buildkite, Drone CI, MockCI); "" for
// any other answer, or a status that is not a string.
func (a Answer) JSONStatus() string {
	if a.Err != nil || a.Status != http.StatusOK {
		return ""
	}
	var body struct {
		Status any `json:"status"`
	}
	if json.Unmarshal(a.Body, &body) != nil {
		return ""
	}
	s, _ := body.Status.(string)
	return s
}

// CommitStatus is a CI's state for one commit, as glint's commit_status
// endpoint answers it.
type CommitStatus struct {
	Status    string `json:"status"`
	BuildPage string `json:"build_page"`
}

// StatusQuery is how one CI service is asked about one commit: the
// request to send, and the pure function that reads the answer. Read is
// given every answer, errors included, and never fails: what it cannot
// read is StatusError.
type StatusQuery struct {
	Request Request
	Read    func(Answer) CommitStatus
}

// StatusReader builds the StatusQuery of a service for a commit (sha) on
// a ref, from the service's resolved settings and the project. An error
// means the settings cannot make a request (a URL not set, say); the
// caller answers StatusError then, without a build page.
type StatusReader func(settings map[string]any, p Project, sha, ref string) (StatusQuery, error)

// TestQuery is the Test of a service that sends nothing on events, so
// that its Test cannot be a sample push (External Wiki, Prometheus): the
// request GitLab's test sends and how it reads the answer.
type TestQuery struct {
	Request Request
	Read    func(Answer) TestResult
}

// TestResult is GitLab's { success:, result: } of a Test.
type TestResult struct {
	Success bool
	Result  string
}

// Tester builds a service's TestQuery from its resolved settings.
type Tester func(settings map[string]any, p Project) (TestQuery, error)
