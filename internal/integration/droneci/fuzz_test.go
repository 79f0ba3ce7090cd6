package droneci_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/droneci"
)

var errorTexts = map[string]bool{
	"droneci: the token is not set": true,
	"droneci: the token holds a character that cannot stand unescaped in a URL query (only letters, digits and -._~!$'()*,/:=?@)": true,
	"droneci: drone_url is not set": true,
	"droneci: the project's path has no namespace and project name GitLab could put in the hook URL":              true,
	"droneci: drone_url is not a valid URL (a character outside RFC 3986, or a % not followed by two hex digits)": true,
	"droneci: drone_url is not a valid URL":                                                true,
	"droneci: drone_url is not an http or https URL":                                       true,
	"droneci: drone_url has no host":                                                       true,
	"droneci: drone_url has a query or fragment, which the hook path would be appended to": true,
}

// FuzzHookURL: whatever drone_url, token and project path, the hook URL is
// refused, with a prefixed error that quotes neither the token nor the
// URL, or its query reads back as exactly owner, name and access_token.
func FuzzHookURL(f *testing.F) {
	f.Add("https://drone.example.com", "s3cr3t", "gitlab-org/gitlab-test")
	f.Add("https://drone.example.com/", "a&b", "g/s/p")
	f.Add("http://u:p@drone:8000/x", "x:y=z", "a/b")
	f.Add("https://drone.example.com/?q", "t", "a/b")
	f.Add("https://drone.example.com/#", "t#", "a b/c")
	f.Fuzz(func(t *testing.T, droneURL, token, fullPath string) {
		got, err := droneci.HookURL(map[string]any{"drone_url": droneURL, "token": token}, integration.Project{FullPath: fullPath})
		if err != nil {
			// The errors are fixed sentences: nothing of the settings is in them.
			if !errorTexts[err.Error()] {
				t.Fatalf("%q %q %q: %v", droneURL, token, fullPath, err)
			}
			return
		}
		u, err := url.Parse(got)
		if err != nil {
			t.Fatalf("%q: %v", got, err)
		}
		q, err := url.ParseQuery(u.RawQuery)
		i := strings.LastIndex(fullPath, "/")
		if err != nil || len(q) != 3 || q.Get("owner") != fullPath[:i] || q.Get("name") != fullPath[i+1:] ||
			q.Get("access_token") != token || u.Fragment != "" || !strings.HasSuffix(u.Path, "/api/hook") {
			t.Fatalf("%q %q %q: %q reads %v", droneURL, token, fullPath, got, q)
		}
	})
}
