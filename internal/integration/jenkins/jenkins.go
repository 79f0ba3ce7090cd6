// Package jenkins builds the requests of GitLab 12.5's two Jenkins
// services, both EE (STARTER) service hooks (see package servicehook).
//
// "Jenkins CI" (JenkinsService, slug jenkins), Build: on a push, a tag
// push or a merge request, whatever it holds,
//
//	POST <jenkins_url with "project/<project_name>" joined to its path>
//	Content-Type: application/json
//	X-Gitlab-Event: Push Hook | Tag Push Hook | Merge Request Hook
//	Authorization: Basic base64(<username>:<password>)   (when username is set)
//
// with the event's payload as received: the Jenkins GitLab plugin's
// per-project endpoint. GitLab names the hook "<object_kind>_hook", hence
// the header. It puts username and password, each escaped with
// ERB::Util.url_encode, into the hook URL's userinfo, and WebHookService
// takes them out again as Basic auth: what arrives is the settings as
// they are, and no credentials stay in the URL. A blank username sends no
// credentials (GitLab clears the password then); a blank password keeps
// whatever password jenkins_url itself holds, "" when none. The path is
// joined as File.join does: one "/" between the existing path and
// "project/<project_name>"; a query in jenkins_url stays, a fragment is
// not sent. project_name is not escaped (GitLab's URI#path= takes it as
// it is and refuses characters not allowed in a path; so does glint).
//
// "Jenkins CI (Deprecated)" (JenkinsDeprecatedService, slug
// jenkins-deprecated), BuildDeprecated: on a push,
//
//	POST <project_url up to "job/">gitlab/build_now
//	Content-Type: application/json
//	X-Gitlab-Event: Service Hook
//
// with the push payload as received: the Jenkins "GitLab Hook" plugin's
// endpoint. GitLab cuts project_url at its first "job/" (everything from
// there on goes) and appends "gitlab/build_now" to what is left. Userinfo
// in project_url becomes Basic auth. glint refuses a project_url where
// that cut does not leave a URL ending in "/" on the same host (no "job/"
// after a "/", say "http://jenkins.example.com/ci"), which would make
// GitLab post to ".../cigitlab/build_now" or to another host.
//
// Events, checked in gitlabhq's ee/app/models/project_services:
// jenkins_service.rb's supported_events are push, merge_request and
// tag_push (no filter on what the event holds; the merge request and tag
// push flags default to off, which is the catalog's business);
// jenkins_deprecated_service.rb defines none, so CiService's %w(push)
// applies: pushes only, although the catalog (like 12.5's settings API)
// offers a merge request flag. Both skip the post when the service is in
// the project's disabled_services (license gating), which glint does not
// have. Both hooks keep the ServiceHook column's TLS verification: on.
//
// It knows events and the integration types; it must not import the API,
// the store or the delivery code.
package jenkins

import (
	"errors"
	"strings"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/servicehook"
)

var (
	errJenkinsURL       = errors.New("jenkins: jenkins_url is not set")
	errProjectName      = errors.New("jenkins: project_name is not set")
	errProjectNameChars = errors.New("jenkins: project_name holds a character that cannot stand in a URL path")
	errProjectURL       = errors.New("jenkins: project_url is not set")
	errJobURL           = errors.New(`jenkins: project_url must be a Jenkins job URL such as http://jenkins.example.com/job/my-project/ (or end with "/"): cut at its first "job/", it gives no root URL to append gitlab/build_now to`)
)

// Build returns the Jenkins CI hook request for a push, tag push or merge
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
	return servicehook.Hook{
		Service: "jenkins",
		URL:     hookURL,
		Event:   servicehook.EventHeader(string(ev.Kind) + "_hook"),
	}.Request(ev)
}

// Settings are Jenkins' properties, decoded by catalog.Decode.
type Settings struct {
	JenkinsURL  string `field:"jenkins_url"`
	ProjectName string `field:"project_name"`
	Username    string `field:"username"`
	Password    string `field:"password"`
}

// DeprecatedSettings are Jenkins (deprecated)'s properties, decoded by
// catalog.Decode.
type DeprecatedSettings struct {
	ProjectURL          string `field:"project_url"`
	MultiprojectEnabled bool   `field:"multiproject_enabled"`
	PassUnstable        bool   `field:"pass_unstable"`
}

// HookURL is JenkinsService#hook_url: jenkins_url with project/<name>
// joined to its path and the credentials in its userinfo, escaped.
func HookURL(settings map[string]any) (string, error) {
	cfg, err := catalog.Decode[Settings]("jenkins", settings)
	if err != nil {
		return "", err
	}
	raw := cfg.JenkinsURL
	if raw == "" {
		return "", errJenkinsURL
	}
	t, err := servicehook.Parse(raw)
	if err != nil {
		return "", errors.New("jenkins: jenkins_url " + err.Error())
	}
	name := cfg.ProjectName
	if name == "" {
		return "", errProjectName
	}
	if !pathOK(name) {
		return "", errProjectNameChars
	}
	user, password, auth := t.User, t.Password, t.HasAuth
	if username := cfg.Username; username != "" {
		user, auth = username, true
		if pw := cfg.Password; pw != "" {
			password = pw
		}
	}
	u := t.Parsed
	var b strings.Builder
	b.WriteString(u.Scheme + "://")
	if auth {
		b.WriteString(integration.FormEscape(user) + ":" + integration.FormEscape(password) + "@")
	}
	b.WriteString(u.Host)
	path := u.EscapedPath()
	if !strings.HasSuffix(path, "/") {
		path += "/"
	}
	b.WriteString(path + "project/" + name)
	if u.RawQuery != "" || u.ForceQuery {
		b.WriteString("?" + u.RawQuery)
	}
	return b.String(), nil
}

// pathOK reports whether s may stand in a URL path as it is: RFC 3986's
// pchar and "/", a "%" only before two hex digits.
func pathOK(s string) bool { return integration.URIChars(s, "!$&'()*+,;=:@/") }

// BuildDeprecated returns the Jenkins CI (Deprecated) hook request for a
// push, or nothing for other events. settings are the service's resolved
// properties.
func BuildDeprecated(ev *event.Event, settings map[string]any, p integration.Project) ([]integration.Request, error) {
	if ev.Kind != event.Push {
		return nil, nil
	}
	hookURL, err := DeprecatedHookURL(settings)
	if err != nil {
		return nil, err
	}
	return servicehook.Hook{Service: "jenkins", URL: hookURL}.Request(ev)
}

// DeprecatedHookURL is the hook URL JenkinsDeprecatedService composes:
// project_url up to its first "job/", then "gitlab/build_now".
func DeprecatedHookURL(settings map[string]any) (string, error) {
	cfg, err := catalog.Decode[DeprecatedSettings]("jenkins-deprecated", settings)
	if err != nil {
		return "", err
	}
	raw := cfg.ProjectURL
	if raw == "" {
		return "", errProjectURL
	}
	project, err := servicehook.Parse(raw)
	if err != nil {
		return "", errors.New("jenkins: project_url " + err.Error())
	}
	root, _, _ := strings.Cut(raw, "job/")
	if !strings.HasSuffix(root, "/") {
		return "", errJobURL
	}
	hookURL := root + "gitlab/build_now"
	hook, err := servicehook.Parse(hookURL)
	if err != nil || hook.Parsed.Host != project.Parsed.Host || hook.HasAuth != project.HasAuth ||
		hook.User != project.User || hook.Password != project.Password ||
		hook.Parsed.RawQuery != "" || hook.Parsed.Fragment != "" || !strings.HasSuffix(hook.Parsed.Path, "/gitlab/build_now") {
		return "", errJobURL
	}
	return hookURL, nil
}
