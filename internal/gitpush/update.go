// Package gitpush builds GitLab's push and tag push webhook payloads from a
// git repository and the ref updates git hands a post-receive hook, so that
// a push to any plain git server can drive glint's integrations.
//
// It reads the repository with go-git and does nothing else: no network,
// no files written. Sending and spooling live in internal/pushhook; the
// command in cmd/glint (glint hook). It must not import the API, the store
// or any integration (the event package gives it the types it shares
// with the intake).
package gitpush

import (
	"fmt"
	"io"
	"strings"
)

// BlankSHA is the all-zero object name git uses for a ref that did not
// exist before (create) or does not exist after (delete).
const BlankSHA = "0000000000000000000000000000000000000000"

// Update is one line of a post-receive hook's standard input: the ref's
// old and new object names and its full name.
type Update struct {
	Old, New, Ref string
}

// Create reports whether the ref did not exist before the push.
func (u Update) Create() bool { return u.Old == BlankSHA }

// Delete reports whether the push removed the ref.
func (u Update) Delete() bool { return u.New == BlankSHA }

// MaxLineBytes bounds one input line: two object names and a ref name
// (git refuses ref names longer than its own path limits long before).
const MaxLineBytes = 4096

// ParseLine reads one "<old> <new> <ref>" line (without its newline). Object
// names are 40 (SHA-1) or 64 (SHA-256) lowercase hex digits, both of the
// same length; the ref must be a full ref name under refs/.
func ParseLine(line string) (Update, error) {
	line = strings.TrimSuffix(line, "\r")
	f := strings.Split(line, " ")
	if len(f) != 3 {
		return Update{}, fmt.Errorf("want \"<old> <new> <ref>\", got %d fields", len(f))
	}
	u := Update{Old: f[0], New: f[1], Ref: f[2]}
	if !isObjectName(u.Old) || !isObjectName(u.New) || len(u.Old) != len(u.New) {
		return Update{}, fmt.Errorf("object names %.64q and %.64q are not hex object names of one length", u.Old, u.New)
	}
	if len(u.Old) == 64 {
		return Update{}, fmt.Errorf("SHA-256 repositories are not supported")
	}
	if !validRef(u.Ref) {
		return Update{}, fmt.Errorf("%.200q is not a full ref name", u.Ref)
	}
	if u.Create() && u.Delete() {
		return Update{}, fmt.Errorf("both object names are blank")
	}
	return u, nil
}

func isObjectName(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// validRef checks the parts of git's check-ref-format that a hook must
// trust: a name under refs/, no control characters, spaces or "..", no
// empty component, and not too long.
func validRef(ref string) bool {
	if !strings.HasPrefix(ref, "refs/") || len(ref) > 1024 || strings.Contains(ref, "..") ||
		strings.Contains(ref, "//") || strings.HasSuffix(ref, "/") || strings.HasSuffix(ref, ".lock") {
		return false
	}
	for _, r := range ref {
		if r < 0x20 || r == 0x7f || r == ' ' || r == '~' || r == '^' || r == ':' || r == '?' || r == '*' || r == '[' || r == '\\' {
			return false
		}
	}
	return true
}

// MaxInputBytes bounds a hook's whole input (some 50,000 ref updates).
const MaxInputBytes = 8 << 20

// ParseUpdates reads every line of a post-receive hook's input. Blank
// lines are skipped; a line that does not parse (or is longer than
// MaxLineBytes) is reported in errs with its line number and skipped, so
// one bad line never loses the others.
func ParseUpdates(r io.Reader) (updates []Update, errs []error) {
	in, err := io.ReadAll(io.LimitReader(r, MaxInputBytes+1))
	if err != nil {
		errs = append(errs, fmt.Errorf("reading the input: %w", err))
	}
	if len(in) > MaxInputBytes {
		in = in[:MaxInputBytes]
		errs = append(errs, fmt.Errorf("the input is over %d bytes: the rest is skipped", MaxInputBytes))
	}
	for n, line := range strings.Split(string(in), "\n") {
		switch {
		case strings.TrimSpace(line) == "":
			continue
		case len(line) > MaxLineBytes:
			errs = append(errs, fmt.Errorf("line %d: longer than %d bytes", n+1, MaxLineBytes))
			continue
		}
		u, err := ParseLine(line)
		if err != nil {
			errs = append(errs, fmt.Errorf("line %d: %w", n+1, err))
			continue
		}
		updates = append(updates, u)
	}
	return updates, errs
}
