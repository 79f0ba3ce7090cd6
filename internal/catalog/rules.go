package catalog

import (
	"slices"
	"strings"
)

// Validation rules beyond a field's type, as GitLab's models have them or
// as the target's protocol needs them: a PUT breaking one is a 400 in
// GitLab's validation shape rather than a service that is saved and then
// fails every delivery. The settings package applies them to an active
// service.

// MaxTextLength is the longest text a service setting may hold, in
// characters, unless its Field says otherwise (GitLab's properties column
// has no limit; glint bounds it).
const MaxTextLength = 16 << 10

// MaxLen is the longest text the field may hold.
func (f Field) MaxLen() int {
	if f.MaxLength > 0 {
		return f.MaxLength
	}
	return MaxTextLength
}

// URIChars reports whether s is made only of RFC 3986's unreserved
// characters (A-Z a-z 0-9 - . _ ~), the delimiters given, and complete
// percent escapes: the check for a value put into a URL as it is, where
// GitLab concatenates without escaping.
func URIChars(s, delims string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', strings.IndexByte("-._~", c) >= 0,
			strings.IndexByte(delims, c) >= 0:
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			i += 2
		default:
			return false
		}
	}
	return true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// jenkinsProjectName: the name is put into the Jenkins URL as it is
// ("<jenkins_url>/project/<project_name>"), so it must be made of what a
// URL path may hold.
func jenkinsProjectName(v string) string {
	if !URIChars(v, "!$&'()*+,;=:@/") {
		return "can only contain characters allowed in a URL path"
	}
	return ""
}

// pushoverPriorities are the priorities GitLab's form offers; Pushover
// refuses others, and 2 (emergency) without the retry and expire
// parameters GitLab never sends.
var pushoverPriorities = []string{"-2", "-1", "0", "1"}

func pushoverPriority(v string) string {
	if !slices.Contains(pushoverPriorities, strings.TrimSpace(v)) {
		return "is not included in the list"
	}
	return ""
}

// irkerRecipients is GitLab's IrkerService validation: at least one
// recipient must make a channel.
func irkerRecipients(props map[string]any) map[string][]string {
	recipients, _ := props["recipients"].(string)
	var defaultURI *string
	if s, ok := props["default_irc_uri"].(string); ok {
		defaultURI = &s
	}
	if len(IrkerChannels(recipients, defaultURI)) == 0 {
		return map[string][]string{"recipients": {"are all invalid"}}
	}
	return nil
}

// portNumber: a TCP port.
func portNumber(v int64) string {
	if v < 1 || v > 65535 {
		return "must be between 1 and 65535"
	}
	return ""
}
