// Package flowdock builds the requests of GitLab 12.5's "Flowdock"
// service: GitLab's own copy of flowdock-git-hook (lib/flowdock/git.rb
// and git/builder.rb) on the flowdock gem, which posts one message per
// pushed commit to https://api.flowdock.com/v1/messages, a JSON thread
// activity carrying the flow token. Commits on one ref share a thread
// (external_thread_id is the ref), but for "permanent" refs (any ref
// matching refs/heads/master) each push starts a new thread.
//
// GitLab reads the commits between before and after from the repository;
// glint has no repository and takes the push payload's commits (the 20
// newest, oldest first). Flowdock takes pushes only (not tag pushes).
//
// It knows events and the integration types; it must not import the API,
// the store or the delivery code.
package flowdock

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration"
)

// URL is where the flowdock gem posts thread messages.
const URL = "https://api.flowdock.com/v1/messages"

// permanentRef is Flowdock::Git's DEFAULT_PERMANENT_REFS, a pattern
// matched anywhere in the full ref.
const permanentRef = "refs/heads/master"

var errToken = errors.New("flowdock: the token is not set")

// message is Flowdock::Git::Commit#to_hash with the flow token the gem
// adds last. Body is null for a one-line commit message.
type message struct {
	ExternalThreadID string   `json:"external_thread_id"`
	Event            string   `json:"event"`
	Author           author   `json:"author"`
	Title            string   `json:"title"`
	Thread           thread   `json:"thread"`
	Body             *string  `json:"body"`
	Tags             []string `json:"tags"`
	FlowToken        string   `json:"flow_token"`
}

type author struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

type thread struct {
	Title       string `json:"title"`
	ExternalURL string `json:"external_url"`
}

// Settings are the service's properties, decoded by catalog.Decode.
type Settings struct {
	Token string `field:"token"`
}

// Build returns one request per commit of a push, or nothing for other
// events and pushes without commits. settings are the service's resolved
// properties.
func Build(ev *event.Event, settings map[string]any, p integration.Project) ([]integration.Request, error) {
	if ev.Kind != event.Push || ev.Push == nil || len(ev.Push.Commits) == 0 {
		return nil, nil
	}
	cfg, err := catalog.Decode[Settings]("flowdock", settings)
	if err != nil {
		return nil, err
	}
	token := cfg.Token
	if token == "" {
		return nil, errToken
	}
	e := ev.Push
	permanent := strings.Contains(e.Ref, permanentRef)
	th := thread{Title: threadTitle(e.Ref, permanent), ExternalURL: p.WebURL}
	threadID := e.Ref
	if permanent {
		threadID = pushID(e)
	}
	reqs := make([]integration.Request, 0, len(e.Commits))
	for _, c := range e.Commits {
		r, err := integration.PostJSON(URL, message{
			ExternalThreadID: threadID,
			Event:            "activity",
			Author:           author{Name: c.Author.Name, Email: c.Author.Email},
			Title:            title(c.ID, p.WebURL+"/commit/"+c.ID, c.Message),
			Thread:           th,
			Body:             body(c.Message),
			Tags:             []string{},
			FlowToken:        token,
		})
		if err != nil {
			return nil, err
		}
		r[0].Header.Set("Accept", "application/json")
		reqs = append(reqs, r...)
	}
	return reqs, nil
}

// threadTitle is "<branch|tag> <short ref>", " updated" after it for a
// permanent ref. GitLab gives no repository name to put before it.
func threadTitle(ref string, permanent bool) string {
	kind := "tag"
	if strings.HasPrefix(ref, "refs/heads/") {
		kind = "branch"
	}
	t := kind + " " + event.RefName(ref)
	if permanent {
		t += " updated"
	}
	return t
}

// pushID stands for the random 32-hex-digit thread id GitLab draws for each
// push to a permanent ref: one id for all the commits of a push, another
// for the next push. glint derives it from the push so that Build stays a
// pure function and a retried delivery posts to the same thread.
func pushID(e *event.PushEvent) string {
	sum := sha256.Sum256([]byte(e.Ref + "\x00" + e.Before + "\x00" + e.After))
	return hex.EncodeToString(sum[:16])
}

// firstLine is the message up to its first line break (the whole message
// when it has none; "" when it starts with one).
func firstLine(msg string) string {
	line, _, _ := strings.Cut(msg, "\n")
	return line
}

// title is a link to the commit on its 7-character id, then the first line
// of its message, stripped and HTML-escaped as CGI.escape_html does.
func title(id, url, msg string) string {
	return `<a href="` + url + `">` + id[:min(len(id), 7)] + `</a> ` + escapeHTML(rubyStrip(firstLine(msg)))
}

// body is the rest of the message after its first line, stripped, in a
// <pre>; nil when nothing is left.
func body(msg string) *string {
	rest := rubyStrip(msg[len(firstLine(msg)):])
	if rest == "" {
		return nil
	}
	b := "<pre>" + rest + "</pre>"
	return &b
}

// rubyStrip is String#strip: whitespace and NUL off both ends.
func rubyStrip(s string) string { return strings.Trim(s, " \t\n\v\f\r\x00") }

// escapeHTML is CGI.escape_html: & < > " and ' as entities (html.EscapeString
// writes &#34; for '"').
var escapeHTML = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#39;").Replace
