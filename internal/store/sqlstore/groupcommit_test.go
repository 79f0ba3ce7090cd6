package sqlstore

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/glint-dev/glint/internal/store"
)

// TestEventBatcherGroups holds the first commit open while more callers
// arrive: the next commit must take all of them at once (up to
// maxEventBatch), and every caller must return only after a commit that
// included its write.
func TestEventBatcherGroups(t *testing.T) {
	b := newBatcher[*eventWrite]()
	release := make(chan struct{})
	var mu sync.Mutex
	var batches [][]*eventWrite
	committed := map[*eventWrite]bool{}
	commit := func(batch []*eventWrite) {
		mu.Lock()
		first := len(batches) == 0
		batches = append(batches, batch)
		for _, w := range batch {
			committed[w] = true
		}
		mu.Unlock()
		if first {
			<-release
		}
		for _, w := range batch {
			close(w.done)
		}
	}
	submit := func(w *eventWrite) {
		if err := b.submit(t.Context(), w, commit); err != nil {
			t.Error(err)
		}
		mu.Lock()
		defer mu.Unlock()
		if !committed[w] {
			t.Error("submit returned before its write was committed")
		}
	}

	var wg sync.WaitGroup
	wg.Go(func() { submit(newWrite(t.Context())) })
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(batches) == 1 })
	const waiting = maxEventBatch + 10
	for range waiting {
		wg.Go(func() { submit(newWrite(t.Context())) })
	}
	waitFor(t, func() bool { b.mu.Lock(); defer b.mu.Unlock(); return len(b.queued) == waiting })
	close(release)
	wg.Wait()

	sizes := make([]int, len(batches))
	for i, bt := range batches {
		sizes[i] = len(bt)
	}
	if len(batches) != 3 || sizes[0] != 1 || sizes[1] != maxEventBatch || sizes[2] != waiting-maxEventBatch {
		t.Fatalf("batch sizes %v, want [1 %d %d]", sizes, maxEventBatch, waiting-maxEventBatch)
	}
}

// TestEventBatcherLeaves lets a caller whose context ends while it waits
// return with the context's error; its write stays queued for the next
// commit.
func TestEventBatcherLeaves(t *testing.T) {
	b := newBatcher[*eventWrite]()
	b.turn <- struct{}{} // a commit is running
	ctx, cancel := context.WithCancel(t.Context())
	w := newWrite(ctx)
	done := make(chan error)
	go func() {
		done <- b.submit(ctx, w, func([]*eventWrite) { t.Error("committed while another commit runs") })
	}()
	waitFor(t, func() bool { b.mu.Lock(); defer b.mu.Unlock(); return len(b.queued) == 1 })
	cancel()
	if err := <-done; err != context.Canceled {
		t.Fatalf("submit = %v, want context.Canceled", err)
	}
	<-b.turn
	if got := b.take(); len(got) != 1 || got[0] != w {
		t.Fatalf("queued after the caller left: %v", got)
	}
}

func newWrite(ctx context.Context) *eventWrite {
	return &eventWrite{queuedWrite: newQueuedWrite(ctx)}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(time.Millisecond)
	}
}

// BenchmarkCreateEvent stores events from 16 goroutines per core on
// SQLite, as the intake does under load, with the group commit and
// without it (a transaction per event).
func BenchmarkCreateEvent(b *testing.B) {
	for _, grouped := range []bool{true, false} {
		b.Run(map[bool]string{true: "grouped", false: "per-event"}[grouped], func(b *testing.B) {
			s, err := OpenSQLite(b.TempDir() + "/glint.db")
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			if err := s.Migrate(b.Context()); err != nil {
				b.Fatal(err)
			}
			if !grouped {
				s.events = nil
			}
			projectID := benchProject(b, s)
			payload := []byte(`{"object_kind":"push","ref":"refs/heads/main"}`)
			b.SetParallelism(8) // 16 writers on 2 cores, as the bench's 16 clients
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					ev := &store.Event{ProjectID: projectID, Kind: "push", Header: "Push Hook", Payload: payload}
					if _, _, err := s.CreateEvent(b.Context(), ev, []string{"slack"}); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

func benchProject(b *testing.B, s *DB) int64 {
	ctx := b.Context()
	u := &store.User{Username: "bench", Name: "Bench", Email: "bench@example.com"}
	if err := s.CreateUser(ctx, u); err != nil {
		b.Fatal(err)
	}
	p := &store.Project{Name: "bench", Path: "bench", NamespaceID: u.NamespaceID, CreatorID: u.ID}
	if err := s.CreateProject(ctx, p); err != nil {
		b.Fatal(err)
	}
	return p.ID
}

// TestAttemptBatchFailsAlone commits a batch of attempts one of which
// cannot be recorded (its delivery does not exist): the others are
// stored, and only it reports an error.
func TestAttemptBatchFailsAlone(t *testing.T) {
	s, err := OpenSQLite(t.TempDir() + "/glint.db")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := t.Context()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	u := &store.User{Username: "alice", Name: "Alice", Email: "alice@example.com"}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	p := &store.Project{Name: "p", Path: "p", NamespaceID: u.NamespaceID, CreatorID: u.ID}
	if err := s.CreateProject(ctx, p); err != nil {
		t.Fatal(err)
	}
	ds, _, err := s.CreateEvent(ctx, &store.Event{ProjectID: p.ID, Kind: "push", Header: "Push Hook", Payload: []byte(`{}`)}, []string{"slack", "asana"})
	if err != nil {
		t.Fatal(err)
	}
	write := func(id int64) *attemptWrite {
		return &attemptWrite{queuedWrite: newQueuedWrite(ctx),
			attempt: store.Attempt{DeliveryID: id, Attempt: 1, StartedAt: time.Now(), StatusCode: 200}, status: store.DeliveryDelivered}
	}
	batch := []*attemptWrite{write(ds[0].ID), write(ds[1].ID + 1000), write(ds[1].ID)}
	s.commitAttempts(batch)
	if batch[0].err != nil || batch[2].err != nil || !errors.Is(batch[1].err, store.ErrNotFound) {
		t.Fatalf("errors: %v, %v, %v; want nil, not found, nil", batch[0].err, batch[1].err, batch[2].err)
	}
	for _, d := range ds {
		got, err := s.Delivery(ctx, d.ID)
		if err != nil || got.Status != store.DeliveryDelivered || got.Attempts != 1 {
			t.Fatalf("delivery %d: %+v, %v", d.ID, got, err)
		}
	}
}
