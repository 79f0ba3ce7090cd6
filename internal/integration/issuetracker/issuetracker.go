// Package issuetracker is what GitLab 12.5's external issue trackers
// (Bugzilla, Redmine, YouTrack, Custom Issue Tracker; IssueTrackerService
// and its subclasses, spec §14) do beyond links: on each push, and on
// Test, a probe
//
//	HEAD <project_url>
//
// with TLS certificates verified, whose outcome GitLab only logs
// ("<Type> received response <code> when attempting to connect to
// <project_url>", or "<Type> had an error when trying to connect to
// <project_url>: <error>"); and the link an issue reference renders to:
// issues_url with every ":id" replaced by the issue id, for references
// matching the tracker's pattern.
//
// Facts re-checked in gitlabhq/gitlabhq (app/models/project_services/
// issue_tracker_service.rb: "Gitlab::HTTP.head(self.project_url, verify:
// true)", the messages above, "self.issues_url.gsub(':id', iid.to_s)",
// supported_events %w(push); youtrack_service.rb's reference_pattern).
// The patterns are the 12.5 ones of the spec: the base class's
// (\b[A-Z][A-Z0-9_]*-|#)(?<issue>\d+), whose id is the number only, and
// YouTrack's \b[A-Za-z][A-Za-z0-9_]*-\d+ (the whole key is the id) or
// #<number>. GitLab uses the short "#123" form for the external tracker
// only when the project's own issues are off; glint has no issues of its
// own, so both forms are the tracker's.
//
// It knows events and the integration types only.
package issuetracker

import (
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration"
)

var errProjectURL = errors.New("issuetracker: project_url is not set")

// Probe builds the HEAD probe of a push; other events send nothing.
func Probe(ev *event.Event, settings map[string]any, _ integration.Project) ([]integration.Request, error) {
	if ev.Kind != event.Push {
		return nil, nil
	}
	req, err := head(settings)
	if err != nil {
		return nil, err
	}
	return []integration.Request{req}, nil
}

// Settings are the properties the four trackers share, decoded by
// catalog.Decode. The trackers' catalog entries have the same fields and
// no defaults for them, so they are decoded by the entry of
// settingsSlug; the registry's TestSettingsNamesAreInTheCatalog checks
// each tracker's entry has them.
type Settings struct {
	ProjectURL string `field:"project_url"`
	IssuesURL  string `field:"issues_url"`
}

const settingsSlug = "custom-issue-tracker"

func head(settings map[string]any) (integration.Request, error) {
	cfg, err := catalog.Decode[Settings](settingsSlug, settings)
	if err != nil {
		return integration.Request{}, err
	}
	target := cfg.ProjectURL
	if target == "" {
		return integration.Request{}, errProjectURL
	}
	return integration.Request{Method: http.MethodHead, URL: target}, nil
}

// Tester is the Test of the tracker whose Ruby class is typeName
// ("BugzillaService"): the probe, a success whatever the HTTP status (as
// GitLab's execute returns true for any response), with GitLab's log
// line as the result.
func Tester(typeName string) integration.Tester {
	return func(settings map[string]any, _ integration.Project) (integration.TestQuery, error) {
		req, err := head(settings)
		if err != nil {
			return integration.TestQuery{}, err
		}
		return integration.TestQuery{Request: req, Read: func(a integration.Answer) integration.TestResult {
			if a.Err != nil {
				return integration.TestResult{Result: typeName + " had an error when trying to connect to " + req.URL + ": " + a.Err.Error()}
			}
			return integration.TestResult{Success: true, Result: typeName + " received response " + strconv.Itoa(a.Status) + " when attempting to connect to " + req.URL}
		}}, nil
	}
}

// Patterns of issue references, anchored: a reference is the whole text.
var (
	defaultPattern  = regexp.MustCompile(`^(?:\b[A-Z][A-Z0-9_]*-|#)(\d+)$`)
	youtrackPattern = regexp.MustCompile(`^(?:(\b[A-Za-z][A-Za-z0-9_]*-\d+)|#(\d+))$`)
)

// IssueURL is the link GitLab renders for an issue reference ("#123",
// "ABC-123") of a tracker with the base class's pattern: issues_url with
// ":id" replaced by the number. ok is false when ref does not match.
func IssueURL(settings map[string]any, ref string) (string, bool) {
	m := defaultPattern.FindStringSubmatch(ref)
	if m == nil {
		return "", false
	}
	return link(settings, m[1])
}

// YouTrackIssueURL is IssueURL with YouTrack's pattern, where the id of
// "gl-030" is the whole key.
func YouTrackIssueURL(settings map[string]any, ref string) (string, bool) {
	m := youtrackPattern.FindStringSubmatch(ref)
	if m == nil {
		return "", false
	}
	id := m[1]
	if id == "" {
		id = m[2]
	}
	return link(settings, id)
}

func link(settings map[string]any, id string) (string, bool) {
	cfg, err := catalog.Decode[Settings](settingsSlug, settings)
	if err != nil {
		return "", false
	}
	issues := cfg.IssuesURL
	if issues == "" {
		return "", false
	}
	return strings.ReplaceAll(issues, ":id", id), true
}
