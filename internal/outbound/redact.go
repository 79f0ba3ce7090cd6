package outbound

import (
	"errors"
	"net/url"
	"slices"
	"strings"
)

// Redact returns rawURL without the parts that may hold a secret: the
// userinfo, the query, the fragment, and the path beyond its first segment
// (Slack, Mattermost, Discord and Buildkite put the token in the path):
// "https://u:p@hooks.slack.com/services/T0/B0/XYZ?x=1" becomes
// "https://hooks.slack.com/services/…". A URL that does not parse gives
// "<invalid URL>".
func Redact(rawURL string) string {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil {
		return "<invalid URL>"
	}
	if u.Opaque != "" {
		return u.Scheme + ":…"
	}
	base := (&url.URL{Scheme: u.Scheme, Host: u.Host}).String()
	p := u.EscapedPath()
	rooted := strings.HasPrefix(p, "/")
	rest := strings.TrimPrefix(p, "/")
	if i := strings.IndexByte(rest, '/'); i >= 0 && i < len(rest)-1 {
		p = rest[:i] + "/…"
		if rooted {
			p = "/" + p
		}
	}
	return base + p
}

// Error is a failed outbound call. Its message names the method and the
// redacted request URL; Err is the cause (errors.Is sees through it, to
// netguard.ErrBlocked for instance).
type Error struct {
	Method string
	URL    string // as Redact gives it
	Err    error
}

func (e *Error) Error() string { return e.Method + " " + e.URL + ": " + e.Err.Error() }

func (e *Error) Unwrap() error { return e.Err }

// Timeout reports whether the call failed by running out of time.
func (e *Error) Timeout() bool {
	var t interface{ Timeout() bool }
	return errors.As(e.Err, &t) && t.Timeout()
}

// redactError turns an error from http.Client.Do into an *Error that
// carries no secret of rawURL. The *url.Error around it, which quotes the
// URL (password masked, but path and query whole), is replaced, and any
// secret part still quoted by the cause (a refused redirect's Location,
// say) is cut out of its message.
func redactError(method, rawURL string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return &Error{Method: method, URL: Redact(rawURL), Err: scrub(err, secretParts(rawURL))}
}

// secretParts lists the substrings of rawURL that Redact drops, in the
// forms an error message might quote them (escaped and unescaped).
func secretParts(rawURL string) []string {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil {
		return []string{rawURL}
	}
	var parts []string
	if u.User != nil {
		parts = append(parts, u.User.String(), u.User.Username())
		if pw, ok := u.User.Password(); ok {
			parts = append(parts, pw)
		}
	}
	parts = append(parts, u.RawQuery, u.Fragment)
	for _, vs := range u.Query() {
		parts = append(parts, vs...)
	}
	for _, p := range []string{u.EscapedPath(), u.Path} {
		rest := strings.TrimPrefix(p, "/")
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			parts = append(parts, rest[i+1:])
		}
	}
	// Very short parts would cut ordinary words out of messages, and
	// are no secret anyway.
	kept := parts[:0]
	for _, p := range parts {
		if len(p) >= 3 {
			kept = append(kept, p)
		}
	}
	// Longest first, so a part is cut whole before any part inside it.
	slices.SortFunc(kept, func(a, b string) int { return len(b) - len(a) })
	return kept
}

// scrub returns err, or, if its message quotes one of secrets, an error
// with those cut out that still unwraps to err.
func scrub(err error, secrets []string) error {
	msg := err.Error()
	clean := msg
	for _, s := range secrets {
		clean = strings.ReplaceAll(clean, s, "…")
	}
	if clean == msg {
		return err
	}
	return &scrubbed{msg: clean, err: err}
}

type scrubbed struct {
	msg string
	err error
}

func (s *scrubbed) Error() string { return s.msg }

func (s *scrubbed) Unwrap() error { return s.err }
