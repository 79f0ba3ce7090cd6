package packagist_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/integration/packagist"
)

var errorTexts = map[string]bool{
	"packagist: the username is not set": true,
	"packagist: the username holds a character that cannot stand unescaped in a URL query (only letters, digits and -._~!$'()*,/:=?@)": true,
	"packagist: the token is not set": true,
	"packagist: the token holds a character that cannot stand unescaped in a URL query (only letters, digits and -._~!$'()*,/:=?@)": true,
	"packagist: server is not a valid URL (a character outside RFC 3986, or a % not followed by two hex digits)":                    true,
	"packagist: server is not a valid URL":                                                true,
	"packagist: server is not an http or https URL":                                       true,
	"packagist: server has no host":                                                       true,
	"packagist: server has a query or fragment, which the hook path would be appended to": true,
}

// FuzzHookURL: whatever the settings, the hook URL's query reads back as
// exactly the username and token set, or they are refused with a fixed
// sentence that quotes nothing of them.
func FuzzHookURL(f *testing.F) {
	f.Add("", "jsmith", "t0k")
	f.Add("https://repo.example.com/", "j&apiToken=x", "a+b")
	f.Add("http://u:p@repo:8080/x?y", "j", "t#x")
	f.Add("https://repo.example.com#", "j smith", "%41")
	f.Fuzz(func(t *testing.T, server, username, token string) {
		got, err := packagist.HookURL(map[string]any{"server": server, "username": username, "token": token})
		if err != nil {
			if !errorTexts[err.Error()] {
				t.Fatalf("%q %q %q: %v", server, username, token, err)
			}
			return
		}
		u, err := url.Parse(got)
		if err != nil {
			t.Fatalf("%q: %v", got, err)
		}
		q, err := url.ParseQuery(u.RawQuery)
		if err != nil || len(q) != 2 || q.Get("username") != username || q.Get("apiToken") != token ||
			u.Fragment != "" || !strings.HasSuffix(u.Path, "/api/update-package") {
			t.Fatalf("%q %q %q: %q reads %v", server, username, token, got, q)
		}
	})
}
