package asana_test

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/integration/asana"
)

func task(id string) asana.Task   { return asana.Task{ID: id} }
func closes(id string) asana.Task { return asana.Task{ID: id, Close: true} }

// taskCases are commit messages and the task references Ruby's scan with
// GitLab's issue_finder finds in them (each checked against Ruby's
// semantics with a possessive-capable backtracking engine).
var taskCases = []struct {
	msg  string
	want []asana.Task
}{
	{"#123", []asana.Task{task("123")}},
	{"fixes #123", []asana.Task{closes("123")}},
	{"Closes https://app.asana.com/0/1/456", []asana.Task{closes("456")}},
	{"fix#7", []asana.Task{closes("7")}},
	{"clos #9", []asana.Task{task("9")}},    // "clos" is not a closing word
	{"closure #5", []asana.Task{task("5")}}, // nor is "closu..."
	{"closi#4", []asana.Task{closes("4")}},
	{"#abc", []asana.Task{task("abc")}},
	{"foo#12", []asana.Task{task("12")}},
	{"task#12abc", []asana.Task{task("12abc")}},
	// The possessive \w*+ gives nothing back, so "close" cannot end
	// before "https"; "fix\w*" can.
	{"closehttps://app.asana.com/0/1/456", []asana.Task{task("456")}},
	{"fixhttps://app.asana.com/0/1/7", []asana.Task{closes("7")}},
	{"FIXED #1, closing #2 and #3", []asana.Task{closes("1"), closes("2"), task("3")}},
	{"#1 #1", []asana.Task{task("1"), task("1")}},
	{"fix #1 fix #1", []asana.Task{closes("1"), closes("1")}},
	{"closed: #5", []asana.Task{closes("5")}},
	{"close-#5", []asana.Task{closes("5")}},
	{"prefix #5", []asana.Task{closes("5")}},   // no word boundary before "fix"
	{"disclose #5", []asana.Task{closes("5")}}, // nor before "close"
	{"fix\n#7", []asana.Task{closes("7")}},
	{"fix_it #7", []asana.Task{closes("7")}},
	{"fixes #12, #34", []asana.Task{closes("12"), task("34")}},
	{"fix https://app.asana.com/0/1/2#3", []asana.Task{closes("2"), task("3")}},
	{"https://app.asana.com/0/abc_d/9z", []asana.Task{task("9z")}},
	{"HTTPS://APP.ASANA.COM/0/1/2", []asana.Task{task("2")}},
	{"see https://app.asana.com/0/1/2/f", []asana.Task{task("2")}},
	{"cloſe #1", []asana.Task{closes("1")}}, // ſ folds to s
	{"ﬁx #7", []asana.Task{task("7")}},      // no multi-character folding
	{"fix #", nil},
	{"# 12", nil},
	{"https://app.asana.com/0/1/", nil},
	{"http://app.asana.com/0/1/2", nil},
	{"https://app.asana.com/x/1/2", nil},
	{"#١٢", nil}, // \w is ASCII
	{"#é", nil},
	{"#ſ", nil}, // nor does case folding widen it: ſ is not a word character
	{"fixſ#1", []asana.Task{closes("1")}},
	{"#1K2", []asana.Task{task("1")}}, // nor is the Kelvin sign
	{"", nil},
}

func TestTasks(t *testing.T) {
	for _, tt := range taskCases {
		if got := asana.Tasks(tt.msg); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Tasks(%q) = %v, want %v", tt.msg, got, tt.want)
		}
		if got := rubyScan(tt.msg); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("model: rubyScan(%q) = %v, want %v", tt.msg, got, tt.want)
		}
	}
}

// TestTasksMatchRuby: the RE2 pattern finds what the model of Ruby's
// possessive pattern finds, for every message of up to three pieces of
// the pattern's own vocabulary (with the pieces that tell possessive from
// greedy apart) and for many longer ones drawn at random.
func TestTasksMatchRuby(t *testing.T) {
	pieces := []string{"fix", "Fixes", "close", "clos", "closi", "e", "#", " ", "\n", "-", "1", "x_", "h", "https",
		"https://app.asana.com/", "HTTPS://app.asana.com/0/", "0/", "ab/", "/", ":", "é", "ſ", "\u212a"}
	check := func(msg string) {
		if got, want := asana.Tasks(msg), rubyScan(msg); !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: Tasks %v, Ruby %v", msg, got, want)
		}
	}
	var walk func(prefix string, depth int)
	walk = func(prefix string, depth int) {
		check(prefix)
		if depth < 3 {
			for _, p := range pieces {
				walk(prefix+p, depth+1)
			}
		}
	}
	walk("", 0)
	rnd := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var b strings.Builder
		for range 4 + rnd.IntN(6) {
			b.WriteString(pieces[rnd.IntN(len(pieces))])
		}
		check(b.String())
	}
}
