// Package mockci is GitLab 12.5's MockCI service (MockCiService, offered
// in GitLab's development environment, companion app
// gitlab-org/gitlab-mock-ci-service). It sends nothing on events (its
// execute is the base no-op, and can_test? is false): all it does is
// answer the status of a commit, read from the mock service:
//
//	GET <mock_service_url>/<namespace path>/<project path>/status/<sha>.json
//
// with TLS certificates not verified (verify: false). The URL is
// Gitlab::Utils.append_path: the root's trailing slashes dropped, one
// slash. <namespace path> is the path of the project's own namespace (its
// last segment, not the full path). The build page is the same URL
// without ".json".
//
// Facts re-checked in gitlabhq/gitlabhq (app/models/project_services/
// mock_ci_service.rb, the frozen_string_literal version with
// Gitlab::Utils.append_path and ALLOWED_STATES): a 200 answer's "status"
// counts when it is one of failed, canceled, running, pending, success,
// success-with-warnings, skipped, not_found; 404 is pending; any other
// answer, or none (ECONNREFUSED), is an error.
//
// It knows the integration types; it must not import the API, the store
// or the delivery code.
package mockci

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/servicehook"
)

// allowedStates are MockCiService::ALLOWED_STATES.
var allowedStates = []string{"failed", "canceled", "running", "pending", "success", "success-with-warnings", "skipped", "not_found"}

var errURL = errors.New("mockci: mock_service_url is not set")

// Settings are the service's properties, decoded by catalog.Decode.
type Settings struct {
	MockServiceURL string `field:"mock_service_url"`
}

// Status is MockCI's commit status read-back (see the package comment).
func Status(settings map[string]any, p integration.Project, sha, _ string) (integration.StatusQuery, error) {
	cfg, err := catalog.Decode[Settings]("mock-ci", settings)
	if err != nil {
		return integration.StatusQuery{}, err
	}
	root := cfg.MockServiceURL
	if root == "" {
		return integration.StatusQuery{}, errURL
	}
	if err := servicehook.Base("mockci", "mock_service_url", root); err != nil {
		return integration.StatusQuery{}, err
	}
	segments := strings.Split(p.FullPath, "/")
	namespace := ""
	if len(segments) > 1 {
		namespace = segments[len(segments)-2]
	}
	page := servicehook.AppendPath(root, namespace+"/"+segments[len(segments)-1]+"/status/"+url.PathEscape(sha))
	return integration.StatusQuery{
		Request: integration.Request{Method: http.MethodGet, URL: page + ".json", InsecureSkipVerify: true},
		Read: func(a integration.Answer) integration.CommitStatus {
			return integration.CommitStatus{Status: readStatus(a), BuildPage: page}
		},
	}, nil
}

// readStatus is MockCiService#read_commit_status.
func readStatus(a integration.Answer) string {
	if a.Err == nil && a.Status == http.StatusNotFound {
		return integration.StatusPending
	}
	if s := a.JSONStatus(); slices.Contains(allowedStates, s) {
		return s
	}
	return integration.StatusError
}
