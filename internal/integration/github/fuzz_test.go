package github_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/integration/github"
)

// FuzzParseRepository: any repository URL is either refused with a
// "github: " error that does not quote it, or gives an owner and a
// repository that are not empty or dot segments, and a status URL that
// parses, stays on the API host and carries owner, repository and sha
// back unchanged as three path segments.
func FuzzParseRepository(f *testing.F) {
	for _, s := range []string{
		"https://github.com/owner/repo.git",
		"http://GitHub.com/owner/repo/tree/main?x#y",
		"https://user:pw@github.example.com:8443/org/app",
		"https://github.com/a%2Fb/c%20d",
		"https://[::1]:8080/o/r",
		"https://[fe80::1%25en0]/o/r",
		"https://github.com/../r",
		"git@github.com:owner/repo.git",
		"https://github.com/%zz/r",
	} {
		f.Add(s, "bcbb5ec396a2c0f828686f14fac9b80b780504f2")
	}
	f.Add("https://github.com/o/a.git.git", "abc")
	f.Add("https://github.com/o/r", "../../x?y#z")
	f.Fuzz(func(t *testing.T, raw, sha string) {
		r, err := github.ParseRepository(raw)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "github: ") || len(raw) > 12 && strings.Contains(err.Error(), raw) {
				t.Fatalf("error %q", err)
			}
			return
		}
		for _, seg := range []string{r.Owner, r.Name} {
			if seg == "" || seg == "." || seg == ".." {
				t.Fatalf("%q: owner %q, name %q", raw, r.Owner, r.Name)
			}
		}
		status := r.StatusURL(sha)
		u, err := url.Parse(status)
		if err != nil {
			t.Fatalf("%q: status URL %q does not parse: %v", raw, status, err)
		}
		api, err := url.Parse(r.API)
		if err != nil || u.Host != api.Host || (r.API != "https://api.github.com" && !strings.HasSuffix(r.API, "/api/v3")) {
			t.Fatalf("%q: API %q, status URL %q", raw, r.API, status)
		}
		rest, ok := strings.CutPrefix(u.EscapedPath(), api.EscapedPath()+"/repos/")
		segs := strings.Split(rest, "/")
		if !ok || len(segs) != 4 || segs[2] != "statuses" || u.RawQuery != "" || u.Fragment != "" {
			t.Fatalf("%q: status URL %q", raw, status)
		}
		for i, want := range map[int]string{0: r.Owner, 1: r.Name, 3: sha} {
			if got, err := url.PathUnescape(segs[i]); err != nil || got != want {
				t.Fatalf("%q: segment %d of %q is %q, want %q", raw, i, status, got, want)
			}
		}
	})
}
