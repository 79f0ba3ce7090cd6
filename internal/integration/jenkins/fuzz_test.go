package jenkins_test

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration/integrationtest"
	"github.com/glint-dev/glint/internal/integration/jenkins"
)

var push = &event.Event{Kind: event.Push, Raw: []byte(`{"object_kind":"push"}`)}

var errorTexts = map[string]bool{
	"jenkins: jenkins_url is not set":                                         true,
	"jenkins: project_name is not set":                                        true,
	"jenkins: project_name holds a character that cannot stand in a URL path": true,
	"jenkins: jenkins_url is not a valid URL (a character outside RFC 3986, or a % not followed by two hex digits)": true,
	"jenkins: jenkins_url is not a valid URL":          true,
	"jenkins: jenkins_url is not an http or https URL": true,
	"jenkins: jenkins_url has no host":                 true,
}

// FuzzBuild: whatever the settings, the request goes to an http(s) URL
// without userinfo whose path ends in /project/<project_name>, the
// password never in it, and the Basic auth carries the username and
// password as set; or the settings are refused with a prefixed error that
// does not repeat the password.
func FuzzBuild(f *testing.F) {
	f.Add("https://jenkins.example.com", "p", "u", "pw")
	f.Add("http://a:b@ci:8080/jenkins/?x#y", "folder/p%20q", "a+b@c d", "p:w/%+")
	f.Add("https://j", "p q", "", "x")
	f.Add("ftp://j", "p", "u", "")
	f.Fuzz(func(t *testing.T, jenkinsURL, project, user, pass string) {
		settings := map[string]any{"jenkins_url": jenkinsURL, "project_name": project, "username": user, "password": pass}
		reqs, err := jenkins.Build(push, settings, integrationtest.Project)
		if err != nil {
			// The errors are fixed sentences: nothing of the settings is in them.
			if !errorTexts[err.Error()] {
				t.Fatalf("%v: %v", settings, err)
			}
			return
		}
		if len(reqs) != 1 {
			t.Fatalf("%v: %d requests", settings, len(reqs))
		}
		r := reqs[0]
		u, err := url.Parse(r.URL)
		if err != nil || u.User != nil || (u.Scheme != "http" && u.Scheme != "https") || !strings.HasSuffix(u.EscapedPath(), "/project/"+project) {
			t.Fatalf("%v: sent to %q (%v)", settings, r.URL, err)
		}
		auth := r.Header.Get("Authorization")
		creds, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(auth, "Basic "))
		switch {
		case blank(user):
			// The credentials, if any, are jenkins_url's own.
		case !strings.HasPrefix(auth, "Basic ") || err != nil:
			t.Fatalf("%v: Authorization %q", settings, auth)
		case !blank(pass) && string(creds) != user+":"+pass:
			t.Fatalf("%v: credentials %q", settings, creds)
		case !strings.HasPrefix(string(creds), user+":"):
			t.Fatalf("%v: credentials %q", settings, creds)
		}
		if r.Header.Get("X-Gitlab-Event") != "Push Hook" {
			t.Fatalf("%v: %v", settings, r.Header)
		}
	})
}

// blank is chatmsg's blank: empty or ASCII whitespace only.
func blank(s string) bool { return strings.Trim(s, " \t\n\v\f\r") == "" }

// FuzzDeprecatedHookURL: whatever project_url, the hook is
// <root>/gitlab/build_now on project_url's host, root being project_url
// up to its first "job/"; or it is refused.
func FuzzDeprecatedHookURL(f *testing.F) {
	for _, s := range []string{
		"http://jenkins.example.com/job/my-project/", "http://jenkins.example.com", "http://job/job/x/",
		"http://u:p@j/a/job/b", "http://j/?a=/job/x", "http://j/#/job/x", "http://j/myjob/", "https://[::1]:8080/job/",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, projectURL string) {
		got, err := jenkins.DeprecatedHookURL(map[string]any{"project_url": projectURL})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "jenkins: ") {
				t.Fatalf("%q: %v", projectURL, err)
			}
			return
		}
		root, _, _ := strings.Cut(projectURL, "job/")
		hook, err1 := url.Parse(got)
		project, err2 := url.Parse(projectURL)
		if got != root+"gitlab/build_now" || err1 != nil || err2 != nil || hook.Host != project.Host ||
			hook.RawQuery != "" || hook.Fragment != "" || !strings.HasSuffix(hook.Path, "/gitlab/build_now") {
			t.Fatalf("%q: %q", projectURL, got)
		}
	})
}
