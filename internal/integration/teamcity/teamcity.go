// Package teamcity builds the trigger request of GitLab 12.5's "JetBrains
// TeamCity CI" service (TeamcityService, the 12.x version with
// ServicePushDataValidations): the trigger here, and the status read-back
// in status.go.
//
// It takes pushes and merge requests (supported_events "push" and
// "merge_request", each behind its event flag). Each taken event queues
// one build:
//
//	POST <teamcity_url>/httpAuth/app/rest/buildQueue
//	Authorization: Basic base64(username:password)
//	Content-Type: application/xml
//
//	<build branchName="<branch>"><buildType id="<build_type>"/></build>
//
// The branch of a push is its ref without refs/heads/ (Gitlab::Git.ref_name);
// a push is taken when it has at least one commit, does not delete the
// branch, and no merge request is open from that branch. glint knows no
// merge requests, so it treats the last rule as "none open" (GitLab then
// prefers the merge request trigger, to avoid two builds). The branch of a
// merge request is its source_branch; it is taken when its state is
// "opened" and its merge_status one of GitLab 12.5's "check" states,
// "unchecked" or "cannot_be_merged_recheck" (MergeRequest's
// merge_status state machine check_state?): that is, when it is opened,
// reopened or updated in a way that resets the mergeability check, not
// when only its title or description change.
//
// Facts re-checked in gitlabhq/gitlabhq (app/models/project_services/
// teamcity_service.rb, the version with frozen_string_literal, public_url
// and supported_events push and merge_request; app/models/concerns/
// service_push_data_validations.rb; app/models/merge_request.rb of the
// same era; lib/gitlab/utils.rb):
//   - the URL is Gitlab::Utils.append_path(teamcity_url, path): the
//     trailing slashes of the root URL dropped, one slash, the path;
//   - both attribute values are written with Ruby's String#encode(xml:
//     :attr), which wraps the value in double quotes and replaces exactly
//     & < > " by &amp; &lt; &gt; &quot; (ruby enc/trans/escape.trans),
//     leaving ' and every other byte as it is; glint writes the same bytes;
//   - the POST passes no verify: option, so, unlike the status lookup
//     (verify: false), TLS certificates are verified (HTTParty's
//     default): InsecureSkipVerify stays false;
//   - Basic auth is always sent, with the username and password as set
//     ("" for an unset one, as Net::HTTP writes nil).
//
// Where glint differs: a branch name or build type XML 1.0 cannot carry
// in an attribute as is (control characters, which git refuses in ref
// names anyway, and tab, line feed and carriage return, which an XML
// parser would read back as spaces; U+FFFE and U+FFFF) is refused with an
// error, where GitLab would send a body TeamCity cannot parse or would
// read differently; and a root URL that is not http(s) with a host, or has
// a query or fragment, is refused rather than mangled.
//
// The push and merge request rules are ServicePushDataValidations', shared
// with Drone CI in package servicehook.
//
// It knows events and the integration types; it must not import the API,
// the store or the delivery code.
package teamcity

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/servicehook"
)

var (
	errURL       = errors.New("teamcity: the TeamCity root URL is not set")
	errBuildType = errors.New("teamcity: the build type is not set")
	errTypeChars = errors.New("teamcity: the build type holds characters an XML attribute cannot carry (control characters, tab or line breaks)")
)

// Settings are the service's properties, decoded by catalog.Decode.
type Settings struct {
	TeamcityURL string `field:"teamcity_url"`
	BuildType   string `field:"build_type"`
	Username    string `field:"username"`
	Password    string `field:"password"`
}

// Build returns the build-queue request for a push or merge request the
// push rules let through, or nothing. settings are the service's resolved
// properties.
func Build(ev *event.Event, settings map[string]any, _ integration.Project) ([]integration.Request, error) {
	var branch string
	switch {
	case servicehook.PushWanted(ev):
		branch = event.RefName(ev.Push.Ref)
	case servicehook.MergeRequestWanted(ev):
		branch = ev.MergeRequest.ObjectAttributes.SourceBranch
	default:
		return nil, nil
	}

	cfg, err := catalog.Decode[Settings]("teamcity", settings)
	if err != nil {
		return nil, err
	}
	root := cfg.TeamcityURL
	if root == "" {
		return nil, errURL
	}
	if err := servicehook.Base("teamcity", "teamcity_url", root); err != nil {
		return nil, err
	}
	buildType := cfg.BuildType
	switch {
	case buildType == "":
		return nil, errBuildType
	case !attrSafe(buildType):
		return nil, errTypeChars
	case !attrSafe(branch):
		return nil, fmt.Errorf("teamcity: the branch name %q holds characters an XML attribute cannot carry", branch)
	}
	user, password := cfg.Username, cfg.Password
	return []integration.Request{{
		Method: http.MethodPost,
		URL:    servicehook.AppendPath(root, "httpAuth/app/rest/buildQueue"),
		Header: http.Header{
			"Authorization": {integration.BasicAuth(user, password)},
			"Content-Type":  {"application/xml"},
		},
		Body: buildXML(branch, buildType),
	}}, nil
}

// buildXML is the body GitLab posts: both values written by xmlAttr.
func buildXML(branch, buildType string) []byte {
	return []byte("<build branchName=" + xmlAttr(branch) + "><buildType id=" + xmlAttr(buildType) + "/></build>")
}

// xmlAttr is Ruby's String#encode(xml: :attr): the value in double
// quotes, with & < > " (and nothing else) replaced by entities.
func xmlAttr(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// attrSafe reports whether an XML 1.0 parser reads s back unchanged from
// an attribute xmlAttr wrote: valid UTF-8 of XML characters, without the
// tab and line breaks that attribute-value normalization turns into
// spaces.
func attrSafe(s string) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r < 0x20 || r == 0xFFFE || r == 0xFFFF {
			return false
		}
		i += size
	}
	return true
}
