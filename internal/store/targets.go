package store

import (
	"context"
	"time"
)

// Target is the circuit breaker's state of one target: one configured
// service of one project. A target that never failed has no row and reads
// as closed with no failures.
type Target struct {
	ProjectID int64
	Service   string
	// Failures counts failed attempts in a row.
	Failures int
	// Pauses counts the pauses in a row: each is twice the one before.
	Pauses int
	// OpenedAt is when the circuit opened; zero while closed.
	OpenedAt time.Time
	// PausedUntil is zero while closed; while open, no attempt starts
	// before it, and after it one probe attempt.
	PausedUntil time.Time
	// ProbeUntil is when the running probe attempt, if any, ends at the
	// latest.
	ProbeUntil time.Time
	// LastError is the last failed attempt's error.
	LastError string
}

// Open reports whether the circuit is open (the target is paused or
// being probed).
func (t *Target) Open() bool { return !t.PausedUntil.IsZero() }

// Failure is one failed attempt, as TargetFailed records it.
type Failure struct {
	At    time.Time
	Error string
	// Probe: the attempt was the probe of an open circuit; its failure
	// opens the circuit again for a longer pause.
	Probe bool
	// Threshold is the failures in a row that open a closed circuit.
	Threshold int
	// Pause is the length of the n-th pause in a row (n from 1).
	Pause func(n int) time.Duration
}

// TargetStore keeps the circuit breakers' state, shared by every node.
type TargetStore interface {
	// Target reads a target's state (closed with no failures if none).
	Target(ctx context.Context, projectID int64, service string) (*Target, error)
	// TargetFailed records a failed attempt atomically: one more failure
	// in a row; a closed circuit opens when they reach f.Threshold, an
	// open one opens again (a longer pause) when f.Probe. It returns the
	// state after, and whether this call opened the circuit.
	TargetFailed(ctx context.Context, projectID int64, service string, f Failure) (t *Target, opened bool, err error)
	// CloseTarget resets a target's state (a success, a resume) and
	// returns the state it had.
	CloseTarget(ctx context.Context, projectID int64, service string) (before *Target, err error)
	// ClaimProbe lets one attempt, on one node, probe an open target whose
	// pause is over: it reports true to the caller that set probe_until.
	ClaimProbe(ctx context.Context, projectID int64, service string, now, until time.Time) (bool, error)
	// OpenTargets lists the targets whose circuit is open.
	OpenTargets(ctx context.Context) ([]Target, error)
	// TargetPending lists a target's pending deliveries with ids above
	// afterID, in id order.
	TargetPending(ctx context.Context, projectID int64, service string, afterID int64, limit int) ([]Delivery, error)
	// FailTargetPending ends as failed, with reason, the target's pending
	// deliveries created before before; it returns how many.
	FailTargetPending(ctx context.Context, projectID int64, service string, before time.Time, reason string) (int, error)
}
