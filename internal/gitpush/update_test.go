package gitpush_test

import (
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/gitpush"
)

const (
	shaA = "95790bf891e76fee5e1747ab589903a6a1f80f22"
	shaB = "da1560886d4f094c3e6c9ef40349f7d38b5d27d7"
	zero = gitpush.BlankSHA
)

func TestParseLine(t *testing.T) {
	for _, tc := range []struct {
		line    string
		want    gitpush.Update
		wantErr string
	}{
		{shaA + " " + shaB + " refs/heads/master", gitpush.Update{Old: shaA, New: shaB, Ref: "refs/heads/master"}, ""},
		{zero + " " + shaB + " refs/tags/v1.0\r", gitpush.Update{Old: zero, New: shaB, Ref: "refs/tags/v1.0"}, ""},
		{shaA + " " + zero + " refs/heads/feature/x-1", gitpush.Update{Old: shaA, New: zero, Ref: "refs/heads/feature/x-1"}, ""},
		{shaA + " " + shaB, gitpush.Update{}, "got 2 fields"},
		{shaA + "  " + shaB + " refs/heads/x", gitpush.Update{}, "got 4 fields"},
		{strings.ToUpper(shaA) + " " + shaB + " refs/heads/x", gitpush.Update{}, "not hex object names"},
		{shaA[:39] + " " + shaB + " refs/heads/x", gitpush.Update{}, "not hex object names"},
		{shaA + " " + shaB + " master", gitpush.Update{}, "not a full ref name"},
		{shaA + " " + shaB + " refs/heads/a..b", gitpush.Update{}, "not a full ref name"},
		{shaA + " " + shaB + " refs/heads/a\x00b", gitpush.Update{}, "not a full ref name"},
		{shaA + " " + shaB + " refs/heads/", gitpush.Update{}, "not a full ref name"},
		{zero + " " + zero + " refs/heads/x", gitpush.Update{}, "both object names are blank"},
		{strings.Repeat("a", 64) + " " + strings.Repeat("b", 64) + " refs/heads/x", gitpush.Update{}, "SHA-256"},
	} {
		got, err := gitpush.ParseLine(tc.line)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("ParseLine(%q): %v", tc.line, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("ParseLine(%q): error %v, want one saying %q", tc.line, err, tc.wantErr)
		case got != tc.want:
			t.Errorf("ParseLine(%q) = %+v, want %+v", tc.line, got, tc.want)
		}
	}
}

// TestParseUpdates: blank lines are skipped and a bad line does not lose
// the good ones around it.
func TestParseUpdates(t *testing.T) {
	in := shaA + " " + shaB + " refs/heads/master\n\nnonsense\n" + strings.Repeat("x", gitpush.MaxLineBytes+1) + "\n" +
		zero + " " + shaB + " refs/tags/v1"
	got, errs := gitpush.ParseUpdates(strings.NewReader(in))
	if len(got) != 2 || got[0].Ref != "refs/heads/master" || got[1].Ref != "refs/tags/v1" {
		t.Errorf("updates %+v, want master and v1", got)
	}
	if len(errs) != 2 || !strings.HasPrefix(errs[0].Error(), "line 3: ") || !strings.HasPrefix(errs[1].Error(), "line 4: longer") {
		t.Errorf("errors %v, want lines 3 and 4", errs)
	}
}

// FuzzParseLine: any input either parses into an update whose fields put
// back together give the line, or is refused; nothing panics.
func FuzzParseLine(f *testing.F) {
	f.Add(shaA + " " + shaB + " refs/heads/master")
	f.Add(zero + " " + shaB + " refs/tags/v1.0")
	f.Add(shaA + " " + zero + " refs/heads/a/b")
	f.Add("a b c")
	f.Add(shaA + " " + shaB + " refs/heads/x\r")
	f.Fuzz(func(t *testing.T, line string) {
		u, err := gitpush.ParseLine(line)
		if err != nil {
			return
		}
		if got := u.Old + " " + u.New + " " + u.Ref; got != strings.TrimSuffix(line, "\r") {
			t.Fatalf("ParseLine(%q) = %+v, which is not the line", line, u)
		}
		if len(u.Old) != 40 || len(u.New) != 40 || !strings.HasPrefix(u.Ref, "refs/") || (u.Create() && u.Delete()) {
			t.Fatalf("ParseLine(%q) accepted %+v", line, u)
		}
		if strings.ContainsAny(u.Ref, " \n\x00") {
			t.Fatalf("ParseLine(%q) accepted a ref with a space, newline or NUL", line)
		}
		updates, errs := gitpush.ParseUpdates(strings.NewReader(line + "\n"))
		if len(errs) != 0 || len(updates) != 1 || updates[0] != u {
			t.Fatalf("ParseUpdates of the line gives %+v, %v", updates, errs)
		}
	})
}
