package jira

import (
	"slices"
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/integration"
)

var testProject = integration.Project{FullPath: "group/project", WebURL: "https://glint.example.com/group/project", DefaultBranch: "master"}

func TestKeys(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"PROJ-1 fix", []string{"PROJ-1"}},
		{"fix PROJ-1, PROJ-2 and PROJ-1 again", []string{"PROJ-1", "PROJ-2"}},
		{"AB_9-12 and A1-3", []string{"AB_9-12", "A1-3"}},
		{"A-1 is too short, P-1 too", nil}, // one letter is no project key
		{"proj-1 Proj-1 pROJ-1", nil},      // lowercase, or no \b before the capitals
		{"xPROJ-1 _PROJ-2 9PROJ-3", nil},   // a word character before the key
		{"(PROJ-1) [PROJ-2] 'PROJ-3' \"PROJ-4\" <PROJ-5>", []string{"PROJ-1", "PROJ-2", "PROJ-3", "PROJ-4", "PROJ-5"}},
		{"PROJ-12abc PROJ-3_x", []string{"PROJ-12", "PROJ-3"}}, // nothing needed after the digits
		{"ABC-DEF-12", []string{"DEF-12"}},
		{"UTF-8 SHA-256 ISO-8859-1", []string{"UTF-8", "SHA-256", "ISO-8859"}},
		{"PROJ-1PROJ-2", []string{"PROJ-1"}},
		{"see https://jira.example.com/browse/PROJ-1 now", nil},
		{"see https://jira.example.com/browse/PROJ-1. PROJ-2", []string{"PROJ-2"}},
		{"ftp://host/PROJ-1>PROJ-2", nil}, // escaped, the > is &gt; and the URL goes on
		{"<http://x.y/PROJ-1> PROJ-2", []string{"PROJ-2"}},
		{"HTTP://x/PROJ-1", []string{"PROJ-1"}}, // only lowercase schemes are linked
		{"http:/x/PROJ-1 mailto:PROJ-2", []string{"PROJ-1", "PROJ-2"}},
		{"`PROJ-1` is code only in Markdown", []string{"PROJ-1"}},
		{"PROJ-1\nPROJ-2\r\nPROJ-3", []string{"PROJ-1", "PROJ-2", "PROJ-3"}},
		{"éPROJ-1 ПPROJ-2", []string{"PROJ-1", "PROJ-2"}}, // Go's \b is ASCII (package doc)
		{"", nil},
	}
	for _, tt := range tests {
		if got := Keys(tt.text); !slices.Equal(got, tt.want) {
			t.Errorf("Keys(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestMarkdownKeys(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"Implements PROJ-1, not `PROJ-2`", []string{"PROJ-1"}},
		{"``a `PROJ-1` b`` PROJ-2", []string{"PROJ-2"}},
		{"`unclosed PROJ-1", []string{"PROJ-1"}},
		{"a\n```go\nPROJ-1\n```\nPROJ-2", []string{"PROJ-2"}},
		{"~~~~\nPROJ-1\n~~~\nPROJ-2\n~~~~\nPROJ-3", []string{"PROJ-3"}}, // a shorter fence does not close
		{"```\nPROJ-1 never closed", nil},
		{"    ```\nPROJ-1", []string{"PROJ-1"}}, // indented 4: no fence
		{"[PROJ-1](https://jira/browse/PROJ-1) and [see](x) PROJ-2", []string{"PROJ-2"}},
		{"![PROJ-1](img.png) PROJ-3", []string{"PROJ-3"}},
		{"[PROJ-1] alone", []string{"PROJ-1"}},
		{"https://x/PROJ-1 `y` PROJ-2", []string{"PROJ-2"}},
	}
	for _, tt := range tests {
		if got := MarkdownKeys(tt.text); !slices.Equal(got, tt.want) {
			t.Errorf("MarkdownKeys(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestClosingKeys(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"Fixes PROJ-1", []string{"PROJ-1"}},
		{"fix PROJ-1", []string{"PROJ-1"}},
		{"Closes: PROJ-1", []string{"PROJ-1"}},
		{"Closes:PROJ-1", nil},
		{"Closes  PROJ-1", []string{"PROJ-1"}},
		{"Closes\tPROJ-1", nil}, // spaces only
		{"close PROJ-1, closing PROJ-2, closed PROJ-3, closes PROJ-4", []string{"PROJ-1", "PROJ-2", "PROJ-3", "PROJ-4"}},
		{"Resolve PROJ-1 resolves PROJ-2 Resolved PROJ-3 resolving PROJ-4", []string{"PROJ-1", "PROJ-2", "PROJ-3", "PROJ-4"}},
		{"Implement PROJ-1 implements PROJ-2 Implemented PROJ-3 implementing PROJ-4", []string{"PROJ-1", "PROJ-2", "PROJ-3", "PROJ-4"}},
		{"Fixed PROJ-1 Fixing PROJ-2", []string{"PROJ-1", "PROJ-2"}},
		{"Fixs PROJ-1 FIXES PROJ-2 Clos PROJ-3", nil},
		{"Closes PROJ-1, PROJ-2", []string{"PROJ-1"}}, // no separator after a Jira key
		{"Closes PROJ-1 and PROJ-2", []string{"PROJ-1"}},
		{"Closes #1, PROJ-2", []string{"PROJ-2"}},
		{"Closes #1 and PROJ-2", []string{"PROJ-2"}},
		{"Closes group/project#1, PROJ-2", []string{"PROJ-2"}},
		{"Closes issue PROJ-1", nil},
		{"Closes issue #1, PROJ-2", []string{"PROJ-2"}},
		{"prefix PROJ-1", []string{"PROJ-1"}}, // no leading \b in 12.5
		{"Closes https://jira/browse/PROJ-1", nil},
		{"Closes https://x/y, PROJ-2", []string{"PROJ-2"}},
		{"Closes PROJ-1PROJ-2", []string{"PROJ-1"}},
		{"See PROJ-1", nil},
		{"Fixes PROJ-1\n\nfixes PROJ-1", []string{"PROJ-1"}},
		{"Closes A1-3", []string{"A1-3"}},
		{"Closes A-1", nil},
	}
	for _, tt := range tests {
		if got := ClosingKeys(tt.text); !slices.Equal(got, tt.want) {
			t.Errorf("ClosingKeys(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestCommitTitle(t *testing.T) {
	hundred := strings.Repeat("x", 100)
	tests := []struct{ message, want string }{
		{"title\nbody", "title"},
		{"title\rbody", "title"},
		{"title\r\nbody", "title"},
		{"\nbody", ""},
		{"  \n\t", "--no commit message"},
		{"", "--no commit message"},
		{strings.Repeat("x", 99), strings.Repeat("x", 99)},
		{hundred, strings.Repeat("x", 80) + "…"}, // no space: cut at 80
		{strings.Repeat("abcd ", 25), strings.Repeat("abcd ", 16)[:79] + "…"}, // the space at 79
		{strings.Repeat("é", 50) + " " + strings.Repeat("é", 60), strings.Repeat("é", 50) + "…"},
		{strings.Repeat("a", 80) + " " + hundred, strings.Repeat("a", 80) + "…"}, // a space at 80
	}
	for _, tt := range tests {
		if got := commitTitle(tt.message); got != tt.want {
			t.Errorf("commitTitle(%q) = %q, want %q", tt.message, got, tt.want)
		}
	}
}

func TestChomp(t *testing.T) {
	for in, want := range map[string]string{"a\n": "a", "a\r\n": "a", "a\r": "a", "a\n\n": "a\n", "a": "a", "": "", "\r\n\r\n": "\r\n"} {
		if got := chomp(in); got != want {
			t.Errorf("chomp(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTransitionIDs(t *testing.T) {
	for in, want := range map[string][]string{"11": {"11"}, "11, 21;31": {"11", "21", "31"}, "a1b22": {"1", "22"}, "  7 ": {"7"}} {
		c, err := newClient(map[string]any{"url": "https://j.example", "username": "u", "password": "p", "jira_issue_transition_id": in}, testProject)
		if err != nil || !slices.Equal(c.ids, want) {
			t.Errorf("%q: %q, %v", in, c.ids, err)
		}
	}
}
