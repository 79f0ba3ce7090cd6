package readbacktest

import (
	"slices"
	"testing"

	"github.com/glint-dev/glint/internal/integration"
)

// FuzzReader runs a status query's reader on answers made of the fuzzed
// status and body: it must never panic, and must answer one of allowed
// (StatusError among them) with the build page a fixed function of the
// answer's status (checked by asking twice).
func FuzzReader(f *testing.F, q integration.StatusQuery, allowed []string, seeds ...string) {
	for _, s := range seeds {
		f.Add(200, []byte(s))
		f.Add(404, []byte(s))
	}
	f.Add(500, []byte("oops"))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		a := integration.Answer{Status: status, Body: body}
		got := q.Read(a)
		if !slices.Contains(allowed, got.Status) {
			t.Errorf("status %d, body %q: %q is not an allowed status", status, body, got.Status)
		}
		if again := q.Read(a); again != got {
			t.Errorf("status %d, body %q: %+v then %+v", status, body, got, again)
		}
	})
}
