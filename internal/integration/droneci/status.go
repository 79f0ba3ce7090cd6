package droneci

import (
	"net/http"
	"net/url"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/servicehook"
)

// Status is the read-back of DroneCiService (spec §3):
//
//	GET URI.join(<drone_url>, "gitlab/<project full path>/commits/<sha>", "?branch=<ref>&access_token=<token>")
//
// with TLS verification as enable_ssl_verification says. URI.join
// resolves each part against the one before (RFC 3986), so a drone_url
// with a path but no trailing slash loses its last segment, as in GitLab.
// The ref is escaped as Ruby's URI.encode does (servicehook.URIEncode). The build
// page is URI.join(<drone_url>, "gitlab/<full path>/redirect/commits/<sha>",
// "?branch=<ref>"). The answer is read by readStatus.
func Status(settings map[string]any, p integration.Project, sha, ref string) (integration.StatusQuery, error) {
	cfg, err := catalog.Decode[Settings]("drone-ci", settings)
	if err != nil {
		return integration.StatusQuery{}, err
	}
	token := cfg.Token
	if token == "" {
		return integration.StatusQuery{}, errToken
	}
	droneURL := cfg.DroneURL
	if droneURL == "" {
		return integration.StatusQuery{}, errDroneURL
	}
	if err := servicehook.Base("droneci", "drone_url", droneURL); err != nil {
		return integration.StatusQuery{}, err
	}
	branch := "?branch=" + servicehook.URIEncode(ref)
	target, err := join(droneURL, "gitlab/"+p.FullPath+"/commits/"+sha, branch+"&access_token="+servicehook.URIEncode(token))
	if err != nil {
		return integration.StatusQuery{}, err
	}
	page, err := join(droneURL, "gitlab/"+p.FullPath+"/redirect/commits/"+sha, branch)
	if err != nil {
		return integration.StatusQuery{}, err
	}
	return integration.StatusQuery{
		Request: integration.Request{Method: http.MethodGet, URL: target, InsecureSkipVerify: !cfg.EnableSSLVerification},
		Read: func(a integration.Answer) integration.CommitStatus {
			return integration.CommitStatus{Status: readStatus(a), BuildPage: page}
		},
	}, nil
}

// readStatus maps Drone's answer as GitLab's commit_status does: a 200
// answer with a "status" gives "killed" -> canceled, "failure" or "error"
// -> failed ("Because drone return error if some test env failed"), any
// other value as it is; anything else is an error.
func readStatus(a integration.Answer) string {
	s := a.JSONStatus()
	switch {
	case s == "":
		return integration.StatusError
	case s == "killed":
		return integration.StatusCanceled
	case s == "failure" || s == "error":
		return integration.StatusFailed
	}
	return s
}

// join is Ruby's URI.join: each part resolved against the result so far.
func join(base string, parts ...string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", errDroneURL
	}
	for _, p := range parts {
		ref, err := url.Parse(p)
		if err != nil {
			return "", errProject
		}
		u = u.ResolveReference(ref)
	}
	return u.String(), nil
}
