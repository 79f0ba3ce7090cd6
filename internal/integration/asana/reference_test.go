package asana_test

import (
	"strings"
	"unicode/utf8"

	"github.com/glint-dev/glint/internal/integration/asana"
)

// rubyScan is an independent model of Ruby's
// message.scan(/(fix\w*|clos[ei]\w*+)?\W*(?:https:\/\/app\.asana\.com\/\d+\/\w+\/(\w+)|#(\w+))/i):
// a backtracking matcher written out by hand, trying the alternatives in
// Onigmo's order, greedy quantifiers longest first, and the possessive
// "\w*+" at its longest only. Case is folded as Unicode simple folding
// does; \w, \W and \d are ASCII, as in Ruby.
func rubyScan(s string) []asana.Task {
	var out []asana.Task
	for pos := 0; pos < len(s); {
		if end, t, ok := matchAt(s, pos); ok {
			out = append(out, t)
			pos = end // a match is never empty
			continue
		}
		_, w := utf8.DecodeRuneInString(s[pos:])
		pos += w
	}
	return out
}

// matchAt is the pattern anchored at i.
func matchAt(s string, i int) (end int, t asana.Task, ok bool) {
	// (fix\w*: give back one word character at a time.
	if j, ok := literal(s, i, "fix"); ok {
		for k := wordEnd(s, j); k >= j; k-- {
			if end, id, ok := rest(s, k); ok {
				return end, asana.Task{ID: id, Close: true}, true
			}
		}
	}
	// |clos[ei]\w*+: the longest run of word characters only.
	if j, ok := literal(s, i, "clos"); ok {
		if j, ok := oneOf(s, j, "ei"); ok {
			if end, id, ok := rest(s, wordEnd(s, j)); ok {
				return end, asana.Task{ID: id, Close: true}, true
			}
		}
	}
	// )? left out.
	if end, id, ok := rest(s, i); ok {
		return end, asana.Task{ID: id}, true
	}
	return 0, asana.Task{}, false
}

// rest is \W*(?:https://app\.asana\.com/\d+/\w+/(\w+)|#(\w+)) at k.
func rest(s string, k int) (end int, id string, ok bool) {
	stops := []int{k}
	for p := k; p < len(s); {
		r, w := utf8.DecodeRuneInString(s[p:])
		if isWord(r) {
			break
		}
		p += w
		stops = append(stops, p)
	}
	for n := len(stops) - 1; n >= 0; n-- {
		m := stops[n]
		if end, id, ok := asanaURL(s, m); ok {
			return end, id, true
		}
		if m < len(s) && s[m] == '#' {
			if e := wordEnd(s, m+1); e > m+1 {
				return e, s[m+1 : e], true
			}
		}
	}
	return 0, "", false
}

// asanaURL is https://app\.asana\.com/\d+/\w+/(\w+) at m. A shorter \d+
// or \w+ would leave a digit or word character where "/" must be, so the
// longest is the only way.
func asanaURL(s string, m int) (end int, id string, ok bool) {
	j, ok := literal(s, m, "https://app.asana.com/")
	if !ok {
		return 0, "", false
	}
	d := j
	for d < len(s) && '0' <= s[d] && s[d] <= '9' {
		d++
	}
	if d == j || d == len(s) || s[d] != '/' {
		return 0, "", false
	}
	w := wordEnd(s, d+1)
	if w == d+1 || w == len(s) || s[w] != '/' {
		return 0, "", false
	}
	e := wordEnd(s, w+1)
	if e == w+1 {
		return 0, "", false
	}
	return e, s[w+1 : e], true
}

// literal matches lit at i, folding case.
func literal(s string, i int, lit string) (int, bool) {
	for _, c := range lit {
		if i >= len(s) {
			return 0, false
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		if !strings.EqualFold(string(r), string(c)) {
			return 0, false
		}
		i += w
	}
	return i, true
}

// oneOf matches one of the characters of set at i, folding case.
func oneOf(s string, i int, set string) (int, bool) {
	for _, c := range set {
		if j, ok := literal(s, i, string(c)); ok {
			return j, true
		}
	}
	return 0, false
}

func isWord(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '_'
}

// wordEnd is the end of the run of word characters at i.
func wordEnd(s string, i int) int {
	for i < len(s) && isWord(rune(s[i])) {
		i++
	}
	return i
}
