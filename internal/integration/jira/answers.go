package jira

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
)

// The parsers below read Jira's answers as glint has them: the first
// 4 KiB, so possibly cut short, and from a server that may not be Jira at
// all. They read JSON as a stream and keep what they could read before
// the cut; an answer that is no JSON of the expected kind is an error.
// They never fail on what an answer holds, whatever its size or nesting.

var (
	errNotSearch = errors.New("jira: the answer to the issue search is not a Jira search result (is url/api_url the Jira base URL?)")
	errNotIssue  = errors.New("jira: the answer to an issue lookup is not a Jira issue (is url/api_url the Jira base URL?)")
	errNotLinks  = errors.New("jira: the answer to a remote link lookup is not a list of Jira remote links")
)

// issue is what GitLab reads of a Jira issue.
type issue struct {
	ID  string // the numeric id, "" when absent or not digits
	Key string // the key, "" when absent or no key
	// ResolutionKnown is whether fields.resolution was read (or the whole
	// answer was read and has none, which GitLab takes as unresolved);
	// Resolved is whether it is present (Ruby's present?).
	ResolutionKnown, Resolved bool
	// Comments are the bodies of fields.comment.comments that were read;
	// CommentsComplete is whether they are all of them.
	Comments         []string
	CommentsComplete bool
}

// parseIssue reads a GET /rest/api/2/issue/<key> answer:
// {"id":"10000","key":"PROJ-1","fields":{"resolution":...,"comment":
// {"comments":[{"body":"..."}],"total":1}}}.
func parseIssue(answer []byte) (issue, error) {
	var is issue
	dec := newDecoder(answer)
	if !openDelim(dec, '{') {
		return is, errNotIssue
	}
	sawResolution, sawComments, commentsRead := false, false, false
	total := -1
	done := walkObject(dec, func(name string) bool {
		switch name {
		case "id":
			is.ID = digits(readValue(dec))
		case "key":
			if k, ok := readValue(dec).(string); ok && wholeKey.MatchString(k) {
				is.Key = k
			}
		case "fields":
			if !openDelim(dec, '{') {
				return false
			}
			return walkObject(dec, func(name string) bool {
				switch name {
				case "resolution":
					v, ok := readValueOK(dec)
					if !ok {
						return false
					}
					sawResolution, is.Resolved = true, present(v)
				case "comment":
					if !openDelim(dec, '{') {
						return false
					}
					return walkObject(dec, func(name string) bool {
						switch name {
						case "comments":
							sawComments = true
							if !openDelim(dec, '[') {
								return false
							}
							for dec.More() {
								c, ok := readValueOK(dec)
								if !ok {
									return false
								}
								if m, ok := c.(map[string]any); ok {
									if body, ok := m["body"].(string); ok {
										is.Comments = append(is.Comments, body)
									}
								}
							}
							if !closeDelim(dec) {
								return false
							}
							commentsRead = true
						case "total":
							if n, ok := readValue(dec).(json.Number); ok {
								if v, err := n.Int64(); err == nil && v >= 0 {
									total = int(min(v, 1<<30))
								}
							}
						default:
							return skip(dec)
						}
						return true
					})
				default:
					return skip(dec)
				}
				return true
			})
		default:
			return skip(dec)
		}
		return true
	})
	// A whole answer without the field is an issue without it.
	is.ResolutionKnown = sawResolution || done
	is.CommentsComplete = (commentsRead && (total < 0 || len(is.Comments) >= total)) || (done && !sawComments)
	return is, nil
}

// hasComment is GitLab's comment_exists?: a comment whose body contains
// the text.
func (is issue) hasComment(text string) bool {
	for _, body := range is.Comments {
		if strings.Contains(body, text) {
			return true
		}
	}
	return false
}

// parseSearch reads the keys of the issues a GET /rest/api/2/search
// answer holds: {"issues":[{"id":"10000","key":"PROJ-1",...},...]}.
func parseSearch(answer []byte) ([]string, error) {
	dec := newDecoder(answer)
	if !openDelim(dec, '{') {
		return nil, errNotSearch
	}
	var keys []string
	walkObject(dec, func(name string) bool {
		if name != "issues" {
			return skip(dec)
		}
		if !openDelim(dec, '[') {
			return false
		}
		for dec.More() {
			v, ok := readValueOK(dec)
			if !ok {
				return false
			}
			if m, ok := v.(map[string]any); ok {
				if k, ok := m["key"].(string); ok && wholeKey.MatchString(k) {
					keys = append(keys, k)
				}
			}
		}
		return closeDelim(dec)
	})
	return keys, nil
}

// findLink reads a GET /rest/api/2/issue/<key>/remotelink answer
// ([{"id":10000,"object":{"url":"..."}},...]) and returns the id of the
// first link whose object.url is url, as GitLab's find_remote_link does.
// Links past the cut are not seen.
func findLink(answer []byte, url string) (id string, found bool, err error) {
	dec := newDecoder(answer)
	if !openDelim(dec, '[') {
		return "", false, errNotLinks
	}
	for dec.More() {
		v, ok := readValueOK(dec)
		if !ok {
			break
		}
		m, ok := v.(map[string]any)
		if !ok {
			continue
		}
		object, _ := m["object"].(map[string]any)
		if u, ok := object["url"].(string); !ok || u != url {
			continue
		}
		if id := digits(m["id"]); id != "" {
			return id, true, nil
		}
	}
	return "", false, nil
}

func newDecoder(answer []byte) *json.Decoder {
	dec := json.NewDecoder(bytes.NewReader(answer))
	dec.UseNumber()
	return dec
}

// openDelim reads the opening delimiter d.
func openDelim(dec *json.Decoder, d json.Delim) bool {
	t, err := dec.Token()
	return err == nil && t == d
}

// closeDelim reads the closing delimiter of the array or object whose
// members were all read.
func closeDelim(dec *json.Decoder) bool {
	_, err := dec.Token()
	return err == nil
}

// walkObject calls member for each member name of the object whose "{"
// was read; member reads the value and says whether to go on. It reports
// whether the whole object was read.
func walkObject(dec *json.Decoder, member func(name string) bool) bool {
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return false
		}
		name, ok := t.(string)
		if !ok || !member(name) {
			return false
		}
	}
	return closeDelim(dec)
}

// skip reads a value and forgets it.
func skip(dec *json.Decoder) bool {
	var raw json.RawMessage
	return dec.Decode(&raw) == nil
}

// readValueOK reads a value; ok is false when it could not be read.
func readValueOK(dec *json.Decoder) (v any, ok bool) {
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	return v, true
}

// readValue reads a value, nil when it could not be read.
func readValue(dec *json.Decoder) any {
	v, _ := readValueOK(dec)
	return v
}

// digits is an id given as a JSON number or string of 1 to 19 digits, or
// "": only such ids go into request paths.
func digits(v any) string {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = x.String()
	case string:
		s = x
	default:
		return ""
	}
	if s == "" || len(s) > 19 {
		return ""
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return ""
		}
	}
	return s
}

// present is Ruby's present? for a decoded JSON value.
func present(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return strings.TrimSpace(x) != ""
	case map[string]any:
		return len(x) > 0
	case []any:
		return len(x) > 0
	}
	return true // numbers
}
