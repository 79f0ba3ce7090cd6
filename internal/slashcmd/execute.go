package slashcmd

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/glint-dev/glint/internal/gitlabapi"
)

// SearchLimit is how many issues "issue search" shows (GitLab's
// IssueCommand::QUERY_LIMIT).
const SearchLimit = 5

// GitLab is the project's GitLab source, as package gitlabapi calls it.
type GitLab interface {
	ProjectInfo(ctx context.Context) (*gitlabapi.Project, error)
	Issue(ctx context.Context, iid int64) (*gitlabapi.Issue, error)
	CreateIssue(ctx context.Context, title, description string) (*gitlabapi.Issue, error)
	SearchIssues(ctx context.Context, query string, limit int) ([]gitlabapi.Issue, error)
	CloseIssue(ctx context.Context, iid int64) (*gitlabapi.Issue, error)
	CreateNote(ctx context.Context, iid int64, body string) (*gitlabapi.Note, error)
	EnvironmentByName(ctx context.Context, name string) (*gitlabapi.Environment, error)
	Deployments(ctx context.Context, environment, status string) ([]gitlabapi.Deployment, error)
	PlayJob(ctx context.Context, id int64) (*gitlabapi.Job, error)
}

// Execute answers a slash command whose token was accepted, for a project
// with a GitLab source: issue show, new, search, close and comment and
// deploy are carried out on gl, as the source token's user; issue move and
// run are answered as Answer does, and so is anything else (GitLab's
// help). An error of the remote GitLab is answered with GitLab's text for
// it (not found, not allowed, the validation errors) or, when GitLab has
// none (unreachable, a 5xx), with GitLab's "not successful" header and the
// reason; err is then that error (not for a 404, 400 or 422: those are
// answers), for the caller to log. The answer is
// never a failure of its own: its status is always 200.
func Execute(ctx context.Context, gl GitLab, r Request) (resp Response, err error) {
	p, ok := Parse(r.Text)
	if !ok || !executable[p.Command.Name] {
		return Answer(r), nil
	}
	resp, err = execute(ctx, gl, p)
	if err != nil {
		resp = failure(err)
		// Not found and refused input are answers, not failures.
		if st := gitlabapi.StatusOf(err); st == http.StatusNotFound || st == http.StatusBadRequest || st == http.StatusUnprocessableEntity {
			err = nil
		}
	}
	if r.Slack {
		resp = SlackFormat(resp)
	}
	return resp, err
}

// executable are the commands carried out on the GitLab source.
var executable = map[string]bool{"issue show": true, "issue new": true, "issue search": true,
	"issue close": true, "issue comment": true, "deploy": true}

func execute(ctx context.Context, gl GitLab, p Parsed) (Response, error) {
	switch p.Command.Name {
	case "issue new":
		issue, err := gl.CreateIssue(ctx, p.Title, p.Description)
		if err != nil {
			return Response{}, err
		}
		return withProject(ctx, gl, func(proj *gitlabapi.Project) Response { return IssueNew(proj, issue) })
	case "issue search":
		issues, err := gl.SearchIssues(ctx, p.Query, SearchLimit)
		if err != nil {
			return Response{}, err
		}
		if len(issues) == 0 {
			return NotFound(), nil
		}
		return IssueSearch(issues), nil
	case "deploy":
		return deploy(ctx, gl, p.From, p.To)
	}
	// The issue commands on one issue: an iid too large for GitLab is no
	// issue of it.
	iid, perr := strconv.ParseInt(p.IID, 10, 64)
	if perr != nil {
		return NotFound(), nil
	}
	issue, err := gl.Issue(ctx, iid)
	if err != nil {
		return Response{}, err
	}
	switch p.Command.Name {
	case "issue close":
		if issue.Closed() {
			return AlreadyClosed(issue), nil
		}
		if issue, err = gl.CloseIssue(ctx, iid); err != nil {
			return Response{}, err
		}
		return withProject(ctx, gl, func(proj *gitlabapi.Project) Response { return IssueClose(proj, issue) })
	case "issue comment":
		note, err := gl.CreateNote(ctx, iid, p.Note)
		if gitlabapi.StatusOf(err) == http.StatusForbidden {
			return GenericAccessDenied(), nil
		}
		if err != nil {
			return Response{}, err
		}
		return withProject(ctx, gl, func(proj *gitlabapi.Project) Response { return IssueComment(proj, issue, note) })
	}
	return withProject(ctx, gl, func(proj *gitlabapi.Project) Response { return IssueShow(proj, issue) })
}

func withProject(ctx context.Context, gl GitLab, present func(*gitlabapi.Project) Response) (Response, error) {
	proj, err := gl.ProjectInfo(ctx)
	if err != nil {
		return Response{}, err
	}
	return present(proj), nil
}

// deploy is Gitlab::SlashCommands::Deploy through GitLab's API: the
// environment named from, the pipeline of its last deployment, and among
// that pipeline's manual jobs the ones that deploy to the environment to
// (its deployments still "created"); when there are several, the one
// named to. It is played, and the answer links to it.
func deploy(ctx context.Context, gl GitLab, from, to string) (Response, error) {
	env, err := gl.EnvironmentByName(ctx, from)
	if err != nil {
		return Response{}, err
	}
	if env == nil || env.LastDeployment == nil || env.LastDeployment.Deployable == nil ||
		env.LastDeployment.Deployable.Pipeline == nil {
		return DeployActionNotFound(), nil
	}
	last := env.LastDeployment.Deployable
	deps, err := gl.Deployments(ctx, to, "created")
	if err != nil {
		return Response{}, err
	}
	var actions []gitlabapi.Job
	seen := map[int64]bool{}
	for _, d := range deps {
		j := d.Deployable
		if j == nil || j.Pipeline == nil || j.Pipeline.ID != last.Pipeline.ID || j.Status != "manual" ||
			j.ID == last.ID || seen[j.ID] || (d.Environment != nil && d.Environment.Name != to) {
			continue
		}
		seen[j.ID] = true
		actions = append(actions, *j)
	}
	var action *gitlabapi.Job
	if len(actions) == 1 {
		action = &actions[0]
	}
	for k := range actions {
		if len(actions) > 1 && actions[k].Name == to {
			action = &actions[k]
			break
		}
	}
	if action == nil {
		return DeployActionNotFound(), nil
	}
	job, err := gl.PlayJob(ctx, action.ID)
	if err != nil {
		return Response{}, err
	}
	return Deploy(from, to, job.WebURL), nil
}

// failure is the answer to an error of the GitLab source.
func failure(err error) Response {
	var apiErr *gitlabapi.Error
	switch {
	case errors.As(err, &apiErr) && apiErr.Status == http.StatusNotFound:
		return NotFound()
	case errors.As(err, &apiErr) && (apiErr.Status == http.StatusUnauthorized || apiErr.Status == http.StatusForbidden):
		return AccessDenied()
	case errors.As(err, &apiErr) && apiErr.Status < 500 && len(apiErr.Messages) > 0:
		return NotSuccessful(apiErr.Messages)
	case errors.As(err, &apiErr):
		return NotSuccessful([]string{"the project's GitLab answered HTTP " + strconv.Itoa(apiErr.Status)})
	case errors.Is(err, gitlabapi.ErrMalformed):
		return NotSuccessful([]string{"the project's GitLab gave an answer glint cannot read"})
	}
	return NotSuccessful([]string{"the project's GitLab could not be reached"})
}
