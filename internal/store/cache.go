package store

import (
	"context"
	"time"
)

// CacheEntry is one key of the reactive cache (package readback): a value
// computed in the background and shared by every node. It is a cache: it
// is not exported with the instance, and losing it only costs a fetch.
type CacheEntry struct {
	Key string
	// Value is the last value computed, nil when none was yet.
	Value []byte
	// ComputedAt is when Value was computed (zero when none).
	ComputedAt time.Time
	// ReadAt is the last time the key was read.
	ReadAt time.Time
	// LeaseUntil is when the lease of the node computing the key runs out
	// (zero, or in the past, when none holds it).
	LeaseUntil time.Time
}

// CacheStore keeps the reactive cache.
type CacheStore interface {
	// CacheRead returns the key's entry and records the read at at;
	// ErrNotFound when the key has no entry.
	CacheRead(ctx context.Context, key string, at time.Time) (*CacheEntry, error)
	// CacheLease takes the key's lease until until, creating the entry if
	// need be, unless another lease runs past now; it reports whether it
	// took it. One node at a time computes a key.
	CacheLease(ctx context.Context, key string, now, until time.Time) (bool, error)
	// CacheWrite stores the value computed at at and ends the lease.
	CacheWrite(ctx context.Context, key string, value []byte, at time.Time) error
	// CachePrune deletes the entries not read since before, and returns
	// how many it deleted.
	CachePrune(ctx context.Context, before time.Time) (int, error)
}
