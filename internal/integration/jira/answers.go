package jira

import (
	"encoding/json"
	"errors"
	"strings"
)

// The parsers below read Jira's answers whole (glint gives a follow-up the
// whole answer, up to 1 MiB) with encoding/json, into the shapes of Jira's
// REST API v2 (https://docs.atlassian.com/software/jira/docs/api/REST/8.5.1/).
// The server may not be Jira at all: an answer that is not JSON of the
// expected shape is an error, and ids and keys read from an answer are
// checked before they go into a request path.

var (
	errNotSearch = errors.New("jira: the answer to the issue search is not a Jira search result (is url/api_url the Jira base URL?)")
	errNotIssue  = errors.New("jira: the answer to an issue lookup is not a Jira issue (is url/api_url the Jira base URL?)")
	errNotLinks  = errors.New("jira: the answer to a remote link lookup is not a list of Jira remote links")
)

// issue is what GitLab reads of a Jira issue.
type issue struct {
	ID  string // the numeric id, "" when absent or not digits
	Key string // the key, "" when absent or no key
	// Resolved is whether fields.resolution is present (Ruby's present?).
	Resolved bool
	// Comments are the bodies of fields.comment.comments; CommentsComplete
	// is whether they are all of them: Jira lists fewer than its total
	// when it pages an issue's comments.
	Comments         []string
	CommentsComplete bool
}

// parseIssue reads a GET /rest/api/2/issue/<key> answer:
// {"id":"10000","key":"PROJ-1","fields":{"resolution":...,"comment":
// {"comments":[{"body":"..."}],"total":1}}}.
func parseIssue(answer []byte) (issue, error) {
	var doc *struct {
		ID     json.Number `json:"id"`
		Key    string      `json:"key"`
		Fields struct {
			Resolution any `json:"resolution"`
			Comment    struct {
				Comments []struct {
					Body string `json:"body"`
				} `json:"comments"`
				Total *int `json:"total"`
			} `json:"comment"`
		} `json:"fields"`
	}
	if json.Unmarshal(answer, &doc) != nil || doc == nil {
		return issue{}, errNotIssue
	}
	is := issue{ID: digits(doc.ID), Resolved: present(doc.Fields.Resolution)}
	if wholeKey.MatchString(doc.Key) {
		is.Key = doc.Key
	}
	for _, c := range doc.Fields.Comment.Comments {
		is.Comments = append(is.Comments, c.Body)
	}
	total := doc.Fields.Comment.Total
	is.CommentsComplete = total == nil || len(is.Comments) >= *total
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

// searchPage is one page of a GET /rest/api/2/search answer:
// {"startAt":0,"maxResults":50,"total":2,"issues":[{"id":"10000",
// "key":"PROJ-1",...},...]}.
type searchPage struct {
	// Keys are those of the issues listed, less any that is not a key.
	Keys []string
	// Listed is how many issues the page lists, Total how many match.
	Listed, Total int
}

// parseSearch reads a search answer.
func parseSearch(answer []byte) (searchPage, error) {
	var doc *struct {
		Total  int `json:"total"`
		Issues []struct {
			Key string `json:"key"`
		} `json:"issues"`
	}
	if json.Unmarshal(answer, &doc) != nil || doc == nil {
		return searchPage{}, errNotSearch
	}
	page := searchPage{Listed: len(doc.Issues), Total: doc.Total}
	for _, is := range doc.Issues {
		if wholeKey.MatchString(is.Key) {
			page.Keys = append(page.Keys, is.Key)
		}
	}
	return page, nil
}

// findLink reads a GET /rest/api/2/issue/<key>/remotelink answer
// ([{"id":10000,"object":{"url":"..."}},...]) and returns the id of the
// first link whose object.url is url, as GitLab's find_remote_link does.
func findLink(answer []byte, url string) (id string, found bool, err error) {
	var links *[]struct {
		ID     json.Number `json:"id"`
		Object struct {
			URL string `json:"url"`
		} `json:"object"`
	}
	if json.Unmarshal(answer, &links) != nil || links == nil {
		return "", false, errNotLinks
	}
	for _, l := range *links {
		if l.Object.URL != url {
			continue
		}
		if id := digits(l.ID); id != "" {
			return id, true, nil
		}
	}
	return "", false, nil
}

// digits is an id of 1 to 19 digits, or "": only such ids go into request
// paths.
func digits(n json.Number) string {
	s := n.String()
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
