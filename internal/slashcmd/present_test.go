package slashcmd_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/gitlabapi"
	"github.com/glint-dev/glint/internal/slashcmd"
)

func marshal(t *testing.T, v any) string {
	t.Helper()
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// TestSlackFormatPure: SlackFormat converts the links of a copy; the
// answer given is left as it was.
func TestSlackFormatPure(t *testing.T) {
	p := &gitlabapi.Project{NameWithNamespace: "G / P", WebURL: "https://gitlab.example.com/g/p"}
	i := &gitlabapi.Issue{IID: 3, Title: "T", State: "opened", WebURL: "https://gitlab.example.com/g/p/issues/3",
		Author: gitlabapi.User{Name: "Jane", Username: "jane", WebURL: "https://gitlab.example.com/jane"}}
	r := slashcmd.IssueNew(p, i)
	before := marshal(t, r)
	s := slashcmd.SlackFormat(r)
	if marshal(t, r) != before {
		t.Errorf("SlackFormat changed its argument:\n%s", marshal(t, r))
	}
	want := "I created an issue on <https://gitlab.example.com/jane|@jane>'s behalf: **#3** in <https://gitlab.example.com/g/p|G / P>"
	if got := s.Attachments[0].(*slashcmd.Attachment).Pretext; got != want {
		t.Errorf("pretext %q", got)
	}
	search := slashcmd.IssueSearch([]gitlabapi.Issue{*i})
	before = marshal(t, search)
	s = slashcmd.SlackFormat(search)
	if marshal(t, search) != before || s.Attachments[0].(*slashcmd.SearchAttachment).Text != "<https://gitlab.example.com/g/p/issues/3|#3> · T (Open)" {
		t.Errorf("search: %s then %s", before, marshal(t, s))
	}
	if got := marshal(t, slashcmd.SlackFormat(slashcmd.Deploy("a", "b", "https://x.example/j/1"))); got !=
		`{"response_type":"in_channel","status":200,"text":"Deployment started from a to b. <https://x.example/j/1|Follow its progress>."}` {
		t.Errorf("deploy %s", got)
	}
}
