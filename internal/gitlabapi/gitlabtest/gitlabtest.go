// Package gitlabtest is a stand-in GitLab API (v4) for tests: a real HTTP
// server on 127.0.0.1 serving one project's issues, notes, environments,
// deployments and jobs from memory, as GitLab answers them. It checks the
// PRIVATE-TOKEN header (401 otherwise) and the project path (404 for any
// other project), and records every request.
package gitlabtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Issue is a stand-in issue.
type Issue struct {
	IID            int64
	Title          string
	Description    string
	Closed         bool
	Confidential   bool
	Assignee       string
	Milestone      string
	Labels         []string
	Upvotes        int
	Downvotes      int
	UserNotesCount int
	// AuthorUsername is the author's; empty means the token's user.
	AuthorUsername string
}

// Env is a stand-in environment with its last deployment's job.
type Env struct {
	ID   int64
	Name string
	// LastJob is the job of its last deployment, 0 when none.
	LastJob int64
}

// Job is a stand-in job of a pipeline.
type Job struct {
	ID       int64
	Name     string
	Pipeline int64
	Status   string // "manual", "success", ...
	// Environment is where a manual job deploys, "" for none.
	Environment string
}

// Server is the stand-in GitLab.
type Server struct {
	*httptest.Server
	// Token is the PRIVATE-TOKEN it accepts.
	Token string
	// Project is the project's full path; Name its name_with_namespace.
	Project, Name string
	// User is the token's user (username).
	User string

	mu       sync.Mutex
	issues   map[int64]*Issue
	notes    int64
	envs     []Env
	jobs     map[int64]*Job
	requests []string
	// Fail, when set, answers every request with this status.
	fail int
	// Forbid answers 403 to the requests whose "METHOD path" it names.
	forbid map[string]bool
}

// New starts a stand-in GitLab for the project path, closed at the end of
// the test.
func New(t testing.TB, token, project string) *Server {
	s := &Server{Token: token, Project: project, Name: "Demo Group / Demo", User: "jane",
		issues: map[int64]*Issue{}, jobs: map[int64]*Job{}, forbid: map[string]bool{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// AddIssue adds an issue.
func (s *Server) AddIssue(i Issue) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.issues[i.IID] = &i
}

// AddEnv adds an environment.
func (s *Server) AddEnv(e Env) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.envs = append(s.envs, e)
}

// AddJob adds a job.
func (s *Server) AddJob(j Job) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.jobs[j.ID] = &j
}

// IssueNow returns a copy of an issue as it is now.
func (s *Server) IssueNow(iid int64) (Issue, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.issues[iid]
	if !ok {
		return Issue{}, false
	}
	return *i, true
}

// JobNow returns a copy of a job as it is now.
func (s *Server) JobNow(id int64) Job {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *s.jobs[id]
}

// FailWith makes every later request answer status (0: answer again).
func (s *Server) FailWith(status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = status
}

// Forbid makes the request "METHOD /path-after-the-project" answer 403.
func (s *Server) Forbid(call string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forbid[call] = true
}

// Requests are the requests received, "METHOD escaped-path?query [body]".
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

func (s *Server) userJSON(username string) map[string]any {
	return map[string]any{"id": 1, "name": strings.ToUpper(username[:1]) + username[1:] + " Doe", "username": username,
		"state": "active", "avatar_url": s.URL + "/uploads/-/system/user/avatar/1/avatar.png", "web_url": s.URL + "/" + username}
}

func (s *Server) projectURL() string { return s.URL + "/" + s.Project }

func (s *Server) issueJSON(i *Issue) map[string]any {
	state := "opened"
	if i.Closed {
		state = "closed"
	}
	author := i.AuthorUsername
	if author == "" {
		author = s.User
	}
	assignees := []any{}
	if i.Assignee != "" {
		assignees = append(assignees, map[string]any{"id": 2, "name": i.Assignee, "username": "a"})
	}
	var milestone any
	if i.Milestone != "" {
		milestone = map[string]any{"id": 3, "title": i.Milestone}
	}
	labels := append([]string{}, i.Labels...)
	return map[string]any{"id": 1000 + i.IID, "iid": i.IID, "project_id": 42, "title": i.Title, "description": i.Description,
		"state": state, "confidential": i.Confidential, "author": s.userJSON(author), "assignees": assignees,
		"milestone": milestone, "labels": labels, "upvotes": i.Upvotes, "downvotes": i.Downvotes,
		"user_notes_count": i.UserNotesCount, "web_url": s.projectURL() + "/issues/" + strconv.FormatInt(i.IID, 10)}
}

func (s *Server) jobJSON(j *Job) map[string]any {
	return map[string]any{"id": j.ID, "name": j.Name, "status": j.Status, "stage": "deploy",
		"pipeline": map[string]any{"id": j.Pipeline}, "web_url": s.projectURL() + "/-/jobs/" + strconv.FormatInt(j.ID, 10)}
}

func write(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	s.mu.Lock()
	defer s.mu.Unlock()
	line := r.Method + " " + r.URL.EscapedPath()
	if r.URL.RawQuery != "" {
		line += "?" + r.URL.RawQuery
	}
	if r.Method == http.MethodPost || r.Method == http.MethodPut {
		line += " " + r.PostForm.Encode()
	}
	s.requests = append(s.requests, line)
	if s.fail != 0 {
		write(w, s.fail, map[string]string{"message": http.StatusText(s.fail)})
		return
	}
	if r.Header.Get("Private-Token") != s.Token {
		write(w, 401, map[string]string{"message": "401 Unauthorized"})
		return
	}
	prefix := "/api/v4/projects/" + url.PathEscape(s.Project)
	path := r.URL.EscapedPath()
	if path != prefix && !strings.HasPrefix(path, prefix+"/") {
		write(w, 404, map[string]string{"message": "404 Project Not Found"})
		return
	}
	rest := strings.TrimPrefix(path, prefix)
	if s.forbid[r.Method+" "+rest] {
		write(w, 403, map[string]string{"message": "403 Forbidden"})
		return
	}
	parts := strings.Split(strings.Trim(rest, "/"), "/")
	switch {
	case r.Method == "GET" && rest == "":
		write(w, 200, map[string]any{"id": 42, "name_with_namespace": s.Name, "path_with_namespace": s.Project, "web_url": s.projectURL()})
	case r.Method == "GET" && rest == "/issues":
		s.search(w, r)
	case r.Method == "POST" && rest == "/issues":
		s.create(w, r)
	case len(parts) >= 2 && parts[0] == "issues":
		s.issue(w, r, parts[1:])
	case r.Method == "GET" && rest == "/environments":
		list := []any{}
		for _, e := range s.envs {
			if q := r.URL.Query().Get("name"); q == "" || q == e.Name {
				list = append(list, map[string]any{"id": e.ID, "name": e.Name, "slug": e.Name})
			}
		}
		write(w, 200, list)
	case r.Method == "GET" && len(parts) == 2 && parts[0] == "environments":
		s.environment(w, parts[1])
	case r.Method == "GET" && rest == "/deployments":
		s.deployments(w, r)
	case r.Method == "POST" && len(parts) == 3 && parts[0] == "jobs" && parts[2] == "play":
		id, _ := strconv.ParseInt(parts[1], 10, 64)
		j, ok := s.jobs[id]
		switch {
		case !ok:
			write(w, 404, map[string]string{"message": "404 Not found"})
		case j.Status != "manual":
			write(w, 400, map[string]string{"message": "400 (Bad request) \"Unplayable Job\" not given"})
		default:
			j.Status = "pending"
			write(w, 200, s.jobJSON(j))
		}
	default:
		write(w, 404, map[string]string{"error": "404 Not Found"})
	}
}

func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	per, _ := strconv.Atoi(q.Get("per_page"))
	if per <= 0 {
		per = 20
	}
	var iids []int64
	for iid, i := range s.issues {
		if strings.Contains(strings.ToLower(i.Title+" "+i.Description), strings.ToLower(q.Get("search"))) {
			iids = append(iids, iid)
		}
	}
	// Newest first, as GitLab's default order (created_at desc).
	sort.Slice(iids, func(a, b int) bool { return iids[a] > iids[b] })
	list := []any{}
	for k, iid := range iids {
		if k == per {
			break
		}
		list = append(list, s.issueJSON(s.issues[iid]))
	}
	write(w, 200, list)
}

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	title := r.PostForm.Get("title")
	if _, sent := r.PostForm["title"]; !sent {
		write(w, 400, map[string]string{"error": "title is missing"})
		return
	}
	if strings.TrimSpace(title) == "" {
		write(w, 400, map[string]any{"message": map[string][]string{"title": {"can't be blank"}}})
		return
	}
	var iid int64 = 1
	for k := range s.issues {
		iid = max(iid, k+1)
	}
	i := &Issue{IID: iid, Title: title, Description: r.PostForm.Get("description")}
	s.issues[iid] = i
	write(w, 201, s.issueJSON(i))
}

func (s *Server) issue(w http.ResponseWriter, r *http.Request, parts []string) {
	iid, _ := strconv.ParseInt(parts[0], 10, 64)
	i, ok := s.issues[iid]
	if !ok {
		write(w, 404, map[string]string{"message": "404 Not found"})
		return
	}
	switch {
	case r.Method == "GET" && len(parts) == 1:
		write(w, 200, s.issueJSON(i))
	case r.Method == "PUT" && len(parts) == 1:
		switch r.PostForm.Get("state_event") {
		case "close":
			i.Closed = true
		case "reopen":
			i.Closed = false
		}
		write(w, 200, s.issueJSON(i))
	case r.Method == "POST" && len(parts) == 2 && parts[1] == "notes":
		body := r.PostForm.Get("body")
		if strings.TrimSpace(body) == "" {
			write(w, 400, map[string]any{"message": map[string][]string{"note": {"can't be blank"}}})
			return
		}
		s.notes++
		i.UserNotesCount++
		write(w, 201, map[string]any{"id": 500 + s.notes, "body": body, "author": s.userJSON(s.User),
			"noteable_type": "Issue", "noteable_iid": i.IID})
	default:
		write(w, 404, map[string]string{"error": "404 Not Found"})
	}
}

func (s *Server) environment(w http.ResponseWriter, id string) {
	for _, e := range s.envs {
		if fmt.Sprint(e.ID) != id {
			continue
		}
		var last any
		if j, ok := s.jobs[e.LastJob]; ok {
			last = map[string]any{"id": 900 + j.ID, "status": "success", "deployable": s.jobJSON(j)}
		}
		write(w, 200, map[string]any{"id": e.ID, "name": e.Name, "last_deployment": last})
		return
	}
	write(w, 404, map[string]string{"message": "404 Not found"})
}

// deployments lists one deployment per job that deploys to the
// environment asked; a manual job's deployment is "created".
func (s *Server) deployments(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var ids []int64
	for id := range s.jobs {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(a, b int) bool { return ids[a] > ids[b] })
	list := []any{}
	for _, id := range ids {
		j := s.jobs[id]
		status := "success"
		if j.Status == "manual" {
			status = "created"
		}
		if j.Environment == "" || (q.Get("environment") != "" && q.Get("environment") != j.Environment) ||
			(q.Get("status") != "" && q.Get("status") != status) {
			continue
		}
		list = append(list, map[string]any{"id": 900 + j.ID, "status": status,
			"environment": map[string]any{"name": j.Environment}, "deployable": s.jobJSON(j)})
	}
	write(w, 200, list)
}
