// Package packagist builds the request of GitLab 12.5's "Packagist"
// service (PackagistService): on a push, a tag push or a merge request,
// whatever it holds, the service hook request (see package servicehook)
//
//	POST <server>/api/update-package?username=<username>&apiToken=<token>
//	Content-Type: application/json
//	X-Gitlab-Event: Service Hook
//
// with the event's payload as received, server being https://packagist.org
// when the setting is blank. Packagist's update-package endpoint reads the
// repository's URL from a GitLab payload's project.git_http_url (else
// repository.url), finds the user by username and apiToken, and schedules
// an update of that user's packages from that repository (answering 202).
//
// Checked in gitlabhq's app/models/project_services/packagist_service.rb:
// supported_events push, merge_request and tag_push, with no filter on
// what the event holds; hook_url is the string
// "#{server.presence || 'https://packagist.org'}/api/update-package?username=#{username}&apiToken=#{token}",
// nothing escaped and nothing trimmed, so a server ending in "/" gives
// "<server>//api/update-package", which glint sends too. The hook keeps the
// ServiceHook column's TLS verification: on. Userinfo in server becomes
// Basic auth.
//
// Because nothing is escaped, a username or token that Packagist would
// not read back as it is (holding & # + % ; a space, ...; see
// servicehook.QueryValueOK) is refused rather than sent as another query;
// so is a server with a query or fragment, which the API path would land
// in.
//
// It knows events and the integration types; it must not import the API,
// the store or the delivery code.
package packagist

import (
	"errors"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/servicehook"
)

// DefaultServer is the Packagist server when the server setting is blank.
const DefaultServer = "https://packagist.org"

const allowed = "(only letters, digits and -._~!$'()*,/:=?@)"

var (
	errUsername      = errors.New("packagist: the username is not set")
	errUsernameChars = errors.New("packagist: the username holds a character that cannot stand unescaped in a URL query " + allowed)
	errToken         = errors.New("packagist: the token is not set")
	errTokenChars    = errors.New("packagist: the token holds a character that cannot stand unescaped in a URL query " + allowed)
)

// Settings are the service's properties, decoded by catalog.Decode.
type Settings struct {
	Username string `field:"username"`
	Token    string `field:"token"`
	Server   string `field:"server"`
}

// Build returns the service hook request for a push, tag push or merge
// request, or nothing for other events. settings are the service's
// resolved properties.
func Build(ev *event.Event, settings map[string]any, p integration.Project) ([]integration.Request, error) {
	switch ev.Kind {
	case event.Push, event.TagPush, event.MergeRequest:
	default:
		return nil, nil
	}
	hookURL, err := HookURL(settings)
	if err != nil {
		return nil, err
	}
	return servicehook.Hook{Service: "packagist", URL: hookURL}.Request(ev)
}

// HookURL is PackagistService#hook_url.
func HookURL(settings map[string]any) (string, error) {
	cfg, err := catalog.Decode[Settings]("packagist", settings)
	if err != nil {
		return "", err
	}
	username := cfg.Username
	if username == "" {
		return "", errUsername
	}
	if !servicehook.QueryValueOK(username) {
		return "", errUsernameChars
	}
	token := cfg.Token
	if token == "" {
		return "", errToken
	}
	if !servicehook.QueryValueOK(token) {
		return "", errTokenChars
	}
	server := cfg.Server
	if server == "" {
		server = DefaultServer
	}
	if err := servicehook.Base("packagist", "server", server); err != nil {
		return "", err
	}
	return server + "/api/update-package?username=" + username + "&apiToken=" + token, nil
}
