// Package bamboo builds the trigger request of GitLab 12.5's "Atlassian
// Bamboo CI" service (BambooService, the 12.x version on Gitlab::HTTP with
// a reactive status cache): the trigger here, and the status read-back
// in status.go.
//
// It takes pushes only: CiService's supported_events is "push", and
// Service#async_execute drops every other object_kind, tag pushes
// included. Every push is taken, branch deletions and pushes without
// commits too: Bamboo has no push filter. A push sends one request, which
// carries nothing of the push:
//
//	GET <bamboo_url>/updateAndBuild.action?buildKey=<build_key>
//
// with "&os_authType=basic" added and an HTTP Basic Authorization header
// (username:password) when a username or a password is set (GitLab leaves
// both out only when both are blank, so a username whose password was
// cleared still sends "username:"). TLS certificates are not verified, as
// GitLab passes verify: false.
//
// Facts re-checked in gitlabhq/gitlabhq (app/models/project_services/
// bamboo_service.rb, the version with frozen_string_literal, public_url
// and s_() texts): the URL is Gitlab::Utils.append_path(bamboo_url,
// "updateAndBuild.action"), which drops the trailing slashes of the root
// URL and joins with exactly one slash (lib/gitlab/utils.rb); the query is
// a hash, {buildKey: build_key} with os_authType: 'basic' added after it,
// which HTTParty encodes as name=value pairs in that order with each value
// escaped by ERB::Util.url_encode (integration.FormEscape). Older versions
// concatenated "?buildKey=#{build_key}" unescaped and never sent
// credentials; glint follows the 12.x one.
//
// Where glint differs: a root URL GitLab's public_url validator would
// refuse, or one with a query or a fragment (which append_path would
// mangle into the path or the query), is refused with an error rather
// than sent.
//
// It knows events and the integration types; it must not import the API,
// the store or the delivery code.
package bamboo

import (
	"errors"
	"net/http"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/servicehook"
)

var (
	errURL      = errors.New("bamboo: the Bamboo root URL is not set")
	errBuildKey = errors.New("bamboo: the build key is not set")
)

// Settings are the service's properties, decoded by catalog.Decode.
type Settings struct {
	BambooURL string `field:"bamboo_url"`
	BuildKey  string `field:"build_key"`
	Username  string `field:"username"`
	Password  string `field:"password"`
}

// Build returns the build trigger for a push, or nothing for other events.
// settings are the service's resolved properties.
func Build(ev *event.Event, settings map[string]any, _ integration.Project) ([]integration.Request, error) {
	if ev.Kind != event.Push || ev.Push == nil {
		return nil, nil
	}
	cfg, err := catalog.Decode[Settings]("bamboo", settings)
	if err != nil {
		return nil, err
	}
	root := cfg.BambooURL
	if root == "" {
		return nil, errURL
	}
	if err := servicehook.Base("bamboo", "bamboo_url", root); err != nil {
		return nil, err
	}
	key := cfg.BuildKey
	if key == "" {
		return nil, errBuildKey
	}
	user, password := cfg.Username, cfg.Password
	target := servicehook.AppendPath(root, "updateAndBuild.action") + "?" + string(integration.Form("buildKey", key))
	header := http.Header{}
	if user != "" || password != "" {
		target += "&os_authType=basic"
		header.Set("Authorization", integration.BasicAuth(user, password))
	}
	return []integration.Request{{
		Method:             http.MethodGet,
		URL:                target,
		Header:             header,
		InsecureSkipVerify: true,
	}}, nil
}
