package assembla_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/integration/assembla"
)

// FuzzURL: whatever the settings, URL does not panic, and a URL it makes
// has Assembla's host, a path of exactly three segments with the
// subdomain as the second, and one query parameter, secret_key, holding
// the token as it is.
func FuzzURL(f *testing.F) {
	for _, s := range [][2]string{
		{"project_name", "verySecret"}, {"", "t"}, {"a/b", "t"}, {"a", "t&x=1"}, {"a", "t#f"}, {"a%2F", "%zz"},
		{"..", "t"}, {"a b", "t"}, {"é", "t"}, {"a@b:c", "t=;"}, {"%", "%"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, subdomain, token string) {
		got, err := assembla.URL(map[string]any{"subdomain": subdomain, "token": token})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "assembla: ") {
				t.Errorf("error %q", err)
			}
			if len(token) > 3 && strings.Contains(err.Error(), token) {
				t.Errorf("error %q quotes the token", err)
			}
			return
		}
		u, err := url.Parse(got)
		if err != nil {
			t.Fatalf("%q does not parse: %v", got, err)
		}
		if u.Scheme != "https" || u.Host != "atlas.assembla.com" || u.User != nil || u.Fragment != "" || u.Opaque != "" {
			t.Errorf("%q: scheme %q host %q", got, u.Scheme, u.Host)
		}
		if u.EscapedPath() != "/spaces/"+subdomain+"/github_tool" || strings.Count(u.EscapedPath(), "/") != 3 {
			t.Errorf("%q: path %q", got, u.EscapedPath())
		}
		if u.RawQuery != "secret_key="+token || strings.ContainsAny(token, "&#") {
			t.Errorf("%q: query %q", got, u.RawQuery)
		}
	})
}
