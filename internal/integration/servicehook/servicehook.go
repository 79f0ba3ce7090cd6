// Package servicehook is what GitLab 12.5's "service hook" services share
// (Buildkite, Drone CI, Jenkins CI, Jenkins CI (Deprecated), Packagist):
// the request WebHookService#execute makes for a ServiceHook, and the push
// data validations (ServicePushDataValidations) Drone CI and TeamCity
// apply before they trigger a build.
//
// The request (spec §0 and §18) is
//
//	POST <hook url>
//	Content-Type: application/json
//	X-Gitlab-Event: <hook name>   ("Service Hook" unless the service names it)
//	[Authorization: Basic base64(<user>:<password>)]
//
// with the event's payload as the body. Userinfo in the hook URL
// ("https://user:pass@host/...") is taken out of the URL and sent as Basic
// auth, each part unescaped as CGI.unescape does ("+" is a space, %XX a
// byte), a missing password being "". TLS verification follows the
// service's enable_ssl_verification where it has one; the others keep the
// ServiceHook column's default, verification on.
//
// Where glint differs from GitLab, and why:
//   - The body is the event's payload exactly as glint received it
//     (event.Event.Raw). GitLab re-encodes the same hash with to_json, so
//     only insignificant whitespace can differ.
//   - GitLab removes "<userinfo>@" from the whole URL string (gsub), so a
//     query that happens to contain the same text loses it too; glint
//     removes the userinfo from the authority only.
//   - A URL whose userinfo is empty ("https://@host/") is sent by GitLab as
//     is, without auth; glint drops the "@" as well, so that Go's HTTP
//     client does not turn the empty userinfo into an Authorization header.
//   - A URL GitLab's URI.parse refuses (bytes outside RFC 3986, a "%" not
//     followed by two hex digits) makes GitLab's worker raise; glint
//     refuses it with an error. So do URLs that are not http or https or
//     have no host. Errors never quote the URL: it may hold secrets.
//
// It knows events and the integration types; it must not import the API,
// the store or the delivery code.
package servicehook

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration"
)

// DefaultEvent is the X-Gitlab-Event of a service hook: the hook name
// "service_hook" singularized and titleized.
const DefaultEvent = "Service Hook"

// Hook is a service hook: where GitLab's ServiceHook row points and how
// it is called.
type Hook struct {
	// Service is the name that starts every error ("buildkite" gives
	// "buildkite: ...").
	Service string
	// URL is the hook URL as GitLab stores it; it may carry user:password@.
	URL string
	// Event is the X-Gitlab-Event value; "" means DefaultEvent.
	Event string
	// SkipVerify is set where the service's enable_ssl_verification is
	// false.
	SkipVerify bool
}

// Request is the one request WebHookService makes for the hook and the
// event: its payload POSTed to the hook URL (see the package comment).
func (h Hook) Request(ev *event.Event) ([]integration.Request, error) {
	if len(ev.Raw) == 0 {
		return nil, errors.New(h.Service + ": the event has no payload")
	}
	target, err := Parse(h.URL)
	if err != nil {
		return nil, errors.New(h.Service + ": the hook URL " + err.Error())
	}
	name := h.Event
	if name == "" {
		name = DefaultEvent
	}
	header := http.Header{
		"Content-Type":   {"application/json"},
		"X-Gitlab-Event": {name},
	}
	if target.HasAuth {
		header.Set("Authorization", integration.BasicAuth(target.User, target.Password))
	}
	return []integration.Request{{
		Method:             http.MethodPost,
		URL:                target.URL,
		Header:             header,
		Body:               append([]byte(nil), ev.Raw...),
		InsecureSkipVerify: h.SkipVerify,
	}}, nil
}

// Target is a hook URL taken apart as WebHookService does.
type Target struct {
	// URL is the hook URL without its userinfo, otherwise as given.
	URL string
	// HasAuth says the URL had a userinfo, sent as Basic auth.
	HasAuth bool
	// User and Password are the userinfo's parts, unescaped.
	User, Password string
	// Parsed is URL parsed.
	Parsed *url.URL
}

// The reasons Parse gives; they complete a sentence such as "the hook URL
// ..." and never quote the URL.
var (
	errChars  = errors.New("is not a valid URL (a character outside RFC 3986, or a % not followed by two hex digits)")
	errParse  = errors.New("is not a valid URL")
	errScheme = errors.New("is not an http or https URL")
	errHost   = errors.New("has no host")
)

// Parse checks a hook URL and takes its userinfo out (see Target). Its
// errors complete "<the URL> ..." and never quote the URL.
func Parse(raw string) (Target, error) {
	if !rfc3986(raw) {
		return Target{}, errChars
	}
	u, err := url.Parse(raw)
	if err != nil {
		return Target{}, errParse
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Opaque != "" {
		return Target{}, errScheme
	}
	if u.Hostname() == "" {
		return Target{}, errHost
	}
	// The authority is what follows "<scheme>://" up to the path, query
	// or fragment; the userinfo ends at its last "@", as net/url reads it.
	start := strings.Index(raw, "//") + 2
	end := len(raw)
	if i := strings.IndexAny(raw[start:], "/?#"); i >= 0 {
		end = start + i
	}
	at := strings.LastIndex(raw[start:end], "@")
	if at < 0 {
		return Target{URL: raw, Parsed: u}, nil
	}
	userinfo := raw[start : start+at]
	t := Target{URL: raw[:start] + raw[start+at+1:]}
	if t.Parsed, err = url.Parse(t.URL); err != nil {
		return Target{}, errParse
	}
	if userinfo == "" {
		return t, nil
	}
	user, password, _ := strings.Cut(userinfo, ":")
	if t.User, err = url.QueryUnescape(user); err != nil {
		return Target{}, errChars
	}
	if t.Password, err = url.QueryUnescape(password); err != nil {
		return Target{}, errChars
	}
	t.HasAuth = true
	return t, nil
}

// Base checks a URL setting a service builds its hook URL on by plain
// concatenation (Drone CI's drone_url, Packagist's server): an http or
// https URL with a host and neither query nor fragment, which the rest of
// the hook URL would otherwise land in. Its error starts with
// "<service>: <setting> " and does not quote the value.
func Base(service, setting, raw string) error {
	t, err := Parse(raw)
	if err == nil && (t.Parsed.RawQuery != "" || t.Parsed.ForceQuery || strings.Contains(raw, "#")) {
		err = errors.New("has a query or fragment, which the hook path would be appended to")
	}
	if err != nil {
		return errors.New(service + ": " + setting + " " + err.Error())
	}
	return nil
}

// rfc3986 reports whether s holds only the characters RFC 3986 allows in
// a URI, each "%" starting an escape, as Ruby's URI.parse demands.
func rfc3986(s string) bool { return integration.URIChars(s, ":/?#[]@!$&'()*+,;=") }

func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}

// QueryValueOK reports whether s can be put unescaped into a query
// string, as GitLab puts Drone's and Packagist's tokens, and be read back
// by the receiver as it is: not empty, and only unreserved characters and
// ! $ ' ( ) * , / : = ? @. Left out are what separates or ends a value
// (& ; #), what a receiver decodes (+ %), and what is no valid URL
// character at all (spaces, controls, non-ASCII, ...).
func QueryValueOK(s string) bool {
	return allowed(s, "!$'()*,/:=?@")
}

// PathSegmentOK reports whether s can be put unescaped into a URL path
// as one segment (Buildkite's webhook token) and stay that segment: not
// empty, and only unreserved characters and ! $ ' ( ) * , : = @.
func PathSegmentOK(s string) bool {
	return allowed(s, "!$'()*,:=@")
}

func allowed(s, extra string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) && strings.IndexByte(extra, s[i]) < 0 {
			return false
		}
	}
	return true
}

// EventHeader is the X-Gitlab-Event value of a hook name, as WebHookService
// makes it (hook_name.singularize.titleize): "push_hook" gives "Push Hook",
// "merge_request_hooks" gives "Merge Request Hook". Jenkins CI names its
// hook "<object_kind>_hook".
func EventHeader(hookName string) string {
	name := hookName
	if strings.HasSuffix(name, "_hooks") {
		name = strings.TrimSuffix(name, "s")
	}
	words := strings.Split(name, "_")
	for i, w := range words {
		if w != "" {
			words[i] = strings.ToUpper(w[:1]) + w[1:]
		}
	}
	return strings.Join(words, " ")
}

// AppendPath is Gitlab::Utils.append_path, which Bamboo and TeamCity
// build their URLs with: the root without its trailing slashes, one slash,
// the path without its leading ones.
func AppendPath(root, path string) string {
	return strings.TrimRight(root, "/") + "/" + strings.TrimLeft(path, "/")
}
