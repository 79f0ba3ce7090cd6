package slashcmd_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/glint-dev/glint/internal/gitlabapi"
	"github.com/glint-dev/glint/internal/gitlabapi/gitlabtest"
	"github.com/glint-dev/glint/internal/integration/integrationtest"
	"github.com/glint-dev/glint/internal/outbound"
	"github.com/glint-dev/glint/internal/slashcmd"
)

const (
	sourceToken = "glpat-s0urce-t0ken"
	projectPath = "demo-group/demo"
	// stableURL replaces the stand-in's address in the golden answers.
	stableURL = "https://gitlab.example.com"
)

// standIn is a stand-in GitLab with issues #1 (open, with an assignee, a
// milestone, labels and votes), #2 (closed), #3 (confidential), #4 to #9
// ("Write the docs, part 1" to 6) and, for
// deploy, environment staging deployed by job 10 of pipeline 7, whose
// manual job 11 deploys to production.
func standIn(t *testing.T) *gitlabtest.Server {
	g := gitlabtest.New(t, sourceToken, projectPath)
	g.AddIssue(gitlabtest.Issue{IID: 1, Title: "Flaky test in CI", Assignee: "Bob Builder", Milestone: "v1.0",
		Labels: []string{"bug", "ci"}, Upvotes: 3, Downvotes: 1, UserNotesCount: 4, AuthorUsername: "alice"})
	g.AddIssue(gitlabtest.Issue{IID: 2, Title: "Old flaky build", Closed: true})
	g.AddIssue(gitlabtest.Issue{IID: 3, Title: "Security hole", Confidential: true})
	for iid := int64(4); iid <= 9; iid++ {
		g.AddIssue(gitlabtest.Issue{IID: iid, Title: "Write the docs, part " + strconv.FormatInt(iid-3, 10)})
	}
	g.AddEnv(gitlabtest.Env{ID: 5, Name: "staging", LastJob: 10})
	g.AddEnv(gitlabtest.Env{ID: 6, Name: "review/empty"})
	g.AddJob(gitlabtest.Job{ID: 10, Name: "deploy-staging", Pipeline: 7, Status: "success", Environment: "staging"})
	g.AddJob(gitlabtest.Job{ID: 11, Name: "production", Pipeline: 7, Status: "manual", Environment: "production"})
	g.AddJob(gitlabtest.Job{ID: 12, Name: "stop-staging", Pipeline: 7, Status: "manual"})
	g.AddJob(gitlabtest.Job{ID: 13, Name: "production", Pipeline: 6, Status: "manual", Environment: "production"})
	return g
}

func client(g *gitlabtest.Server, token string) *gitlabapi.Client {
	return &gitlabapi.Client{BaseURL: g.URL, Token: token, Project: projectPath,
		HTTP: outbound.New(outbound.Options{AllowLocal: true, Timeout: 2 * time.Second})}
}

func run(t *testing.T, gl slashcmd.GitLab, text string, slack bool) (slashcmd.Response, error) {
	t.Helper()
	return slashcmd.Execute(context.Background(), gl, slashcmd.Request{Trigger: "/gitlab", Text: text, ProjectURL: projectURL, Slack: slack})
}

// goldenAnswer compares the answer, as the API writes it, with
// testdata/answers/<name>.json.
func goldenAnswer(t *testing.T, name, base string, r slashcmd.Response) {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		t.Fatal(err)
	}
	got := strings.ReplaceAll(b.String(), base, stableURL)
	integrationtest.Golden(t, filepath.Join("testdata", "answers", name+".json"), []byte(got))
}

func TestExecuteGolden(t *testing.T) {
	tests := []struct {
		golden, text string
		slack        bool
		// want are requests the stand-in must have received, in order.
		want []string
	}{
		{"issue-show", "issue show #1", false, []string{
			"GET /api/v4/projects/demo-group%2Fdemo/issues/1", "GET /api/v4/projects/demo-group%2Fdemo"}},
		{"issue-show-slack", "issue show 1", true, nil},
		{"issue-show-closed", "issue show 2", false, nil},
		{"issue-show-confidential", "issue show 3", false, nil},
		{"issue-show-not-found", "issue show 99", false, []string{"GET /api/v4/projects/demo-group%2Fdemo/issues/99"}},
		{"issue-show-iid-too-large", "issue show 99999999999999999999", false, nil},
		{"issue-new", "issue new Add a dark mode\nThe UI is too bright.\n\nPlease.\n\n", false, []string{
			"POST /api/v4/projects/demo-group%2Fdemo/issues description=The+UI+is+too+bright.%0A%0APlease.&title=Add+a+dark+mode",
			"GET /api/v4/projects/demo-group%2Fdemo"}},
		{"issue-new-slack", "issue create Add a dark mode", true, nil},
		{"issue-new-blank-title", "issue new  ", false, nil},
		{"issue-search-one", "issue search security", false, []string{
			"GET /api/v4/projects/demo-group%2Fdemo/issues?per_page=5&search=security"}},
		{"issue-search-several", "issue search flaky", false, nil},
		{"issue-search-first-five", "issue search docs", false, nil},
		{"issue-search-none", "issue search nothing like this", false, nil},
		{"issue-close", "issue close #1", false, []string{
			"GET /api/v4/projects/demo-group%2Fdemo/issues/1",
			"PUT /api/v4/projects/demo-group%2Fdemo/issues/1 state_event=close",
			"GET /api/v4/projects/demo-group%2Fdemo"}},
		{"issue-close-already", "issue close 2", false, nil},
		{"issue-close-not-found", "issue close 99", false, nil},
		{"issue-comment", "issue comment 1\n  Fixed by !12, see [the job](https://ci.example.com/1).  \n", true, []string{
			"GET /api/v4/projects/demo-group%2Fdemo/issues/1",
			"POST /api/v4/projects/demo-group%2Fdemo/issues/1/notes body=Fixed+by+%2112%2C+see+%5Bthe+job%5D%28https%3A%2F%2Fci.example.com%2F1%29.",
			"GET /api/v4/projects/demo-group%2Fdemo"}},
		{"issue-comment-blank", "issue comment 1", false, nil},
		{"issue-comment-not-found", "issue comment 99\nhello", false, nil},
		{"deploy", "deploy staging to production", false, []string{
			"GET /api/v4/projects/demo-group%2Fdemo/environments?name=staging",
			"GET /api/v4/projects/demo-group%2Fdemo/environments/5",
			"GET /api/v4/projects/demo-group%2Fdemo/deployments?environment=production&order_by=id&per_page=100&sort=desc&status=created",
			"POST /api/v4/projects/demo-group%2Fdemo/jobs/11/play "}},
		{"deploy-no-environment", "deploy nowhere to production", false, []string{
			"GET /api/v4/projects/demo-group%2Fdemo/environments?name=nowhere"}},
		{"deploy-environment-never-deployed", "deploy review/empty to production", false, nil},
		{"deploy-no-manual-action", "deploy staging to canary", false, nil},
		{"issue-move-not-held", "issue move 1 to other/project", false, []string{}},
		{"help", "help", false, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			g := standIn(t)
			resp, err := run(t, client(g, sourceToken), tt.text, tt.slack)
			if err != nil {
				t.Errorf("err %v", err)
			}
			if resp.Status != 200 {
				t.Errorf("status %d", resp.Status)
			}
			goldenAnswer(t, tt.golden, g.URL, resp)
			if tt.want != nil && !slices.Equal(g.Requests(), tt.want) {
				t.Errorf("requests\n%s\nwant\n%s", strings.Join(g.Requests(), "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestExecuteChangesGitLab checks what the commands did on the stand-in.
func TestExecuteChangesGitLab(t *testing.T) {
	g := standIn(t)
	gl := client(g, sourceToken)
	if _, err := run(t, gl, "issue new Add a dark mode\nThe UI is too bright.", false); err != nil {
		t.Fatal(err)
	}
	if i, ok := g.IssueNow(10); !ok || i.Title != "Add a dark mode" || i.Description != "The UI is too bright." {
		t.Errorf("issue #10 %+v %v", i, ok)
	}
	if _, err := run(t, gl, "issue close 1", false); err != nil {
		t.Fatal(err)
	}
	if i, _ := g.IssueNow(1); !i.Closed {
		t.Errorf("issue #1 is not closed")
	}
	if _, err := run(t, gl, "issue comment 1\nhello", false); err != nil {
		t.Fatal(err)
	}
	if i, _ := g.IssueNow(1); i.UserNotesCount != 5 {
		t.Errorf("issue #1 has %d notes, want 5", i.UserNotesCount)
	}
	if _, err := run(t, gl, "deploy staging to production", false); err != nil {
		t.Fatal(err)
	}
	if j := g.JobNow(11); j.Status != "pending" {
		t.Errorf("job 11 is %s, want pending (played)", j.Status)
	}
	if j := g.JobNow(13); j.Status != "manual" {
		t.Errorf("job 13 of another pipeline was played")
	}
}

// TestExecuteRemoteErrors: what GitLab answers as an error is worded as
// GitLab words it, never a failure of the answer.
func TestExecuteRemoteErrors(t *testing.T) {
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer slow.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	tooSlow := func(*gitlabtest.Server) *gitlabapi.Client {
		return &gitlabapi.Client{BaseURL: slow.URL, Token: sourceToken, Project: projectPath,
			HTTP: outbound.New(outbound.Options{AllowLocal: true, Timeout: 200 * time.Millisecond})}
	}
	refused := func(*gitlabtest.Server) *gitlabapi.Client {
		return &gitlabapi.Client{BaseURL: closed.URL, Token: sourceToken, Project: projectPath,
			HTTP: outbound.New(outbound.Options{AllowLocal: true})}
	}
	guarded := func(g *gitlabtest.Server) *gitlabapi.Client {
		// Local addresses refused, as without --allow-local-requests.
		return &gitlabapi.Client{BaseURL: g.URL, Token: sourceToken, Project: projectPath, HTTP: outbound.New(outbound.Options{})}
	}
	wrongToken := func(g *gitlabtest.Server) *gitlabapi.Client { return client(g, "wrong") }
	otherProject := func(g *gitlabtest.Server) *gitlabapi.Client {
		c := client(g, sourceToken)
		c.Project = "someone/else"
		return c
	}
	unreachable := "The action was not successful, because:\n- the project's GitLab could not be reached"
	tests := []struct {
		name, text string
		gl         func(*gitlabtest.Server) *gitlabapi.Client
		setup      func(*gitlabtest.Server)
		want       string
		wantErr    bool
	}{
		{"401 wrong token", "issue show 1", wrongToken, nil,
			"Whoops! This action is not allowed. This incident will be [reported](https://xkcd.com/838/).", true},
		{"403 on close", "issue close 1", nil, func(g *gitlabtest.Server) { g.Forbid("PUT /issues/1") },
			"Whoops! This action is not allowed. This incident will be [reported](https://xkcd.com/838/).", true},
		{"403 on comment", "issue comment 1\nhi", nil, func(g *gitlabtest.Server) { g.Forbid("POST /issues/1/notes") },
			"You are not allowed to perform the given chatops command.", false},
		{"403 on deploy", "deploy staging to production", nil, func(g *gitlabtest.Server) { g.Forbid("POST /jobs/11/play") },
			"Whoops! This action is not allowed. This incident will be [reported](https://xkcd.com/838/).", true},
		{"project not found", "issue search flaky", otherProject, nil,
			"404 not found! GitLab couldn't find what you were looking for! :boom:", false},
		{"500", "issue show 1", nil, func(g *gitlabtest.Server) { g.FailWith(500) },
			"The action was not successful, because:\n- the project's GitLab answered HTTP 500", true},
		{"refused", "issue new x", refused, nil, unreachable, true},
		{"timeout", "deploy staging to production", tooSlow, nil, unreachable, true},
		{"local address refused by the guard", "issue show 1", guarded, nil, unreachable, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := standIn(t)
			if tt.setup != nil {
				tt.setup(g)
			}
			gl := client(g, sourceToken)
			if tt.gl != nil {
				gl = tt.gl(g)
			}
			resp, err := run(t, gl, tt.text, false)
			if (err != nil) != tt.wantErr {
				t.Errorf("err %v, want one: %v", err, tt.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), sourceToken) {
				t.Errorf("the error names the token: %v", err)
			}
			if resp.ResponseType != slashcmd.Ephemeral || resp.Status != 200 || resp.Text != tt.want || resp.Attachments != nil {
				t.Errorf("answer %+v\nwant text %q", resp, tt.want)
			}
		})
	}
}
