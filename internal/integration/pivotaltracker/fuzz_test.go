package pivotaltracker_test

import (
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration/pivotaltracker"
)

const space = " \t\n\v\f\r"

// FuzzAllowedBranch: the filter never panics; it lets everything through
// when the ref or the setting is blank; otherwise it lets a branch through
// exactly when some comma-separated entry, stripped, is that branch.
func FuzzAllowedBranch(f *testing.F) {
	for _, s := range [][2]string{
		{"refs/heads/master", "master"}, {"refs/heads/master", " dev , master "}, {"refs/heads/feat", "feature"},
		{"refs/heads/", ","}, {"refs/tags/v1", "v1"}, {"", "x"}, {"refs/heads/a,b", "a,b"}, {"refs/heads/x", "\x00x\x00"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, ref, restrict string) {
		got := pivotaltracker.AllowedBranch(ref, restrict)
		if strings.Trim(ref, space) == "" || strings.Trim(restrict, space) == "" {
			if !got {
				t.Errorf("AllowedBranch(%q, %q) filters with a blank ref or setting", ref, restrict)
			}
			return
		}
		branch := event.RefName(ref)
		want := false
		for _, entry := range strings.Split(restrict, ",") {
			entry = strings.TrimLeft(entry, space)
			if strings.Trim(branch, space) != "" && strings.TrimRight(entry, space+"\x00") == branch {
				want = true
			}
		}
		if got != want {
			t.Errorf("AllowedBranch(%q, %q) = %v, want %v", ref, restrict, got, want)
		}
	})
}
