// Package buildkite builds the request of GitLab 12.5's "Buildkite"
// service (BuildkiteService): on a push, the service hook request (see
// package servicehook)
//
//	POST https://webhook.buildkite.com/deliver/<webhook token>
//	Content-Type: application/json
//	X-Gitlab-Event: Service Hook
//
// with the push payload as received. The token setting is
// "<webhook token>:<status token>"; the webhook token is what comes before
// the first ":" (GitLab's token.split(':').first; the whole token when it
// has no ":"). TLS verification follows enable_ssl_verification (unset
// counts as the catalog default, on). The status token and project_url
// serve GitLab's commit status lookup and build page, which glint does
// not do.
//
// Events: push only, tag pushes not. In 12.5 BuildkiteService keeps
// CiService's supported_events (%w(push)); the merge_request and tag_push
// events came in 13.x. The catalog still offers merge request and tag push
// flags (as the 12.5 settings API does); glint ignores them. Checked in
// gitlabhq's app/models/project_services/buildkite_service.rb (12.x: no
// supported_events of its own, webhook_url built from ENDPOINT
// "https://buildkite.com" with the subdomain "webhook" in front) and
// ci_service.rb (supported_events %w(push)).
//
// A webhook token that is empty, or holds a character that cannot stand
// as one URL path segment (see servicehook.PathSegmentOK), is refused:
// GitLab would post to ".../deliver/" or to another path.
//
// It knows events and the integration types; it must not import the API,
// the store or the delivery code.
package buildkite

import (
	"errors"
	"strings"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/servicehook"
)

// Endpoint is where Buildkite's GitLab webhooks are delivered; the
// webhook token follows it.
const Endpoint = "https://webhook.buildkite.com/deliver/"

var (
	errToken        = errors.New("buildkite: the token is not set")
	errWebhookToken = errors.New("buildkite: the token has no webhook part (expected <webhook token>:<status token>)")
	errTokenChars   = errors.New("buildkite: the webhook part of the token holds a character that cannot stand in a URL path")
)

// Settings are the service's properties, decoded by catalog.Decode
// (enable_ssl_verification is true unless set, the catalog's default).
type Settings struct {
	Token                 string `field:"token"`
	ProjectURL            string `field:"project_url"`
	EnableSSLVerification bool   `field:"enable_ssl_verification"`
}

// Build returns the service hook request for a push, or nothing for other
// events. settings are the service's resolved properties.
func Build(ev *event.Event, settings map[string]any, p integration.Project) ([]integration.Request, error) {
	if ev.Kind != event.Push || ev.Push == nil {
		return nil, nil
	}
	cfg, err := catalog.Decode[Settings]("buildkite", settings)
	if err != nil {
		return nil, err
	}
	token := cfg.Token
	if token == "" {
		return nil, errToken
	}
	webhookToken, _, _ := strings.Cut(token, ":")
	if webhookToken == "" {
		return nil, errWebhookToken
	}
	if !servicehook.PathSegmentOK(webhookToken) {
		return nil, errTokenChars
	}
	return servicehook.Hook{
		Service:    "buildkite",
		URL:        Endpoint + webhookToken,
		SkipVerify: !cfg.EnableSSLVerification,
	}.Request(ev)
}
