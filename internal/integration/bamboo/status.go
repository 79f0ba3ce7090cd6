package bamboo

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/servicehook"
)

// Status is the read-back of BambooService#calculate_reactive_cache (the
// 12.x version, spec §1):
//
//	GET <bamboo_url>/rest/api/latest/result/byChangeset/<sha>[?os_authType=basic]
//
// with Basic auth when a username or password is set, no Accept header
// (Bamboo answers XML) and TLS certificates not verified (verify: false).
// The answer is read by readStatus; the build page is the result's
// <bamboo_url>/browse/<planResultKey.key>, or /browse/<build_key> when
// there is none.
func Status(settings map[string]any, _ integration.Project, sha, _ string) (integration.StatusQuery, error) {
	cfg, err := catalog.Decode[Settings]("bamboo", settings)
	if err != nil {
		return integration.StatusQuery{}, err
	}
	root := cfg.BambooURL
	if root == "" {
		return integration.StatusQuery{}, errURL
	}
	if err := servicehook.Base("bamboo", "bamboo_url", root); err != nil {
		return integration.StatusQuery{}, err
	}
	key := cfg.BuildKey
	user, password := cfg.Username, cfg.Password
	target := servicehook.AppendPath(root, "rest/api/latest/result/byChangeset/"+url.PathEscape(sha))
	header := http.Header{}
	if user != "" || password != "" {
		target += "?os_authType=basic"
		header.Set("Authorization", integration.BasicAuth(user, password))
	}
	fallback := servicehook.AppendPath(root, "browse/"+key)
	return integration.StatusQuery{
		Request: integration.Request{Method: http.MethodGet, URL: target, Header: header, InsecureSkipVerify: true},
		Read: func(a integration.Answer) integration.CommitStatus {
			status, resultKey := readStatus(a)
			page := fallback
			if resultKey != "" {
				page = servicehook.AppendPath(root, "browse/"+resultKey)
			}
			return integration.CommitStatus{Status: status, BuildPage: page}
		},
	}, nil
}

// results is the XML Bamboo answers: <results><results size=".."><result
// ...>...</result>...</results></results>. GitLab reads it through
// HTTParty's MultiXml, where a result's attributes and child elements are
// both keys; buildState is read from either.
type results struct {
	XMLName xml.Name `xml:"results"`
	Inner   struct {
		Results []result `xml:"result"`
	} `xml:"results"`
}

type result struct {
	BuildStateAttr string `xml:"buildState,attr"`
	BuildState     string `xml:"buildState"`
	PlanResultKey  struct {
		Key string `xml:"key"`
	} `xml:"planResultKey"`
}

// readStatus maps Bamboo's answer as GitLab's read_commit_status does: a
// status other than 200 or 404 is an error; 404 or no result is pending;
// otherwise the last result's buildState containing "Success" is success,
// "Failed" failed, "Pending" pending, and anything else an error. It also
// returns the last result's plan result key, for the build page. A body
// that is not Bamboo's XML is an error.
func readStatus(a integration.Answer) (status, resultKey string) {
	switch {
	case a.Err != nil:
		return integration.StatusError, ""
	case a.Status == http.StatusNotFound:
		return integration.StatusPending, ""
	case a.Status != http.StatusOK:
		return integration.StatusError, ""
	}
	var doc results
	if err := xml.Unmarshal(a.Body, &doc); err != nil {
		return integration.StatusError, ""
	}
	list := doc.Inner.Results
	if len(list) == 0 {
		return integration.StatusPending, ""
	}
	last := list[len(list)-1]
	state := last.BuildState
	if state == "" {
		state = last.BuildStateAttr
	}
	key := strings.TrimSpace(last.PlanResultKey.Key)
	switch {
	case strings.Contains(state, "Success"):
		return integration.StatusSuccess, key
	case strings.Contains(state, "Failed"):
		return integration.StatusFailed, key
	case strings.Contains(state, "Pending"):
		return integration.StatusPending, key
	}
	return integration.StatusError, key
}
