package delivery

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
)

// recordedInserts stands in for River's InsertMany: it records the
// delivery ids of each call, and holds a call while hold is set, until
// the test releases it.
type recordedInserts struct {
	mu      sync.Mutex
	calls   [][]int64
	hold    chan struct{} // nil: calls return at once
	arrived chan struct{}
}

func (r *recordedInserts) insert(_ context.Context, params []river.InsertManyParams) error {
	ids := make([]int64, len(params))
	for i, p := range params {
		ids[i] = p.Args.(deliveryArgs).DeliveryID
	}
	r.mu.Lock()
	r.calls = append(r.calls, ids)
	hold := r.hold
	r.mu.Unlock()
	r.arrived <- struct{}{}
	if hold != nil {
		<-hold
	}
	return nil
}

func (r *recordedInserts) last() []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls[len(r.calls)-1]
}

func (r *recordedInserts) holdNext() chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.hold = make(chan struct{})
	return r.hold
}

func (r *recordedInserts) wait(t *testing.T) {
	t.Helper()
	select {
	case <-r.arrived:
	case <-time.After(5 * time.Second):
		t.Fatal("no insert")
	}
}

// TestSubmitBatches: the intake's job inserts are made by the caller
// before Start and after Stop; between them by the batcher, which puts
// what arrived during an insert into the next one, and which Stop lets
// finish its inserts.
func TestSubmitBatches(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, Config{})
	rec := &recordedInserts{arrived: make(chan struct{}, 16)}
	noop := func(context.Context) error { return nil }
	q := &Queue{enqueue: rec.insert, start: noop, stop: noop, st: f.st, sweep: time.Hour, check: time.Hour, d: f.d, log: slog.New(slog.DiscardHandler)}

	must(t, q.Submit(ctx, 1))
	if len(rec.arrived) != 1 || !slices.Equal(rec.last(), []int64{1}) {
		t.Fatalf("before Start: inserts %v, want [[1]] made by Submit", rec.calls)
	}
	rec.wait(t)

	must(t, q.Start(ctx))
	release := rec.holdNext()
	must(t, q.Submit(ctx, 2))
	rec.wait(t) // the batcher is inserting 2, held
	must(t, q.Submit(ctx, 3))
	must(t, q.Submit(ctx, 4, 5))
	close(release)
	rec.wait(t)
	if got := rec.last(); !slices.Equal(got, []int64{3, 4, 5}) {
		t.Errorf("the deliveries submitted during an insert went in as %v, want one insert of [3 4 5]", got)
	}

	release = rec.holdNext()
	must(t, q.Submit(ctx, 6))
	rec.wait(t)
	must(t, q.Submit(ctx, 7))
	stopped := make(chan error)
	go func() { stopped <- q.Stop(ctx) }()
	select {
	case <-stopped:
		t.Fatal("Stop returned with an insert still waiting")
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	rec.wait(t)
	must(t, <-stopped)
	if got := rec.last(); !slices.Equal(got, []int64{7}) {
		t.Errorf("Stop left %v as the last insert, want [7]", got)
	}

	rec.mu.Lock()
	rec.hold = nil
	rec.mu.Unlock()
	must(t, q.Submit(ctx, 8))
	if len(rec.arrived) != 1 || !slices.Equal(rec.last(), []int64{8}) {
		t.Errorf("after Stop: last insert %v, want [8] made by Submit", rec.last())
	}
}
