//go:build !unix

package pushhook

import "context"

// lock is a no-op where flock(2) is missing: the intake's UUID check still
// makes a resend harmless.
func (s Spool) lock(context.Context) (func(), error) { return func() {}, nil }
