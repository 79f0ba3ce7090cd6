package slashcmd_test

import (
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/slashcmd"
)

func TestParse(t *testing.T) {
	tests := []struct {
		text string
		want slashcmd.Parsed // Command.Name only
	}{
		{"issue show #12", slashcmd.Parsed{IID: "12"}},
		{"issue new Title here\n\nLine one\nLine two \n\t\n", slashcmd.Parsed{Title: "Title here", Description: "Line one\nLine two"}},
		{"issue create  Spaced title", slashcmd.Parsed{Title: "Spaced title"}},
		{"issue new Only a title", slashcmd.Parsed{Title: "Only a title"}},
		{"issue search flaky ci\nsecond line", slashcmd.Parsed{Query: "flaky ci"}},
		{"issue move #3 to group/other", slashcmd.Parsed{IID: "3", ProjectPath: "group/other"}},
		{"issue close #8 please", slashcmd.Parsed{IID: "8"}},
		{"issue comment 8\n\n  Looks good.\nShip it.  \n", slashcmd.Parsed{IID: "8", Note: "Looks good.\nShip it."}},
		{"issue comment 8", slashcmd.Parsed{IID: "8"}},
		{"issue comment 8 same line", slashcmd.Parsed{IID: "8", Note: "same line"}},
		{"deploy staging to production", slashcmd.Parsed{From: "staging", To: "production"}},
		{"deploy review/app 1 to production eu", slashcmd.Parsed{From: "review/app 1", To: "production eu"}},
	}
	for _, tt := range tests {
		p, ok := slashcmd.Parse(tt.text)
		if !ok {
			t.Errorf("Parse(%q): no command", tt.text)
			continue
		}
		p.Command = slashcmd.Command{}
		if p != tt.want {
			t.Errorf("Parse(%q) = %+v, want %+v", tt.text, p, tt.want)
		}
	}
}

// FuzzParse: Parse never panics, agrees with Match, and captures what the
// commands need in the shape they use.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"issue show 1", "issue new T\nD\n", "issue search q", "issue close #2",
		"issue comment 3\nbody", "deploy a to b", "issue move 1 to x/y", "run job arg", "help", "", "issue new \x00\n\v",
		"issue comment 99999999999999999999999\n x", "deploy  to  to  to "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		p, ok := slashcmd.Parse(text)
		c, mok := slashcmd.Match(text)
		if ok != mok || p.Command.Name != c.Name {
			t.Fatalf("Parse %q %v, Match %q %v", p.Command.Name, ok, c.Name, mok)
		}
		if !ok {
			if p != (slashcmd.Parsed{}) {
				t.Fatalf("no command but %+v", p)
			}
			return
		}
		if strings.Trim(p.IID, "0123456789") != "" {
			t.Fatalf("iid %q", p.IID)
		}
		switch p.Command.Name {
		case "issue show", "issue close", "issue comment", "issue move":
			if p.IID == "" {
				t.Fatalf("%s without an iid", p.Command.Name)
			}
		case "deploy":
			if p.From == "" || p.To == "" {
				t.Fatalf("deploy %q to %q", p.From, p.To)
			}
		}
		if strings.Contains(p.Title, "\n") || strings.Contains(p.Query, "\n") {
			t.Fatalf("title %q query %q span lines", p.Title, p.Query)
		}
		if strings.TrimRight(p.Description, " \t\n\v\f\r\x00") != p.Description || strings.Trim(p.Note, " \t\n\v\f\r") != p.Note {
			t.Fatalf("description %q note %q not stripped", p.Description, p.Note)
		}
	})
}
