// Package mailtext holds what the two email services (Emails on push,
// Pipeline emails) share: recipient lists, the project GitLab names in
// its X-GitLab-* headers, and small text helpers. It knows event and
// integration only.
package mailtext

import (
	"html"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration"
)

// Recipients splits a recipients setting on whitespace and on the extra
// separators given (Pipeline emails also splits on commas), dropping blanks
// and repeats, in order.
func Recipients(s, extraSeparators string) []string {
	fields := strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f' || strings.ContainsRune(extraSeparators, r)
	})
	var out []string
	for _, f := range fields {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// Project is the project a mail names: the payload's "project" object,
// each blank part taken from glint's project as the chat messages do.
type Project struct {
	ID       int64
	Name     string
	FullName string // "Namespace / Name"
	FullPath string
	WebURL   string
}

// ProjectOf names the project of an event's payload, p filling the gaps.
func ProjectOf(payload event.Project, p integration.Project) Project {
	out := Project{ID: payload.ID, Name: payload.Name, FullPath: payload.PathWithNamespace, WebURL: payload.WebURL}
	if payload.Namespace != "" && payload.Name != "" {
		out.FullName = payload.Namespace + " / " + payload.Name
	}
	if out.ID == 0 {
		out.ID = p.ID
	}
	if out.Name == "" {
		out.Name = p.Name
	}
	if out.FullPath == "" {
		out.FullPath = p.FullPath
	}
	if out.WebURL == "" {
		out.WebURL = p.WebURL
	}
	if out.FullName == "" {
		out.FullName = p.FullName
	}
	if out.FullName == "" {
		out.FullName = out.FullPath
	}
	return out
}

// Headers are GitLab's X-GitLab-Project headers of a mail about the
// project, followed by more.
func (p Project) Headers(more ...[2]string) [][2]string {
	return append([][2]string{
		{"X-GitLab-Project", p.Name},
		{"X-GitLab-Project-Id", strconv.FormatInt(p.ID, 10)},
		{"X-GitLab-Project-Path", p.FullPath},
	}, more...)
}

// Host is the host name of the project's web URL: the GitLab (or git
// server) that sent the event.
func (p Project) Host() string {
	u, err := url.Parse(p.WebURL)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

// ShortSHA is a commit's short id, its first 8 characters as GitLab shows
// it.
func ShortSHA(sha string) string {
	if len(sha) > 8 {
		return sha[:8]
	}
	return sha
}

// Title is the first line of a commit message.
func Title(c event.Commit) string {
	if c.Title != "" {
		return c.Title
	}
	first, _, _ := strings.Cut(strings.TrimLeft(c.Message, "\n"), "\n")
	return strings.TrimRight(first, "\r")
}

// Escape escapes text for HTML.
func Escape(s string) string { return html.EscapeString(s) }

// Link is an HTML link to href showing text.
func Link(href, text string) string {
	return `<a href="` + Escape(href) + `">` + Escape(text) + `</a>`
}

// Page wraps an HTML body in the document the mails send.
func Page(title, body string) string {
	return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta content=\"text/html; charset=UTF-8\" http-equiv=\"Content-Type\">\n<title>" +
		Escape(title) + "</title>\n</head>\n<body>\n" + body + "</body>\n</html>\n"
}
