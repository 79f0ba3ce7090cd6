package asana

import "regexp"

// taskFinder is GitLab's issue_finder (asana_service.rb, 12.x), written
// for RE2:
//
//	Ruby: /(fix\w*|clos[ei]\w*+)?\W*(?:https:\/\/app\.asana\.com\/\d+\/\w+\/(\w+)|#(\w+))/i
//	Go:   ((?i:fix)\w*|(?i:clos[ei])\w*\b)?\W*(?:(?i:https://app\.asana\.com/)\d+/\w+/(\w+)|#(\w+))
//
// RE2 has no possessive quantifier. "\w*+" takes every word character
// and never gives one back; after "clos[ei]\w*" that is the same as
// requiring a word boundary: a shorter "\w*" leaves a word character on
// both sides, where "\b" fails, so the only way left is the longest. Giving
// back would matter in one case only: "closehttps://app.asana.com/0/1/2",
// where a plain "\w*" could stop before "https" and take "close" as the
// closing word; Ruby (and this pattern) find the task without closing it,
// while "fixhttps://..." closes it ("fix\w*" is not possessive). Go's
// regexp picks, among the leftmost matches, the one a backtracking engine
// would (leftmost-first), so the rest of the pattern behaves as Ruby's.
//
// Case: \w, \W, \d and \b are ASCII in both ([a-zA-Z0-9_] for \w), and
// Ruby's /i does not widen a bare \w or \W. Go's (?i) would (its \w
// would take "ſ" and the Kelvin sign, which fold to s and k), so only the
// literals are case-insensitive here, folded as Unicode simple folding
// does in both engines ("cloſe" is "close"; Onigmo issue 141). Not
// reproduced: Ruby's multi-character folding (the ligature "ﬁ" for "fi")
// and Onigmo's old \W-under-/i anomalies (Ruby bug 4044).
var taskFinder = regexp.MustCompile(`((?i:fix)\w*|(?i:clos[ei])\w*\b)?\W*(?:(?i:https://app\.asana\.com/)\d+/\w+/(\w+)|#(\w+))`)

// Task is one task reference in a commit message.
type Task struct {
	ID string // the "#" id, or else the URL's task id: word characters only
	// Close is set when a word starting with fix, close or closi (any
	// case) came before the reference.
	Close bool
}

// Tasks are the task references in message, in order, as Ruby's
// message.scan(issue_finder) finds them: repeats are kept, since GitLab
// comments once per reference.
func Tasks(message string) []Task {
	var tasks []Task
	for _, m := range taskFinder.FindAllStringSubmatchIndex(message, -1) {
		t := Task{Close: m[2] >= 0}
		switch {
		case m[6] >= 0: // "#<id>", GitLab's tuple[2]
			t.ID = message[m[6]:m[7]]
		default: // the URL's task id, tuple[1]
			t.ID = message[m[4]:m[5]]
		}
		tasks = append(tasks, t)
	}
	return tasks
}
