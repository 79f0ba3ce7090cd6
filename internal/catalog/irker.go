package catalog

import (
	"net/url"
	"regexp"
)

// rubySpace is Ruby's \s: ASCII whitespace only.
var rubySpace = regexp.MustCompile(`[ \t\n\v\f\r]+`)

// IrkerChannels turns the recipients setting into channel URIs as GitLab's
// IrkerService does when it saves the service (spec §8):
//
//   - recipients are split on whitespace (Ruby's split(/\s+/): a leading
//     empty recipient is kept, trailing ones are not);
//   - a recipient that parses as an irc:// or ircs:// URI with a path is
//     kept as that URI;
//   - when that fails, or whenever defaultURI is not nil (even ""), the
//     recipient is resolved against the root of defaultURI (URI.join of
//     defaultURI, "/" and the recipient), and the result replaces the first
//     one if it is an irc(s) URI, or drops the recipient if it is not; a
//     join that cannot be made (no default, a relative default) keeps the
//     first result;
//   - invalid recipients are dropped.
//
// So with the default "irc://chat.freenode.net/", "#commits" gives
// "irc://chat.freenode.net/#commits", "chan" gives
// "irc://chat.freenode.net/chan", a full irc URI stays as it is and
// "ftp://bad" is dropped.
func IrkerChannels(recipients string, defaultURI *string) []string {
	parts := rubySpace.Split(recipients, -1)
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	var out []string
	for _, r := range parts {
		if c := ircChannel(r, defaultURI); c != "" {
			out = append(out, c)
		}
	}
	return out
}

func ircChannel(recipient string, defaultURI *string) string {
	uri := ircURI(recipient)
	if uri != "" && defaultURI == nil {
		return uri
	}
	if joined, ok := ircJoin(defaultURI, recipient); ok {
		uri = ircURI(joined)
	}
	return uri
}

// ircJoin resolves recipient against the root of defaultURI, as Ruby's
// URI.join(defaultURI, "/", recipient); ok is false where Ruby raises.
func ircJoin(defaultURI *string, recipient string) (string, bool) {
	if defaultURI == nil {
		return "", false
	}
	base, err := url.Parse(*defaultURI)
	if err != nil || !base.IsAbs() || base.Opaque != "" {
		return "", false
	}
	ref, err := url.Parse(recipient)
	if err != nil {
		return "", false
	}
	root := base.ResolveReference(&url.URL{Path: "/"})
	return root.ResolveReference(ref).String(), true
}

// ircURI returns raw as a URI if it is one GitLab accepts as a channel: a
// scheme of irc or ircs and a path (possibly empty, but not an opaque
// URI); "" otherwise.
func ircURI(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "irc" && u.Scheme != "ircs") || u.Opaque != "" {
		return ""
	}
	return u.String()
}
