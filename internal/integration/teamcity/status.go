package teamcity

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/servicehook"
)

// Status is the read-back of TeamcityService#calculate_reactive_cache
// (spec §6):
//
//	GET <teamcity_url>/httpAuth/app/rest/builds/branch:unspecified:any,revision:<sha>
//
// with Basic auth (username:password) and TLS certificates not verified
// (verify: false). TeamCity answers XML, <build id=".." status=".." ...>,
// read by readStatus. The build page is
// <teamcity_url>/viewLog.html?buildId=<id>&buildTypeId=<build_type> after
// a 200 answer, <teamcity_url>/viewLog.html?buildTypeId=<build_type> after
// another, and <teamcity_url> itself when no answer came.
func Status(settings map[string]any, _ integration.Project, sha, _ string) (integration.StatusQuery, error) {
	cfg, err := catalog.Decode[Settings]("teamcity", settings)
	if err != nil {
		return integration.StatusQuery{}, err
	}
	root := cfg.TeamcityURL
	if root == "" {
		return integration.StatusQuery{}, errURL
	}
	if err := servicehook.Base("teamcity", "teamcity_url", root); err != nil {
		return integration.StatusQuery{}, err
	}
	buildType := cfg.BuildType
	user, password := cfg.Username, cfg.Password
	viewLog := servicehook.AppendPath(root, "viewLog.html")
	return integration.StatusQuery{
		Request: integration.Request{
			Method: http.MethodGet,
			URL:    servicehook.AppendPath(root, "httpAuth/app/rest/builds/branch:unspecified:any,revision:"+url.PathEscape(sha)),
			Header: http.Header{"Authorization": {integration.BasicAuth(user, password)}},
			// GitLab's try_get passes verify: false.
			InsecureSkipVerify: true,
		},
		Read: func(a integration.Answer) integration.CommitStatus {
			if a.Err != nil {
				return integration.CommitStatus{Status: integration.StatusError, BuildPage: root}
			}
			status, id := readStatus(a)
			page := viewLog + "?buildTypeId=" + url.QueryEscape(buildType)
			if a.Status == http.StatusOK && id != "" {
				page = viewLog + "?buildId=" + url.QueryEscape(id) + "&buildTypeId=" + url.QueryEscape(buildType)
			}
			return integration.CommitStatus{Status: status, BuildPage: page}
		},
	}, nil
}

// build is TeamCity's <build> element; only its id and status are read.
type build struct {
	XMLName xml.Name `xml:"build"`
	ID      string   `xml:"id,attr"`
	Status  string   `xml:"status,attr"`
}

// readStatus maps TeamCity's answer as GitLab's read_commit_status does:
// a status other than 200 or 404 is an error, 404 is pending, and
// otherwise build.status containing SUCCESS is success, FAILURE failed,
// anything else (or a body that is not a <build>) an error.
func readStatus(a integration.Answer) (status, id string) {
	switch a.Status {
	case http.StatusNotFound:
		return integration.StatusPending, ""
	case http.StatusOK:
	default:
		return integration.StatusError, ""
	}
	var b build
	if xml.Unmarshal(a.Body, &b) != nil {
		return integration.StatusError, ""
	}
	switch {
	case strings.Contains(b.Status, "SUCCESS"):
		return integration.StatusSuccess, b.ID
	case strings.Contains(b.Status, "FAILURE"):
		return integration.StatusFailed, b.ID
	}
	return integration.StatusError, b.ID
}
