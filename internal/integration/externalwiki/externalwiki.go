// Package externalwiki is GitLab 12.5's External Wiki service
// (ExternalWikiService; spec §15). It is a link: the project's Wiki
// points at external_wiki_url. It takes no events (supported_events is
// empty); its Test runs its execute, which sends
//
//	GET <external_wiki_url>
//
// with TLS certificates verified, and returns the body of a 200 answer,
// nil otherwise; Service#test reports success when that result is
// present (a non-blank body).
//
// Fact re-checked in gitlabhq/gitlabhq (app/models/project_services/
// external_wiki_service.rb, the frozen_string_literal version:
// "response = Gitlab::HTTP.get(properties['external_wiki_url'], verify:
// true)", "response.body if response.code == 200").
//
// It knows the integration types only.
package externalwiki

import (
	"errors"
	"net/http"
	"strings"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/integration"
)

var errURL = errors.New("externalwiki: external_wiki_url is not set")

// Settings are the service's properties, decoded by catalog.Decode.
type Settings struct {
	ExternalWikiURL string `field:"external_wiki_url"`
}

// Test is the Test of External Wiki (see the package comment).
func Test(settings map[string]any, _ integration.Project) (integration.TestQuery, error) {
	cfg, err := catalog.Decode[Settings]("external-wiki", settings)
	if err != nil {
		return integration.TestQuery{}, err
	}
	target := cfg.ExternalWikiURL
	if target == "" {
		return integration.TestQuery{}, errURL
	}
	return integration.TestQuery{
		Request: integration.Request{Method: http.MethodGet, URL: target},
		Read:    read,
	}, nil
}

// read: success is a 200 answer with a body that is not blank; the
// result is that body, or nothing.
func read(a integration.Answer) integration.TestResult {
	if a.Err != nil || a.Status != http.StatusOK || strings.TrimSpace(string(a.Body)) == "" {
		return integration.TestResult{}
	}
	return integration.TestResult{Success: true, Result: string(a.Body)}
}
