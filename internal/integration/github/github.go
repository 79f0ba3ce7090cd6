// Package github builds the request of GitLab 12.5's "GitHub" service
// (EE's GithubService with static_context): it reports each pipeline's
// status to GitHub as a commit status of the pipeline's sha, through the
// Octokit gem's create_status.
//
// It takes pipeline events only. Each one whose status GitLab maps to a
// GitHub state sends
//
//	POST <api>/repos/<owner>/<repo>/statuses/<sha>
//	Authorization: token <token>
//	Accept: application/vnd.github.v3+json
//	Content-Type: application/json
//
//	{"context":..., "description":..., "target_url":..., "state":...}
//
// where:
//   - <api> is https://api.github.com when the repository URL's host is
//     github.com, else <scheme>://<host>/api/v3 (GitHub Enterprise);
//     <owner> and <repo> are the first two segments of its path, the repo
//     without a trailing ".git";
//   - state: created, pending, running, manual → "pending"; success,
//     skipped → "success"; failed → "failure"; canceled → "error"; any
//     other status sends nothing (GitLab would post a null state, which
//     GitHub presumably refuses with 422; not confirmed);
//   - context: "ci/gitlab/<gitlab host>" when static_context is set (the
//     host, without port, of the project web URL the payload names, that
//     is the sending GitLab's Gitlab.config.gitlab.host; glint's own
//     project URL only when the payload names none), else
//     "ci/gitlab/<pipeline ref>";
//     description: "Pipeline <detailed_status> on GitLab". Both are cut as
//     ActiveSupport's String#truncate does: longer than 255 (140)
//     characters, they keep the first 252 (137) and end in "...";
//   - target_url: <project web URL>/pipelines/<pipeline id>, GitLab
//     12.5's project_pipeline_url on the sending GitLab (the payload's
//     project web_url): glint has no pipeline pages.
//
// Facts re-checked in gitlabhq/gitlabhq (ee/app/models/project_services/
// github_service.rb with static_context and irrelevant_result?,
// github_service/status_message.rb, status_notifier.rb,
// remote_project.rb) and in octokit/octokit.rb: create_status merges
// {state: state} into the options GitLab passes (context, description,
// target_url), so state is the last key, the order glint writes (GitHub
// does not care); Octokit's connection sends "Authorization: token
// <token>", Accept application/vnd.github.v3+json and Content-Type
// application/json. Octokit's User-Agent ("Octokit Ruby Gem ...") is not
// copied: glint's delivery sends its own, which GitHub requires.
//
// Where glint differs:
//   - GitLab skips a pipeline that is not an external pull request
//     pipeline when one exists for the same sha; glint knows no pipelines,
//     so it treats that as "none exists" and reports every pipeline;
//   - GitLab strips the first ".git" anywhere in the path (so
//     owner/name.github.io becomes owner/namehub.io); glint strips only a
//     ".git" ending the repository name;
//   - GitLab drops the port of a GitHub Enterprise URL; glint keeps it;
//     and compares the host with github.com ignoring case;
//   - unmapped statuses send nothing (see above);
//   - a repository URL without owner and repository, not http(s) or
//     without host, is refused with an error, as is a pipeline without a
//     sha; GitLab would fail on them inside Octokit.
//
// static_context unset reads as false, as GitLab's boolean_accessor reads
// a missing property; note that GitLab creates new services with
// static_context true, which glint's catalog does not declare as default.
//
// It knows events and the integration types; it must not import the API,
// the store or the delivery code.
package github

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration"
)

var (
	errToken   = errors.New("github: the token is not set")
	errRepoURL = errors.New("github: the repository URL is not set")
	errNoSHA   = errors.New("github: the pipeline event has no sha")
	errHost    = errors.New("github: glint's project URL has no host for the static status context")
)

// Limits of GitLab's StatusMessage (String#truncate).
const (
	maxContext     = 255
	maxDescription = 140
)

// status is the body of GitHub's "create a commit status",
// https://docs.github.com/en/rest/commits/statuses#create-a-commit-status,
// in the order Octokit writes GitLab's options with the state merged last.
type status struct {
	Context     string `json:"context"`
	Description string `json:"description"`
	TargetURL   string `json:"target_url"`
	State       string `json:"state"`
}

// Settings are the service's properties, decoded by catalog.Decode.
type Settings struct {
	Token         string `field:"token"`
	RepositoryURL string `field:"repository_url"`
	StaticContext bool   `field:"static_context"`
}

// Build returns the commit status request for a pipeline event, or
// nothing for other events and for statuses GitHub has no state for.
// settings are the service's resolved properties; they are checked
// first, for every event, so that a broken service says so.
func Build(ev *event.Event, settings map[string]any, p integration.Project) ([]integration.Request, error) {
	cfg, err := catalog.Decode[Settings]("github", settings)
	if err != nil {
		return nil, err
	}
	token := cfg.Token
	if token == "" {
		return nil, errToken
	}
	rawURL := cfg.RepositoryURL
	if rawURL == "" {
		return nil, errRepoURL
	}
	repo, err := ParseRepository(rawURL)
	if err != nil {
		return nil, err
	}
	if ev.Kind != event.Pipeline || ev.Pipeline == nil {
		return nil, nil
	}
	a := ev.Pipeline.ObjectAttributes
	state := State(a.Status)
	if state == "" {
		return nil, nil
	}
	if a.SHA == "" {
		return nil, errNoSHA
	}
	// GitLab's StatusMessage builds target_url with its own route helper
	// and the static context from Gitlab.config.gitlab.host: both are the
	// sending GitLab's, whose project page the payload's web_url names.
	web := event.LinkBase(ev, p)
	context := "ci/gitlab/" + a.Ref
	if cfg.StaticContext {
		u, err := url.Parse(web)
		if err != nil || u.Hostname() == "" {
			return nil, errHost
		}
		context = "ci/gitlab/" + u.Hostname()
	}
	body, err := integration.JSON(status{
		Context:     truncate(context, maxContext),
		Description: truncate("Pipeline "+a.DetailedStatus+" on GitLab", maxDescription),
		TargetURL:   web + "/pipelines/" + strconv.FormatInt(a.ID, 10),
		State:       state,
	})
	if err != nil {
		return nil, err
	}
	return []integration.Request{{
		Method: http.MethodPost,
		URL:    repo.StatusURL(a.SHA),
		Header: http.Header{
			"Authorization": {"token " + token},
			"Accept":        {"application/vnd.github.v3+json"},
			"Content-Type":  {"application/json"},
		},
		Body: body,
	}}, nil
}

// State is GitLab's StatusMessage#status: the GitHub state of a pipeline
// status, "" for none.
func State(pipelineStatus string) string {
	switch pipelineStatus {
	case "created", "pending", "running", "manual":
		return "pending"
	case "success", "skipped":
		return "success"
	case "failed":
		return "failure"
	case "canceled":
		return "error"
	}
	return ""
}

// truncate is ActiveSupport's String#truncate(n): a string of more than n
// characters keeps its first n-3 and ends in "...".
func truncate(s string, n int) string {
	runes := []rune(s)
	if len(runes) <= n {
		return s
	}
	return string(runes[:n-3]) + "..."
}

// Repository is where statuses go: the API base URL and the repository.
type Repository struct {
	API   string // "https://api.github.com" or "<scheme>://<host>/api/v3"
	Owner string
	Name  string
}

// StatusURL is the URL of the statuses of a commit.
func (r Repository) StatusURL(sha string) string {
	return r.API + "/repos/" + url.PathEscape(r.Owner) + "/" + url.PathEscape(r.Name) + "/statuses/" + url.PathEscape(sha)
}

// ParseRepository reads a repository URL as GitLab's RemoteProject does
// (see the package comment for where glint differs). Its errors never
// quote the URL, which may hold userinfo.
func ParseRepository(s string) (Repository, error) {
	u, err := url.Parse(s)
	if err != nil || u.Opaque != "" || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return Repository{}, errors.New("github: the repository URL is not an http(s) URL with a host")
	}
	// The path as written, "/owner/repo/...", split before unescaping, as
	// Ruby's URI#path keeps the escapes: an escaped slash stays inside
	// its segment.
	segments := strings.Split(u.EscapedPath(), "/")
	var owner, name string
	if len(segments) > 2 {
		owner, err = url.PathUnescape(segments[1])
		if err == nil {
			name, err = url.PathUnescape(segments[2])
		}
		name = strings.TrimSuffix(name, ".git")
	}
	if err != nil || !usable(owner) || !usable(name) {
		return Repository{}, errors.New("github: the repository URL does not name an owner and a repository, as https://github.com/<owner>/<repository>")
	}
	api := "https://api.github.com"
	if !strings.EqualFold(u.Hostname(), "github.com") {
		// URL.String writes the host escaped (an IPv6 zone's "%" as %25).
		api = (&url.URL{Scheme: u.Scheme, Host: u.Host}).String() + "/api/v3"
	}
	return Repository{API: api, Owner: owner, Name: name}, nil
}

// usable reports whether a path segment can name an owner or repository:
// not empty and not a dot segment a server would resolve away.
func usable(segment string) bool {
	return segment != "" && segment != "." && segment != ".."
}
