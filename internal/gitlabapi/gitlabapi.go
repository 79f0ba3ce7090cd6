// Package gitlabapi is the small part of GitLab's REST API (v4) that the
// slash commands call on a project's GitLab source: issues, notes,
// environments, deployments and playing a job. Every call goes through the
// guarded outbound client with the source's token in PRIVATE-TOKEN.
//
// An answer that is not 2xx is an *Error carrying the status and GitLab's
// message; a GitLab that cannot be reached is the client's error, wrapped
// in ErrUnreachable.
package gitlabapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/outbound"
)

// maxAnswer bounds an answer read from GitLab.
const maxAnswer = 1 << 20

// Reader sends one HTTP call and reads its answer in full (outbound.Client).
type Reader interface {
	Read(ctx context.Context, r integration.Request, limit int) (*outbound.Result, error)
}

// ErrUnreachable wraps a call that got no answer (refused, timeout, a
// local address the guard refused, an answer too long).
var ErrUnreachable = errors.New("GitLab could not be reached")

// ErrMalformed is an answer that is not the JSON expected.
var ErrMalformed = errors.New("GitLab's answer is not what was expected")

// Error is an answer of GitLab that is not 2xx.
type Error struct {
	Status int
	// Messages are GitLab's error messages, validation errors worded as
	// Rails' full messages ("Title can't be blank").
	Messages []string
}

func (e *Error) Error() string {
	if len(e.Messages) == 0 {
		return fmt.Sprintf("GitLab answered HTTP %d", e.Status)
	}
	return fmt.Sprintf("GitLab answered HTTP %d: %s", e.Status, strings.Join(e.Messages, "; "))
}

// StatusOf is the HTTP status of an *Error in err's chain, 0 if none.
func StatusOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

// Client calls one project of one GitLab.
type Client struct {
	// BaseURL is the GitLab's base URL, without a trailing slash.
	BaseURL string
	Token   string
	// Project is the project's numeric id or full path.
	Project string
	HTTP    Reader
}

// User is GitLab's basic user entity.
type User struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	Username  string `json:"username"`
	AvatarURL string `json:"avatar_url"`
	WebURL    string `json:"web_url"`
}

// Project is the part of GitLab's project entity used.
type Project struct {
	ID                int64  `json:"id"`
	NameWithNamespace string `json:"name_with_namespace"`
	WebURL            string `json:"web_url"`
}

// Issue is the part of GitLab's issue entity used.
type Issue struct {
	ID           int64    `json:"id"`
	IID          int64    `json:"iid"`
	Title        string   `json:"title"`
	State        string   `json:"state"`
	Confidential bool     `json:"confidential"`
	WebURL       string   `json:"web_url"`
	Author       User     `json:"author"`
	Assignees    []User   `json:"assignees"`
	Labels       []string `json:"labels"`
	Milestone    *struct {
		Title string `json:"title"`
	} `json:"milestone"`
	Upvotes        int `json:"upvotes"`
	Downvotes      int `json:"downvotes"`
	UserNotesCount int `json:"user_notes_count"`
}

// UnmarshalJSON reads labels as names, whether GitLab sends them as
// strings or, with with_labels_details, as objects.
func (i *Issue) UnmarshalJSON(b []byte) error {
	type plain Issue
	var v struct {
		plain
		Labels []json.RawMessage `json:"labels"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*i = Issue(v.plain)
	i.Labels = nil
	for _, raw := range v.Labels {
		var name string
		if json.Unmarshal(raw, &name) != nil {
			var obj struct {
				Name string `json:"name"`
			}
			if err := json.Unmarshal(raw, &obj); err != nil {
				return err
			}
			name = obj.Name
		}
		i.Labels = append(i.Labels, name)
	}
	return nil
}

// Closed says whether the issue is closed.
func (i *Issue) Closed() bool { return i.State == "closed" }

// Note is the part of GitLab's note entity used.
type Note struct {
	ID     int64  `json:"id"`
	Body   string `json:"body"`
	Author User   `json:"author"`
}

// Environment is the part of GitLab's environment entity used.
type Environment struct {
	ID             int64       `json:"id"`
	Name           string      `json:"name"`
	LastDeployment *Deployment `json:"last_deployment"`
}

// Deployment is the part of GitLab's deployment entity used.
type Deployment struct {
	ID          int64        `json:"id"`
	Status      string       `json:"status"`
	Environment *Environment `json:"environment"`
	Deployable  *Job         `json:"deployable"`
}

// Job is the part of GitLab's job entity used.
type Job struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Status   string `json:"status"`
	WebURL   string `json:"web_url"`
	Pipeline *struct {
		ID int64 `json:"id"`
	} `json:"pipeline"`
}

func (c *Client) projectPath(rest string) string {
	return c.BaseURL + "/api/v4/projects/" + url.PathEscape(c.Project) + rest
}

// call sends one request and decodes a 2xx answer into out.
func (c *Client) call(ctx context.Context, method, path string, form url.Values, out any) error {
	req := integration.Request{Method: method, URL: c.projectPath(path),
		Header: http.Header{"Private-Token": {c.Token}, "Accept": {"application/json"}}}
	if form != nil {
		req.Body = []byte(form.Encode())
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := c.HTTP.Read(ctx, req, maxAnswer)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUnreachable, err)
	}
	if res.Status < 200 || res.Status > 299 {
		return &Error{Status: res.Status, Messages: messages(res.Body)}
	}
	if err := json.Unmarshal(res.Body, out); err != nil {
		return fmt.Errorf("%w: %s %s", ErrMalformed, method, path)
	}
	return nil
}

// messages reads GitLab's error body: {"message": "..."},
// {"message": {"field": ["..."]}} (validation errors, worded as Rails'
// full messages, fields in name order) or Grape's {"error": "..."}.
func messages(body []byte) []string {
	var v struct {
		Message json.RawMessage `json:"message"`
		Error   string          `json:"error"`
	}
	if json.Unmarshal(body, &v) != nil {
		return nil
	}
	if v.Error != "" {
		return []string{v.Error}
	}
	var s string
	if json.Unmarshal(v.Message, &s) == nil && s != "" {
		return []string{s}
	}
	var fields map[string][]string
	if json.Unmarshal(v.Message, &fields) != nil {
		return nil
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []string
	for _, k := range keys {
		for _, m := range fields[k] {
			out = append(out, humanize(k)+" "+m)
		}
	}
	return out
}

// humanize words an attribute as Rails does: "due_date" is "Due date".
func humanize(attr string) string {
	s := strings.ReplaceAll(attr, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func iid(n int64) string { return strconv.FormatInt(n, 10) }

// ProjectInfo is GET /projects/:id.
func (c *Client) ProjectInfo(ctx context.Context) (*Project, error) {
	var p Project
	return &p, c.call(ctx, http.MethodGet, "", nil, &p)
}

// Issue is GET /projects/:id/issues/:iid.
func (c *Client) Issue(ctx context.Context, n int64) (*Issue, error) {
	var i Issue
	return &i, c.call(ctx, http.MethodGet, "/issues/"+iid(n), nil, &i)
}

// CreateIssue is POST /projects/:id/issues.
func (c *Client) CreateIssue(ctx context.Context, title, description string) (*Issue, error) {
	var i Issue
	return &i, c.call(ctx, http.MethodPost, "/issues", url.Values{"title": {title}, "description": {description}}, &i)
}

// SearchIssues is GET /projects/:id/issues?search=&per_page=limit.
func (c *Client) SearchIssues(ctx context.Context, query string, limit int) ([]Issue, error) {
	var list []Issue
	q := url.Values{"search": {query}, "per_page": {strconv.Itoa(limit)}}
	err := c.call(ctx, http.MethodGet, "/issues?"+q.Encode(), nil, &list)
	if len(list) > limit {
		list = list[:limit]
	}
	return list, err
}

// CloseIssue is PUT /projects/:id/issues/:iid with state_event=close.
func (c *Client) CloseIssue(ctx context.Context, n int64) (*Issue, error) {
	var i Issue
	return &i, c.call(ctx, http.MethodPut, "/issues/"+iid(n), url.Values{"state_event": {"close"}}, &i)
}

// CreateNote is POST /projects/:id/issues/:iid/notes.
func (c *Client) CreateNote(ctx context.Context, n int64, body string) (*Note, error) {
	var note Note
	return &note, c.call(ctx, http.MethodPost, "/issues/"+iid(n)+"/notes", url.Values{"body": {body}}, &note)
}

// EnvironmentByName is GET /projects/:id/environments?name=, then
// GET /projects/:id/environments/:environment_id for its last deployment;
// nil when the project has no environment of that name.
func (c *Client) EnvironmentByName(ctx context.Context, name string) (*Environment, error) {
	var list []Environment
	if err := c.call(ctx, http.MethodGet, "/environments?"+url.Values{"name": {name}}.Encode(), nil, &list); err != nil {
		return nil, err
	}
	for _, e := range list {
		if e.Name == name {
			var env Environment
			err := c.call(ctx, http.MethodGet, "/environments/"+iid(e.ID), nil, &env)
			return &env, err
		}
	}
	return nil, nil
}

// Deployments is GET /projects/:id/deployments?environment=&status=
// (newest first, up to 100): the deployments to an environment.
func (c *Client) Deployments(ctx context.Context, environment, status string) ([]Deployment, error) {
	q := url.Values{"environment": {environment}, "status": {status}, "order_by": {"id"}, "sort": {"desc"}, "per_page": {"100"}}
	var list []Deployment
	err := c.call(ctx, http.MethodGet, "/deployments?"+q.Encode(), nil, &list)
	return list, err
}

// PlayJob is POST /projects/:id/jobs/:job_id/play.
func (c *Client) PlayJob(ctx context.Context, id int64) (*Job, error) {
	var j Job
	return &j, c.call(ctx, http.MethodPost, "/jobs/"+iid(id)+"/play", nil, &j)
}
