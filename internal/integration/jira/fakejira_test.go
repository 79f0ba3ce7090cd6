package jira_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/integrationtest"
)

// fakeJira answers as Jira Server's REST API v2 does, for the calls the
// service makes, and keeps the issues' comments, links and resolutions.
// It checks what Jira requires of a request: Basic auth, JSON bodies of
// the documented shape, a JSON Content-Type on writes.
type fakeJira struct {
	mu     sync.Mutex
	site   string // the base of "self" URLs
	auth   string
	issues []*fakeIssue
	nextID int
	// transitions are the valid transition ids; resolving is the one that
	// resolves the issue.
	transitions []string
	resolving   string
	// extra is padding for each comment, to make issue answers long.
	extra string
	// ghosts are keys the search finds but which are gone when looked up
	// (deleted in between).
	ghosts []string
	// commentPage, when set, is how many comments an issue lookup lists
	// (Jira pages them; total still counts them all).
	commentPage int
	// failComments is how many comment posts to answer 500 to.
	failComments int
}

// searchCap is the most issues a search page lists, whatever maxResults
// asks (jira.search.views.default.max is 50 on older servers).
const searchCap = 50

type fakeIssue struct {
	id, key    string
	resolution bool
	comments   []string
	links      []fakeLink
	moves      []string // transitions done
}

type fakeLink struct {
	id   int
	body map[string]any
}

const username, password = "gitlab", "s3cr3t-J1ra-p4ss"

func newFakeJira(keys ...string) *fakeJira {
	j := &fakeJira{site: site, auth: "Basic " + base64.StdEncoding.EncodeToString([]byte(username+":"+password)),
		nextID: 10100, transitions: []string{"11", "21", "31"}, resolving: "21"}
	for i, k := range keys {
		j.issues = append(j.issues, &fakeIssue{id: strconv.Itoa(10001 + i), key: k})
	}
	return j
}

func (j *fakeJira) issue(idOrKey string) *fakeIssue {
	for _, is := range j.issues {
		if is.id == idOrKey || is.key == idOrKey {
			return is
		}
	}
	return nil
}

var (
	jqlKeys  = regexp.MustCompile(`^key in \(("[A-Z][A-Z_0-9]+-[0-9]+"(,"[A-Z][A-Z_0-9]+-[0-9]+")*)\)$`)
	notFound = `{"errorMessages":["Issue does not exist or you do not have permission to see it."],"errors":{}}`
)

func jsonString(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// answer is Jira's answer to one request.
func (j *fakeJira) answer(r integrationtest.Request) (int, string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if r.Header.Get("Authorization") != j.auth {
		return http.StatusUnauthorized, `{"errorMessages":["You are not authenticated. Authentication required to perform this operation."],"errors":{}}`
	}
	if (r.Method == http.MethodPost || r.Method == http.MethodPut) && r.Header.Get("Content-Type") != "application/json" {
		return http.StatusUnsupportedMediaType, ""
	}
	rest, ok := strings.CutPrefix(r.Path, "/rest/api/2/")
	if !ok {
		return http.StatusNotFound, "<html>Not Found</html>"
	}
	q, err := url.ParseQuery(r.Query)
	if err != nil {
		return http.StatusBadRequest, ""
	}
	parts := strings.Split(rest, "/")
	switch {
	case r.Method == http.MethodGet && rest == "search":
		return j.search(q)
	case len(parts) < 2 || parts[0] != "issue":
		return http.StatusNotFound, ""
	}
	is := j.issue(parts[1])
	if is == nil {
		return http.StatusNotFound, notFound
	}
	switch {
	case r.Method == http.MethodGet && len(parts) == 2:
		return http.StatusOK, j.issueJSON(is, q.Get("fields"))
	case r.Method == http.MethodGet && len(parts) == 3 && parts[2] == "remotelink":
		var links []any
		for _, l := range is.links {
			m := map[string]any{"id": l.id, "self": fmt.Sprintf("%s/rest/api/2/issue/%s/remotelink/%d", j.site, is.key, l.id),
				"application": map[string]any{}}
			for k, v := range l.body {
				m[k] = v
			}
			links = append(links, m)
		}
		if links == nil {
			return http.StatusOK, "[]"
		}
		return http.StatusOK, jsonString(links)
	case r.Method == http.MethodPost && len(parts) == 3 && parts[2] == "remotelink":
		body, ok := remoteLinkBody(r.Body)
		if !ok {
			return http.StatusBadRequest, `{"errorMessages":[],"errors":{"object":"'object' is required."}}`
		}
		j.nextID++
		is.links = append(is.links, fakeLink{id: j.nextID, body: body})
		return http.StatusCreated, fmt.Sprintf(`{"id":%d,"self":"%s/rest/api/2/issue/%s/remotelink/%d"}`, j.nextID, j.site, is.key, j.nextID)
	case r.Method == http.MethodPut && len(parts) == 4 && parts[2] == "remotelink":
		body, ok := remoteLinkBody(r.Body)
		if !ok {
			return http.StatusBadRequest, ""
		}
		for i, l := range is.links {
			if strconv.Itoa(l.id) == parts[3] {
				is.links[i].body = body
				return http.StatusNoContent, ""
			}
		}
		return http.StatusNotFound, `{"errorMessages":["No remote link with the given id."],"errors":{}}`
	case r.Method == http.MethodPost && len(parts) == 3 && parts[2] == "comment":
		if j.failComments > 0 {
			j.failComments--
			return http.StatusInternalServerError, `{"errorMessages":["Internal server error"],"errors":{}}`
		}
		var c struct {
			Body *string `json:"body"`
		}
		if json.Unmarshal(r.Body, &c) != nil || c.Body == nil || *c.Body == "" {
			return http.StatusBadRequest, `{"errorMessages":[],"errors":{"comment":"Comment body can not be empty!"}}`
		}
		is.comments = append(is.comments, *c.Body)
		return http.StatusCreated, jsonString(map[string]any{"id": strconv.Itoa(j.nextID), "body": *c.Body})
	case r.Method == http.MethodPost && len(parts) == 3 && parts[2] == "transitions":
		var t struct {
			Transition struct {
				ID string `json:"id"`
			} `json:"transition"`
		}
		if json.Unmarshal(r.Body, &t) != nil || !slices.Contains(j.transitions, t.Transition.ID) {
			return http.StatusBadRequest, `{"errorMessages":["It seems that you have tried to perform a workflow operation that is not valid for the current state of this issue."],"errors":{}}`
		}
		is.moves = append(is.moves, t.Transition.ID)
		if t.Transition.ID == j.resolving {
			is.resolution = true
		}
		return http.StatusNoContent, ""
	}
	return http.StatusMethodNotAllowed, ""
}

// search answers GET /rest/api/2/search?jql=key in (...), a page of at
// most maxResults (capped at searchCap) issues from startAt.
func (j *fakeJira) search(q url.Values) (int, string) {
	m := jqlKeys.FindStringSubmatch(q.Get("jql"))
	if m == nil || q.Get("fields") != "key" {
		return http.StatusBadRequest, `{"errorMessages":["Error in the JQL Query."],"errors":{}}`
	}
	size, start := searchCap, 0
	if v := q.Get("maxResults"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return http.StatusBadRequest, ""
		}
		size = min(n, searchCap)
	}
	if v := q.Get("startAt"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return http.StatusBadRequest, ""
		}
		start = n
	}
	var found []any
	for _, k := range strings.Split(m[1], ",") {
		k = strings.Trim(k, `"`)
		is := j.issue(k)
		if slices.Contains(j.ghosts, k) {
			is = &fakeIssue{id: "10999", key: k}
		}
		if is == nil {
			// Jira refuses an unknown key unless the query is not validated.
			if q.Get("validateQuery") != "false" {
				return http.StatusBadRequest, `{"errorMessages":["An issue with key '` + k + `' does not exist for field 'key'."],"errors":{}}`
			}
			continue
		}
		found = append(found, map[string]any{"expand": "operations,versionedRepresentations,editmeta,changelog,renderedFields",
			"id": is.id, "self": j.site + "/rest/api/2/issue/" + is.id, "key": is.key, "fields": map[string]any{}})
	}
	page := found[min(start, len(found)):min(start+size, len(found))]
	if page == nil {
		page = []any{}
	}
	return http.StatusOK, jsonString(map[string]any{"expand": "schema,names", "startAt": start, "maxResults": searchCap, "total": len(found), "issues": page})
}

// issueJSON is an issue with the fields asked for (Jira's field order is
// its own; here comment comes before resolution when both are asked).
func (j *fakeJira) issueJSON(is *fakeIssue, fields string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"expand":"renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations","id":%q,"self":"%s/rest/api/2/issue/%s","key":%q,"fields":{`,
		is.id, j.site, is.id, is.key)
	var parts []string
	for _, f := range strings.Split(fields, ",") {
		switch f {
		case "comment":
			var cs []any
			listed := is.comments
			if j.commentPage > 0 {
				listed = listed[:min(len(listed), j.commentPage)]
			}
			for i, c := range listed {
				cs = append(cs, map[string]any{"self": fmt.Sprintf("%s/rest/api/2/issue/%s/comment/%d", j.site, is.id, 20000+i),
					"id": strconv.Itoa(20000 + i), "author": map[string]any{"name": "gitlab", "displayName": "GitLab" + j.extra}, "body": c})
			}
			if cs == nil {
				cs = []any{}
			}
			parts = append(parts, `"comment":`+jsonString(map[string]any{"comments": cs, "maxResults": len(cs), "total": len(is.comments), "startAt": 0}))
		case "resolution":
			res := "null"
			if is.resolution {
				res = fmt.Sprintf(`{"self":"%s/rest/api/2/resolution/10000","id":"10000","description":"Work has been completed on this issue.","name":"Done"}`, j.site)
			}
			parts = append(parts, `"resolution":`+res)
		}
	}
	b.WriteString(strings.Join(parts, ","))
	b.WriteString("}}")
	return b.String()
}

// remoteLinkBody checks a remote link as Jira needs it: an object with a
// url and a title.
func remoteLinkBody(body []byte) (map[string]any, bool) {
	var m map[string]any
	if json.Unmarshal(body, &m) != nil {
		return nil, false
	}
	o, _ := m["object"].(map[string]any)
	if u, _ := o["url"].(string); u == "" {
		return nil, false
	}
	if t, _ := o["title"].(string); t == "" {
		return nil, false
	}
	return m, true
}

// site is where the fake's issues live, as the service's settings name
// it; the requests for it are sent to the fake's server on 127.0.0.1.
const site = "https://jira.example.com"

// walk sends requests to j as the delivery code does, through the
// production client and its follow-up walk, to a server on 127.0.0.1 in
// place of the site, and returns what was sent. The walk must end without
// an error (a 4xx or 5xx answer ends it too).
func walk(t *testing.T, j *fakeJira, reqs []integration.Request) []integrationtest.Sent {
	t.Helper()
	sent, err := walkErr(t, j, reqs)
	if err != nil {
		t.Fatalf("after %v: %v", lines(sent), err)
	}
	return sent
}

// walkErr is walk, returning the walk's error.
func walkErr(t *testing.T, j *fakeJira, reqs []integration.Request) ([]integrationtest.Sent, error) {
	t.Helper()
	rec := integrationtest.RecordingServer(t)
	rec.Answer(j.answer)
	for _, r := range reqs {
		if !strings.HasPrefix(r.URL, site+"/") {
			t.Fatalf("%s is not on %s", r.URL, site)
		}
	}
	return integrationtest.Walk(t, integrationtest.Client(t, site+"="+rec.URL), reqs)
}

// lines summarises what was sent: "METHOD path?query [status]".
func lines(s []integrationtest.Sent) []string {
	out := make([]string, len(s))
	for i, x := range s {
		u, _ := url.Parse(x.Request.URL)
		line := x.Request.Method + " " + u.EscapedPath()
		if u.RawQuery != "" {
			q, _ := url.QueryUnescape(u.RawQuery)
			line += "?" + q
		}
		out[i] = fmt.Sprintf("%s [%d]", line, x.Status)
	}
	return out
}
