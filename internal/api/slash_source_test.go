package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/glint-dev/glint/internal/gitlabapi/gitlabtest"
	"github.com/glint-dev/glint/internal/settings"
	"github.com/glint-dev/glint/internal/store"
)

const sourceToken = "glpat-s0urce-t0ken-for-slash"

// slashSourceEnv is slashEnv on an engine, local requests allowed, with a
// stand-in GitLab for root/demo as the project's GitLab source: issues #1
// (open) and #2 (closed), environment staging deployed by job 10 of
// pipeline 7, whose manual job 11 deploys to production.
func slashSourceEnv(t *testing.T, eng engine) (*testEnv, int64, *gitlabtest.Server) {
	e := newTestEnvOn(t, eng, settings.Policy{AllowLocal: true})
	pid := e.project("demo")
	base := fmt.Sprintf("/api/v4/projects/%d/", pid)
	e.must(200, "PUT", base+"services/slack-slash-commands", e.root, map[string]any{"token": slackToken})
	e.must(200, "PUT", base+"services/mattermost-slash-commands", e.root, map[string]any{"token": mmToken})
	g := gitlabtest.New(t, sourceToken, "root/demo")
	g.AddIssue(gitlabtest.Issue{IID: 1, Title: "Flaky test in CI", Labels: []string{"bug"}, Upvotes: 2})
	g.AddIssue(gitlabtest.Issue{IID: 2, Title: "Old flaky build", Closed: true, Assignee: "Bob Builder"})
	g.AddEnv(gitlabtest.Env{ID: 5, Name: "staging", LastJob: 10})
	g.AddJob(gitlabtest.Job{ID: 10, Name: "deploy-staging", Pipeline: 7, Status: "success", Environment: "staging"})
	g.AddJob(gitlabtest.Job{ID: 11, Name: "production", Pipeline: 7, Status: "manual", Environment: "production"})
	e.must(200, "PUT", base+"gitlab_source", e.root, map[string]any{"url": g.URL, "token": sourceToken})
	return e, pid, g
}

// TestSlashOnGitLabSource: with a GitLab source, the commands are carried
// out on that GitLab with its token, answered as GitLab answers them, the
// same on both engines (one golden file per case for both).
func TestSlashOnGitLabSource(t *testing.T) {
	forEachEngine(t, func(t *testing.T, eng engine) {
		e, pid, g := slashSourceEnv(t, eng)
		for _, c := range []struct {
			golden, chat, text string
			// call is a request the stand-in must have received.
			call string
		}{
			{"show-found", "mattermost", "issue show #1", "GET /api/v4/projects/root%2Fdemo/issues/1"},
			{"show-not-found", "slack", "issue show 404", "GET /api/v4/projects/root%2Fdemo/issues/404"},
			{"new-with-description", "slack", "issue new Add a dark mode\nThe UI is too bright.",
				"POST /api/v4/projects/root%2Fdemo/issues description=The+UI+is+too+bright.&title=Add+a+dark+mode"},
			{"search-several", "mattermost", "issue search flaky", "GET /api/v4/projects/root%2Fdemo/issues?per_page=5&search=flaky"},
			{"search-none", "mattermost", "issue search nothing", "GET /api/v4/projects/root%2Fdemo/issues?per_page=5&search=nothing"},
			{"close", "mattermost", "issue close 1", "PUT /api/v4/projects/root%2Fdemo/issues/1 state_event=close"},
			{"comment", "slack", "issue comment 1\nFixed.", "POST /api/v4/projects/root%2Fdemo/issues/1/notes body=Fixed."},
			{"deploy-found", "mattermost", "deploy staging to production", "POST /api/v4/projects/root%2Fdemo/jobs/11/play "},
			{"deploy-no-environment", "mattermost", "deploy nowhere to production",
				"GET /api/v4/projects/root%2Fdemo/environments?name=nowhere"},
			{"deploy-no-manual-action", "slack", "deploy staging to canary",
				"GET /api/v4/projects/root%2Fdemo/deployments?environment=canary&order_by=id&per_page=100&sort=desc&status=created"},
			{"move-not-held", "mattermost", "issue move 1 to a/b", ""},
		} {
			t.Run(c.golden, func(t *testing.T) {
				token := map[string]string{"slack": slackToken, "mattermost": mmToken}[c.chat]
				before := len(g.Requests())
				r := e.trigger(triggerPath(pid, c.chat), command(token, c.text))
				if r.status != 200 || r.header.Get("Content-Type") != "application/json" {
					t.Fatalf("status %d %q: %s", r.status, r.header.Get("Content-Type"), r.body)
				}
				body := strings.ReplaceAll(string(r.body), g.URL, "https://gitlab.example.com")
				golden(t, filepath.Join("slash", c.golden+".json"), []byte(body))
				calls := g.Requests()[before:]
				if c.call != "" && !slices.Contains(calls, c.call) {
					t.Errorf("the stand-in GitLab got\n%s\nnot %s", strings.Join(calls, "\n"), c.call)
				}
				if c.call == "" && len(calls) != 0 {
					t.Errorf("calls to GitLab for a command glint does not carry out: %v", calls)
				}
			})
		}
		if i, _ := g.IssueNow(1); !i.Closed || i.UserNotesCount != 1 {
			t.Errorf("issue #1 on the stand-in: %+v", i)
		}
		if i, ok := g.IssueNow(3); !ok || i.Description != "The UI is too bright." {
			t.Errorf("new issue #3 on the stand-in: %+v", i)
		}
		if strings.Contains(e.logs.String(), sourceToken) {
			t.Error("the source token is in the logs")
		}
		m := string(e.must(200, "GET", "/metrics", "", nil).body)
		for _, want := range []string{
			`glint_slash_commands_total{command="deploy",outcome="answered",service="mattermost-slash-commands"} 2`,
			`glint_slash_commands_total{command="issue move",outcome="answered",service="mattermost-slash-commands"} 1`,
		} {
			if !strings.Contains(m, want) {
				t.Errorf("metrics lack %s", want)
			}
		}
	})
}

// TestSlashGitLabSourceFailures: errors of the remote GitLab are answers
// in GitLab's words, 200, never a 5xx; without a source, the explanation
// is back.
func TestSlashGitLabSourceFailures(t *testing.T) {
	forEachEngine(t, func(t *testing.T, eng engine) {
		e, pid, g := slashSourceEnv(t, eng)
		ask := func(text string) map[string]any {
			t.Helper()
			r := e.trigger(triggerPath(pid, "mattermost"), command(mmToken, text))
			if r.status != 200 {
				t.Fatalf("%q: status %d: %s", text, r.status, r.body)
			}
			return r.json(t)
		}
		g.FailWith(503)
		if got := ask("issue show 1")["text"]; got != "The action was not successful, because:\n- the project's GitLab answered HTTP 503" {
			t.Errorf("503: %q", got)
		}
		g.FailWith(0)
		base := fmt.Sprintf("/api/v4/projects/%d/gitlab_source", pid)
		e.must(200, "PUT", base, e.root, map[string]any{"url": g.URL, "token": "revoked-token"})
		if got := ask("issue close 1")["text"]; got != "Whoops! This action is not allowed. This incident will be [reported](https://xkcd.com/838/)." {
			t.Errorf("401: %q", got)
		}
		if !regexp.MustCompile(`"msg":"slash command: the GitLab source failed".*"request_id":"[^"]+"`).MatchString(e.logs.String()) ||
			strings.Contains(e.logs.String(), "revoked-token") {
			t.Errorf("logs: %s", e.logs.String())
		}
		url := g.URL
		g.Close()
		e.must(200, "PUT", base, e.root, map[string]any{"url": url, "token": sourceToken})
		if got := ask("deploy staging to production")["text"]; got != "The action was not successful, because:\n- the project's GitLab could not be reached" {
			t.Errorf("refused: %q", got)
		}
		e.must(204, "DELETE", base, e.root, nil)
		if got, _ := ask("issue show 1")["text"].(string); !strings.HasPrefix(got, "Sorry, `/gitlab issue show` is not available here") {
			t.Errorf("without a source: %q", got)
		}
		// A sealed token that does not open (say, its key is gone): an answer, and an error logged.
		if err := e.st.PutGitLabSource(context.Background(), &store.GitLabSource{ProjectID: pid, URL: url, SealedToken: "not-sealed"}); err != nil {
			t.Fatal(err)
		}
		if got := ask("issue search x")["text"]; got != "The action was not successful, because:\n- the project's GitLab source token cannot be opened" {
			t.Errorf("token not opened: %q", got)
		}
		if !strings.Contains(e.logs.String(), "cannot open the GitLab source's token") {
			t.Error("no error logged for a token that does not open")
		}
		m := string(e.must(200, "GET", "/metrics", "", nil).body)
		for _, want := range []string{
			`glint_slash_commands_total{command="issue search",outcome="source_failed",service="mattermost-slash-commands"} 1`,
			`glint_slash_commands_total{command="issue show",outcome="source_failed",service="mattermost-slash-commands"} 1`,
			`glint_slash_commands_total{command="issue close",outcome="source_failed",service="mattermost-slash-commands"} 1`,
			`glint_slash_commands_total{command="deploy",outcome="source_failed",service="mattermost-slash-commands"} 1`,
			`glint_slash_commands_total{command="issue show",outcome="no_source",service="mattermost-slash-commands"} 1`,
		} {
			if !strings.Contains(m, want) {
				t.Errorf("metrics lack %s", want)
			}
		}
	})
}

// TestSlashGitLabSourceNoRedirect: a source that redirects elsewhere does
// not get the token sent there; its 3xx is the answer.
func TestSlashGitLabSourceNoRedirect(t *testing.T) {
	e, pid, _ := slashSourceEnv(t, sqliteEngine())
	var leaked atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Private-Token") != "" {
			leaked.Add(1)
		}
		w.WriteHeader(200)
	}))
	defer other.Close()
	redirecting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusFound)
	}))
	defer redirecting.Close()
	e.must(200, "PUT", fmt.Sprintf("/api/v4/projects/%d/gitlab_source", pid), e.root, map[string]any{"url": redirecting.URL, "token": sourceToken})
	r := e.trigger(triggerPath(pid, "slack"), command(slackToken, "issue show 1"))
	if got := r.json(t)["text"]; r.status != 200 || got != "The action was not successful, because:\n- the project's GitLab answered HTTP 302" {
		t.Errorf("status %d text %q", r.status, got)
	}
	if leaked.Load() != 0 {
		t.Error("the source token followed the redirect")
	}
}
