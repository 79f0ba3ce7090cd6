package mailtext

import (
	"slices"
	"testing"

	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration"
)

func TestRecipients(t *testing.T) {
	for _, c := range []struct {
		in, extra string
		want      []string
	}{
		{"", "", nil},
		{" \n\t ", "", nil},
		{"a@x b@x\na@x\r\nc@x", "", []string{"a@x", "b@x", "c@x"}},
		{"a@x,b@x", "", []string{"a@x,b@x"}},
		{"a@x,b@x , ,c@x\nd@x", ",", []string{"a@x", "b@x", "c@x", "d@x"}},
	} {
		if got := Recipients(c.in, c.extra); !slices.Equal(got, c.want) {
			t.Errorf("Recipients(%q, %q) = %q, want %q", c.in, c.extra, got, c.want)
		}
	}
}

func TestProjectOf(t *testing.T) {
	glint := integration.Project{ID: 7, Name: "G", FullName: "N / G", FullPath: "n/g", WebURL: "https://glint.test/n/g"}
	p := ProjectOf(event.Project{ID: 15, Name: "Diaspora", Namespace: "Mike", PathWithNamespace: "mike/diaspora",
		WebURL: "https://GitLab.Example.com/mike/diaspora"}, glint)
	if p != (Project{ID: 15, Name: "Diaspora", FullName: "Mike / Diaspora", FullPath: "mike/diaspora", WebURL: "https://GitLab.Example.com/mike/diaspora"}) ||
		p.Host() != "gitlab.example.com" {
		t.Errorf("from the payload: %+v, host %q", p, p.Host())
	}
	if p := ProjectOf(event.Project{}, glint); p != (Project{ID: 7, Name: "G", FullName: "N / G", FullPath: "n/g", WebURL: "https://glint.test/n/g"}) {
		t.Errorf("from glint's project: %+v", p)
	}
	if h := p.Headers([2]string{"X-More", "1"}); len(h) != 4 || h[1] != [2]string{"X-GitLab-Project-Id", "15"} || h[3][0] != "X-More" {
		t.Errorf("headers %v", h)
	}
}

func TestTitleAndShortSHA(t *testing.T) {
	if got := Title(event.Commit{Message: "\nfirst line\r\nsecond"}); got != "first line" {
		t.Errorf("Title %q", got)
	}
	if got := Title(event.Commit{Title: "given", Message: "other"}); got != "given" {
		t.Errorf("Title %q", got)
	}
	if ShortSHA("0123456789abcdef") != "01234567" || ShortSHA("abc") != "abc" {
		t.Error("ShortSHA")
	}
}
