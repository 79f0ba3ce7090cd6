package buildkite

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/integration"
)

// StatusEndpoint is where Buildkite answers GitLab's status lookups; the
// status token and ".json" follow it.
const StatusEndpoint = "https://gitlab.buildkite.com/status/"

var errStatusToken = errors.New("buildkite: the token has no status part (expected <webhook token>:<status token>)")

// Status is the read-back of BuildkiteService (spec §2):
//
//	GET https://gitlab.buildkite.com/status/<status token>.json?commit=<sha>
//
// with TLS certificates not verified (verify: false). The status token is
// the part of the token after its first colon. A 200 answer whose JSON has
// a "status" gives that value unchanged (Buildkite answers in GitLab's
// words); anything else is an error. The build page is built locally:
// <project_url>/builds?commit=<sha>.
func Status(settings map[string]any, _ integration.Project, sha, _ string) (integration.StatusQuery, error) {
	cfg, err := catalog.Decode[Settings]("buildkite", settings)
	if err != nil {
		return integration.StatusQuery{}, err
	}
	page := cfg.ProjectURL + "/builds?commit=" + url.QueryEscape(sha)
	_, statusToken, _ := strings.Cut(cfg.Token, ":")
	if statusToken == "" {
		return integration.StatusQuery{}, errStatusToken
	}
	return integration.StatusQuery{
		Request: integration.Request{
			Method:             http.MethodGet,
			URL:                StatusEndpoint + url.PathEscape(statusToken) + ".json?commit=" + url.QueryEscape(sha),
			InsecureSkipVerify: true,
		},
		Read: func(a integration.Answer) integration.CommitStatus {
			return integration.CommitStatus{Status: readStatus(a), BuildPage: page}
		},
	}, nil
}

// readStatus: 200 with a JSON "status" string is that status, else error.
func readStatus(a integration.Answer) string {
	if s := a.JSONStatus(); s != "" {
		return s
	}
	return integration.StatusError
}
