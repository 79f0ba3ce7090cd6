// Package droneci builds the request of GitLab 12.5's "Drone CI" service
// (DroneCiService): the service hook request (see package servicehook)
//
//	POST <drone_url>/api/hook?owner=<namespace full path>&name=<project path>&access_token=<token>
//	Content-Type: application/json
//	X-Gitlab-Event: Service Hook
//
// with the event's payload as received, for
//   - a push that brings commits and does not delete the branch,
//   - a tag push that brings commits and does not delete the tag,
//   - a merge request that is open and awaiting its mergeability check,
//
// as servicehook.PushWanted, TagPushWanted and MergeRequestWanted decide
// (GitLab's ServicePushDataValidations). GitLab also skips a push when an
// open merge request has the pushed branch as its source; glint knows no
// merge requests and finds none open, so such pushes are sent.
//
// The hook URL is plain string concatenation, no URL joining and no
// escaping: a drone_url ending in "/" gives
// "<drone_url>//api/hook", as GitLab sends it. The owner is
// the project's namespace full path (subgroups included, "group/sub") and
// the name the project's path, both taken from glint's project full path
// split at its last "/". TLS verification follows enable_ssl_verification
// (unset counts as the catalog default, on); userinfo in drone_url becomes
// Basic auth.
//
// Checked in gitlabhq: the 12.x DroneCiService builds the hook URL as
// [drone_url, "/api/hook", "?owner=#{project.namespace.full_path}",
// "&name=#{project.path}", "&access_token=#{token}"].join, nothing
// escaped (older versions used namespace.path, later ones "/hook"); its
// supported_events are push, merge_request and tag_push, and the
// validations are service_push_data_validations.rb (merge_status checked
// with check_state?, which in 12.x is unchecked or cannot_be_merged_recheck;
// the spec's "unchecked" is the first of the two).
//
// Because nothing is escaped, a token, owner or name that the receiver
// would not read back as it is (holding & # + % ; a space, ...; see
// servicehook.QueryValueOK) is refused rather than sent as another query;
// so is a drone_url with a query or fragment, which the hook path would
// land in.
//
// It knows events and the integration types; it must not import the API,
// the store or the delivery code.
package droneci

import (
	"errors"
	"strings"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/servicehook"
)

var (
	errToken      = errors.New("droneci: the token is not set")
	errTokenChars = errors.New("droneci: the token holds a character that cannot stand unescaped in a URL query (only letters, digits and -._~!$'()*,/:=?@)")
	errDroneURL   = errors.New("droneci: drone_url is not set")
	errProject    = errors.New("droneci: the project's path has no namespace and project name GitLab could put in the hook URL")
)

// Build returns the service hook request for the pushes, tag pushes and
// merge requests Drone is told of, or nothing. settings are the service's
// resolved properties.
func Build(ev *event.Event, settings map[string]any, p integration.Project) ([]integration.Request, error) {
	if !servicehook.PushWanted(ev) && !servicehook.TagPushWanted(ev) && !servicehook.MergeRequestWanted(ev) {
		return nil, nil
	}
	cfg, err := catalog.Decode[Settings]("drone-ci", settings)
	if err != nil {
		return nil, err
	}
	hookURL, err := cfg.hookURL(p)
	if err != nil {
		return nil, err
	}
	return servicehook.Hook{Service: "droneci", URL: hookURL, SkipVerify: !cfg.EnableSSLVerification}.Request(ev)
}

// Settings are the service's properties, decoded by catalog.Decode
// (enable_ssl_verification is true unless set, the catalog's default).
type Settings struct {
	Token                 string `field:"token"`
	DroneURL              string `field:"drone_url"`
	EnableSSLVerification bool   `field:"enable_ssl_verification"`
}

// HookURL is the URL of Drone's service hook for the project.
func HookURL(settings map[string]any, p integration.Project) (string, error) {
	cfg, err := catalog.Decode[Settings]("drone-ci", settings)
	if err != nil {
		return "", err
	}
	return cfg.hookURL(p)
}

func (cfg Settings) hookURL(p integration.Project) (string, error) {
	token := cfg.Token
	if token == "" {
		return "", errToken
	}
	droneURL := cfg.DroneURL
	if droneURL == "" {
		return "", errDroneURL
	}
	if err := servicehook.Base("droneci", "drone_url", droneURL); err != nil {
		return "", err
	}
	i := strings.LastIndexByte(p.FullPath, '/')
	if i < 0 {
		return "", errProject
	}
	owner, name := p.FullPath[:i], p.FullPath[i+1:]
	if !servicehook.QueryValueOK(owner) || !servicehook.QueryValueOK(name) {
		return "", errProject
	}
	if !servicehook.QueryValueOK(token) {
		return "", errTokenChars
	}
	return droneURL + "/api/hook?owner=" + owner + "&name=" + name + "&access_token=" + token, nil
}
