package outbound

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// Override sends the calls meant for one origin to another: every HTTP
// request URL whose scheme and host (and port, the scheme's default when
// absent) are From's is sent to To's scheme, host and port instead, its
// user info, path, query and fragment kept byte for byte. It lets an
// operator put a relay or a self-hosted compatible server in place of a
// service's fixed endpoint (https://api.pushover.net, say), or a test
// server. The local-network policy applies to the rewritten URL.
type Override struct {
	From string // "https://api.pushover.net", as ParseOverride normalises it
	To   string // "http://127.0.0.1:4567"

	fromScheme, fromHost string // lower case, default port dropped
	toScheme, toHost     string
}

// ErrInvalidOverride is wrapped by ParseOverride's errors.
var ErrInvalidOverride = errors.New("invalid endpoint override")

// ParseOverride reads "FROM=TO", each an http or https origin:
// scheme://host[:port], with nothing after it but an optional "/".
func ParseOverride(s string) (Override, error) {
	from, to, ok := strings.Cut(strings.TrimSpace(s), "=")
	if !ok {
		return Override{}, fmt.Errorf("%w %q: want FROM=TO, e.g. https://api.pushover.net=http://127.0.0.1:4567", ErrInvalidOverride, s)
	}
	fs, fh, err := parseOrigin(from)
	if err != nil {
		return Override{}, fmt.Errorf("%w %q: FROM %v", ErrInvalidOverride, s, err)
	}
	ts, th, err := parseOrigin(to)
	if err != nil {
		return Override{}, fmt.Errorf("%w %q: TO %v", ErrInvalidOverride, s, err)
	}
	return Override{From: fs + "://" + fh, To: ts + "://" + th, fromScheme: fs, fromHost: fh, toScheme: ts, toHost: th}, nil
}

// ParseOverrides parses each of list (see ParseOverride), refusing two
// overrides of one origin.
func ParseOverrides(list []string) ([]Override, error) {
	var out []Override
	seen := map[string]bool{}
	for _, s := range list {
		o, err := ParseOverride(s)
		if err != nil {
			return nil, err
		}
		if seen[o.From] {
			return nil, fmt.Errorf("%w: %s is overridden twice", ErrInvalidOverride, o.From)
		}
		seen[o.From] = true
		out = append(out, o)
	}
	return out, nil
}

// compileOverrides copies list, parsing again any override not made by
// ParseOverride (a literal Override{From: ..., To: ...}).
func compileOverrides(list []Override) []Override {
	out := make([]Override, 0, len(list))
	for _, o := range list {
		if o.fromScheme == "" || o.toScheme == "" {
			parsed, err := ParseOverride(o.From + "=" + o.To)
			if err != nil {
				panic("outbound: " + err.Error())
			}
			o = parsed
		}
		out = append(out, o)
	}
	return out
}

// String is "FROM=TO".
func (o Override) String() string { return o.From + "=" + o.To }

// parseOrigin checks an origin and returns its scheme and host[:port] in
// lower case, without the scheme's default port.
func parseOrigin(raw string) (scheme, host string, err error) {
	raw = strings.TrimSpace(raw)
	u, perr := url.Parse(raw)
	switch {
	case perr != nil || u.Opaque != "":
		return "", "", errors.New("is not a URL")
	case u.Scheme != "http" && u.Scheme != "https":
		return "", "", errors.New("must be an http:// or https:// origin")
	case u.Host == "" || u.Hostname() == "":
		return "", "", errors.New("has no host")
	case u.User != nil:
		return "", "", errors.New("must not hold user info")
	case (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return "", "", errors.New("must be scheme://host[:port] only, without a path or query")
	}
	if p := u.Port(); p == "" && strings.HasSuffix(u.Host, ":") {
		return "", "", errors.New("has an empty port")
	}
	return u.Scheme, normalHost(u.Scheme, u.Host), nil
}

// normalHost is host[:port] in lower case, without scheme's default port.
func normalHost(scheme, hostport string) string {
	hostport = strings.ToLower(hostport)
	if h, p, err := net.SplitHostPort(hostport); err == nil && p == defaultPort(scheme) {
		if strings.Contains(h, ":") {
			return "[" + h + "]"
		}
		return h
	}
	return hostport
}

func defaultPort(scheme string) string {
	if scheme == "https" {
		return "443"
	}
	return "80"
}

// rewrite returns raw with the first matching override applied, and
// whether one was. raw is only cut at its authority, so that the rest is
// sent exactly as the integration wrote it; a URL no override matches, or
// one that is not an absolute http(s) URL, is returned as it is.
func rewrite(overrides []Override, raw string) (string, bool) {
	if len(overrides) == 0 {
		return raw, false
	}
	i := strings.Index(raw, "://")
	if i <= 0 {
		return raw, false
	}
	scheme := strings.ToLower(raw[:i])
	rest := raw[i+3:]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	authority, tail := rest[:end], rest[end:]
	userinfo, hostport := "", authority
	if at := strings.LastIndexByte(authority, '@'); at >= 0 {
		userinfo, hostport = authority[:at+1], authority[at+1:]
	}
	host := normalHost(scheme, hostport)
	for _, o := range overrides {
		if o.fromScheme == scheme && o.fromHost == host {
			return o.toScheme + "://" + userinfo + o.toHost + tail, true
		}
	}
	return raw, false
}

// rewriteRedirect applies the overrides to a redirect's next request, so
// that a hop back to an overridden origin goes where its first call went.
func rewriteRedirect(overrides []Override, req *http.Request) {
	if len(overrides) == 0 {
		return
	}
	to, ok := rewrite(overrides, req.URL.String())
	if !ok {
		return
	}
	u, err := url.Parse(to)
	if err != nil {
		return
	}
	req.URL = u
	req.Host = ""
}
