// Package pivotaltracker builds the requests of GitLab 12.5's
// "PivotalTracker" service (PivotaltrackerService): Pivotal Tracker's
// source commits endpoint, which finds story references such as
// "[#123]" or "[fixes #123]" in the messages itself. For a push (object_kind
// "push"; tag pushes are not among the service's supported events) to an
// allowed branch it sends one request per commit of the payload, in the
// payload's order (at most the 20 newest, as the webhook carries them):
//
//	POST https://www.pivotaltracker.com/services/v5/source_commits
//	Content-Type: application/json
//	X-TrackerToken: <token>
//
//	{"source_commit":{"commit_id":<id>,"author":<author name>,"url":<commit url>,"message":<message>}}
//
// (https://www.pivotaltracker.com/help/api/rest/v5#Source_Commits). A push
// without commits sends nothing.
//
// The branch filter, re-checked in gitlabhq's
// app/models/project_services/pivotaltracker_service.rb (the 12.x version
// on Gitlab::HTTP; the key order above is its hash's): it applies only
// when restrict_to_branch is present (not blank); the setting is split on
// "," and each entry stripped of surrounding whitespace, and the branch
// (the ref without refs/heads/) must be present and equal to an entry.
//
// Where glint differs: GitLab posts every commit whatever the answers;
// glint sends the requests in order and an answer that is not 2xx stops
// the rest. A token that cannot be sent in a header (control characters)
// is refused rather than sent.
//
// It knows events and the integration types; it must not import the API,
// the store or the delivery code.
package pivotaltracker

import (
	"errors"
	"net/http"
	"strings"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration"
)

// Endpoint is Pivotal Tracker's source commits endpoint.
const Endpoint = "https://www.pivotaltracker.com/services/v5/source_commits"

var (
	errToken      = errors.New("pivotaltracker: the token is not set")
	errTokenChars = errors.New("pivotaltracker: the token has control characters and cannot be sent in a header")
)

// sourceCommit is the body Tracker takes; the keys are in GitLab's order.
type sourceCommit struct {
	SourceCommit commit `json:"source_commit"`
}

type commit struct {
	CommitID string `json:"commit_id"`
	Author   string `json:"author"`
	URL      string `json:"url"`
	Message  string `json:"message"`
}

// Settings are the service's properties, decoded by catalog.Decode.
type Settings struct {
	Token            string `field:"token"`
	RestrictToBranch string `field:"restrict_to_branch"`
}

// Build returns one request per commit of a push to an allowed branch,
// or nothing for other events. settings are the service's resolved
// properties.
func Build(ev *event.Event, settings map[string]any, _ integration.Project) ([]integration.Request, error) {
	if ev.Kind != event.Push || ev.Push == nil {
		return nil, nil
	}
	cfg, err := catalog.Decode[Settings]("pivotaltracker", settings)
	if err != nil {
		return nil, err
	}
	token := cfg.Token
	if token == "" {
		return nil, errToken
	}
	if strings.ContainsFunc(token, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return nil, errTokenChars
	}
	if !AllowedBranch(ev.Push.Ref, cfg.RestrictToBranch) {
		return nil, nil
	}
	var reqs []integration.Request
	for _, c := range ev.Push.Commits {
		body, err := integration.JSON(sourceCommit{commit{CommitID: c.ID, Author: c.Author.Name, URL: c.URL, Message: c.Message}})
		if err != nil {
			return nil, err
		}
		reqs = append(reqs, integration.Request{
			Method: http.MethodPost,
			URL:    Endpoint,
			// Net::HTTP writes header names capitalized as Go's canonical
			// form: "X-Trackertoken".
			Header: http.Header{"Content-Type": {"application/json"}, http.CanonicalHeaderKey("X-TrackerToken"): {token}},
			Body:   body,
		})
	}
	return reqs, nil
}

// AllowedBranch is GitLab's allowed_branch?: true when ref or restrict
// is blank; else the branch ref names must be non-blank and equal one of
// the comma-separated entries of restrict, each stripped as Ruby's strip
// does.
func AllowedBranch(ref, restrict string) bool {
	if blank(ref) || blank(restrict) {
		return true
	}
	branch := event.RefName(ref)
	if blank(branch) {
		return false
	}
	for entry := range strings.SplitSeq(restrict, ",") {
		if rubyStrip(entry) == branch {
			return true
		}
	}
	return false
}

// asciiSpace is Ruby's whitespace for strip and blank?.
const asciiSpace = " \t\n\v\f\r"

func blank(s string) bool { return strings.Trim(s, asciiSpace) == "" }

// rubyStrip is String#strip: leading whitespace, trailing whitespace and
// NULs.
func rubyStrip(s string) string {
	return strings.TrimRight(strings.TrimLeft(s, asciiSpace), asciiSpace+"\x00")
}
