package jira

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/glint-dev/glint/internal/integration"
)

// client is a configured Jira: where its REST API is and how to log in.
type client struct {
	// api is the client URL (api_url, or url when api_url is blank),
	// scheme, host and path, no trailing slash: requests go to
	// <api>/rest/api/2/...
	api   string
	auth  string // the Authorization header value
	icon  string // the icon URL of remote links
	ids   []string
	notes bool // comment_on_event_enabled
}

// The wire formats, as jira-ruby sends them (attrs.to_json). Field order
// is GitLab's hash order. REST API v2 reference:
// https://docs.atlassian.com/software/jira/docs/api/REST/8.5.1/
type (
	// remoteLink is POST /rest/api/2/issue/{id}/remotelink (and PUT
	// .../remotelink/{linkId}). GitLab spells the global id "GlobalID",
	// which Jira does not read as globalId: sent as GitLab sends it.
	remoteLink struct {
		GlobalID     string     `json:"GlobalID"`
		Relationship string     `json:"relationship"`
		Object       linkObject `json:"object"`
	}
	linkObject struct {
		URL    string     `json:"url"`
		Title  string     `json:"title"`
		Status linkStatus `json:"status"`
		Icon   linkIcon   `json:"icon"`
	}
	linkStatus struct {
		Resolved bool `json:"resolved"`
	}
	linkIcon struct {
		Title    string `json:"title"`
		URL16x16 string `json:"url16x16"`
	}
	// comment is POST /rest/api/2/issue/{id}/comment.
	comment struct {
		Body string `json:"body"`
	}
	// transition is POST /rest/api/2/issue/{id}/transitions.
	transition struct {
		Transition struct {
			ID string `json:"id"`
		} `json:"transition"`
	}
)

// maxSearchKeys is how many keys one search asks about: the search's URL
// then stays under 2 KB, well below the 8 KB request line Jira's Tomcat
// takes, and Jira Cloud lists up to 100 issues a page. Pushes that name
// more keys (rare) search again for the rest.
const maxSearchKeys = 100

// get is a GET of <api>/rest/api/2<path>.
func (c client) get(path string, then func([]byte) ([]integration.Request, error)) integration.Request {
	return integration.Request{
		Method: http.MethodGet,
		URL:    c.api + "/rest/api/2" + path,
		Header: c.header(false),
		Then:   then,
	}
}

// write is a POST or PUT of v to <api>/rest/api/2<path>. jira-ruby encodes
// bodies with Rails' to_json, which escapes <, >, & and U+2028/U+2029 as
// \u003c, \u003e, \u0026, \u2028, \u2029: so does encoding/json, which is
// why bodies are not written with integration.JSON.
func (c client) write(method, path string, v any) integration.Request {
	body, err := json.Marshal(v)
	if err != nil {
		panic(err) // the wire structs always encode
	}
	return integration.Request{Method: method, URL: c.api + "/rest/api/2" + path, Header: c.header(true), Body: body}
}

// header is what jira-ruby and GitLab's Jira HTTP client send: Basic auth,
// Accept: application/json, the OBBasicAuth cookie (use_cookies with
// additional_cookies), and a JSON Content-Type on writes. Session cookies
// Jira sets are not carried from one request to the next: glint sees only
// answer bodies.
func (c client) header(write bool) http.Header {
	h := http.Header{
		"Authorization": {c.auth},
		"Accept":        {"application/json"},
		"Cookie":        {"OBBasicAuth=fromDialog"},
	}
	if write {
		h["Content-Type"] = []string{"application/json"}
	}
	return h
}

// search asks which of keys exist, with a request Jira answers 200 even
// for keys that do not (validateQuery=false turns unknown keys into
// warnings), and then does the work of the existing ones. See the package
// doc for why glint asks first where GitLab does not. When Jira lists fewer issues than its total (it caps a
// page, at 50 by default), the next page, from startAt, follows this
// page's work.
func (c client) search(keys []string, work []action, startAt int) integration.Request {
	quoted := make([]string, len(keys))
	for i, k := range keys {
		quoted[i] = `"` + k + `"`
	}
	jql := "key in (" + strings.Join(quoted, ",") + ")"
	q := "?jql=" + strings.ReplaceAll(url.QueryEscape(jql), "+", "%20") + "&validateQuery=false&fields=key&maxResults=" + strconv.Itoa(len(keys))
	if startAt > 0 {
		q += "&startAt=" + strconv.Itoa(startAt)
	}
	return c.get("/search"+q, func(answer []byte) ([]integration.Request, error) {
		page, err := parseSearch(answer)
		if err != nil {
			return nil, err
		}
		var next []integration.Request
		for _, a := range work {
			if slices.Contains(page.Keys, a.key) {
				next = append(next, c.start(a))
			}
		}
		// No more issues match than keys were asked about, which bounds
		// the pages whatever the answer says.
		if seen := startAt + page.Listed; page.Listed > 0 && seen < min(page.Total, len(keys)) {
			next = append(next, c.search(keys, work, seen))
		}
		return next, nil
	})
}

// start is the first request of an action: GitLab's lookup of the issue
// (client.Issue.find). glint asks only for the fields GitLab reads: the
// comments for a mention, the resolution for a closing (a whole issue,
// with its description, history and custom fields, is many times larger
// and could pass the 1 MiB glint reads of an answer).
func (c client) start(a action) integration.Request {
	if a.close != nil {
		return c.get("/issue/"+a.key+"?fields=resolution", func(answer []byte) ([]integration.Request, error) {
			return c.transition(a, answer)
		})
	}
	return c.get("/issue/"+a.key+"?fields=comment", func(answer []byte) ([]integration.Request, error) {
		return c.mention(a, answer)
	})
}

// mention is what follows the issue lookup of a cross reference
// (JiraService#create_cross_reference_note and #add_comment): nothing when
// a comment already holds the text, else the remote link lookup, whose
// answer decides between updating the link and adding one, then the
// comment.
func (c client) mention(a action, answer []byte) ([]integration.Request, error) {
	is, err := parseIssue(answer)
	if err != nil {
		return nil, err
	}
	m := a.mention
	text := m.comment()
	if is.hasComment(text) {
		return nil, nil
	}
	key, id := is.paths(a.key)
	link := remoteLink{GlobalID: "GitLab", Relationship: "mentioned on", Object: linkObject{
		URL: m.url, Title: m.linkTitle(), Status: linkStatus{Resolved: false}, Icon: linkIcon{Title: "GitLab", URL16x16: c.icon},
	}}
	return []integration.Request{c.get("/issue/"+key+"/remotelink", func(answer []byte) ([]integration.Request, error) {
		linkID, found, err := findLink(answer, m.url)
		if err != nil {
			return nil, err
		}
		// GitLab adds the link and the comment together. A link to this
		// commit or merge request, when Jira did not list all the
		// comments, says the comment was made: not made again.
		if found && c.notes && !is.CommentsComplete {
			return nil, nil
		}
		return c.send(id, linkID, found, link, text), nil
	})}, nil
}

// transition is what follows the issue lookup of a closing
// (JiraService#close_issue): nothing when the issue has a resolution, else
// each transition in order, then the issue again, whose answer decides
// whether the issue is solved.
func (c client) transition(a action, answer []byte) ([]integration.Request, error) {
	is, err := parseIssue(answer)
	if err != nil {
		return nil, err
	}
	if is.Resolved {
		return nil, nil
	}
	key, id := is.paths(a.key)
	var next []integration.Request
	for _, t := range c.ids {
		var body transition
		body.Transition.ID = t
		next = append(next, c.write(http.MethodPost, "/issue/"+id+"/transitions", body))
	}
	// GitLab finds the issue again by the key Jira gave it.
	return append(next, c.get("/issue/"+key+"?fields=resolution", func(answer []byte) ([]integration.Request, error) {
		return c.solved(a, answer)
	})), nil
}

// solved is what follows the second lookup of a closing
// (add_issue_solved_comment): when the issue now has a resolution, the
// remote link to the commit, marked resolved, and the comment.
func (c client) solved(a action, answer []byte) ([]integration.Request, error) {
	is, err := parseIssue(answer)
	if err != nil {
		return nil, err
	}
	if !is.Resolved {
		return nil, nil
	}
	key, id := is.paths(a.key)
	cl := a.close
	text := "Issue solved with [" + cl.sha + "|" + cl.url + "]."
	link := remoteLink{GlobalID: "GitLab", Relationship: "mentioned on", Object: linkObject{
		URL: cl.url, Title: "Solved by commit " + cl.sha + ".", Status: linkStatus{Resolved: true}, Icon: linkIcon{Title: "GitLab", URL16x16: c.icon},
	}}
	return []integration.Request{c.get("/issue/"+key+"/remotelink", func(answer []byte) ([]integration.Request, error) {
		linkID, found, err := findLink(answer, cl.url)
		if err != nil {
			return nil, err
		}
		return c.send(id, linkID, found, link, text), nil
	})}, nil
}

// send is GitLab's send_message: the remote link saved (PUT when one with
// this URL exists, else POST), then the comment unless comments are off.
func (c client) send(id, linkID string, found bool, link remoteLink, text string) []integration.Request {
	save := c.write(http.MethodPost, "/issue/"+id+"/remotelink", link)
	if found {
		save = c.write(http.MethodPut, "/issue/"+id+"/remotelink/"+linkID, link)
	}
	reqs := []integration.Request{save}
	if c.notes {
		reqs = append(reqs, c.write(http.MethodPost, "/issue/"+id+"/comment", comment{Body: text}))
	}
	return reqs
}

// paths are the key and the id the requests about an issue use, as
// jira-ruby does: lookups by the issue's key, writes under its numeric id
// (a resource nested in an issue is addressed by the issue's "id"). Each
// falls back on the key mentioned when the answer lacks it.
func (is issue) paths(mentioned string) (key, id string) {
	key, id = is.Key, is.ID
	if key == "" {
		key = mentioned
	}
	if id == "" {
		id = key
	}
	return key, id
}
