package storetest

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/glint-dev/glint/internal/store"
)

// testCache: the reactive cache's lease is taken by one caller at a time
// until it runs out or the value is written; reads record their time and
// see the value and when it was computed; pruning drops what was not read.
func testCache(t *testing.T, s store.Store) {
	ctx := ctxOf(t)
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)

	_, err := s.CacheRead(ctx, "k", t0)
	wantErr(t, err, store.ErrNotFound, "read of a missing key")

	got, err := s.CacheLease(ctx, "k", t0, t0.Add(2*time.Minute))
	noErr(t, err, "first lease")
	if !got {
		t.Fatal("the first lease was refused")
	}
	got, err = s.CacheLease(ctx, "k", t0.Add(time.Minute), t0.Add(3*time.Minute))
	noErr(t, err, "second lease")
	if got {
		t.Fatal("a second lease was granted while the first runs")
	}
	e, err := s.CacheRead(ctx, "k", t0.Add(time.Second))
	noErr(t, err, "read while computing")
	if e.Value != nil || !e.ComputedAt.IsZero() {
		t.Errorf("value before any write: %+v", e)
	}
	sameTime(t, "lease", e.LeaseUntil, t0.Add(2*time.Minute))
	sameTime(t, "read_at", e.ReadAt, t0.Add(time.Second))

	noErr(t, s.CacheWrite(ctx, "k", []byte(`{"status":"success"}`), t0.Add(5*time.Second)), "write")
	e, err = s.CacheRead(ctx, "k", t0.Add(6*time.Second))
	noErr(t, err, "read")
	if string(e.Value) != `{"status":"success"}` || !e.LeaseUntil.IsZero() {
		t.Errorf("after write: %+v", e)
	}
	sameTime(t, "computed_at", e.ComputedAt, t0.Add(5*time.Second))

	// The write ended the lease: a refresh may take it at once.
	got, err = s.CacheLease(ctx, "k", t0.Add(7*time.Second), t0.Add(time.Minute))
	noErr(t, err, "lease after write")
	if !got {
		t.Error("lease refused after the write ended the previous one")
	}
	// A lease that ran out is taken over (its node died).
	got, err = s.CacheLease(ctx, "k", t0.Add(2*time.Minute), t0.Add(4*time.Minute))
	noErr(t, err, "lease after expiry")
	if !got {
		t.Error("an expired lease was not taken over")
	}
	e, _ = s.CacheRead(ctx, "k", t0.Add(2*time.Minute))
	if string(e.Value) != `{"status":"success"}` {
		t.Errorf("a new lease lost the value: %+v", e)
	}

	// Concurrent leases of a new key: exactly one wins.
	var wins atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			ok, err := s.CacheLease(ctx, "race", t0, t0.Add(time.Minute))
			if err != nil {
				t.Error(err)
			}
			if ok {
				wins.Add(1)
			}
		})
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Errorf("%d concurrent leases won, want 1", wins.Load())
	}

	noErr(t, s.CacheWrite(ctx, "old", []byte("x"), t0), "write old")
	n, err := s.CachePrune(ctx, t0.Add(time.Minute))
	noErr(t, err, "prune")
	if n != 2 { // "old" and "race" were last read at t0
		t.Errorf("pruned %d, want 2", n)
	}
	if _, err := s.CacheRead(ctx, "k", t0.Add(3*time.Minute)); err != nil {
		t.Errorf("a key read recently was pruned: %v", err)
	}
}
