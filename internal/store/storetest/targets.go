package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/glint-dev/glint/internal/store"
)

func testTargets(t *testing.T, s store.Store) {
	ctx := ctxOf(t)
	p := mkServiceProject(t, s)
	start := time.Now().UTC().Truncate(time.Microsecond)
	pause := func(n int) time.Duration { return time.Duration(n) * time.Minute }
	fail := func(at time.Time, probe bool, msg string) (*store.Target, bool) {
		t.Helper()
		tg, opened, err := s.TargetFailed(ctx, p.ID, "slack", store.Failure{At: at, Error: msg, Probe: probe, Threshold: 3, Pause: pause})
		noErr(t, err, "TargetFailed")
		return tg, opened
	}

	// A target never failed reads closed.
	tg, err := s.Target(ctx, p.ID, "slack")
	noErr(t, err, "Target")
	if tg.Open() || tg.Failures != 0 || tg.ProjectID != p.ID || tg.Service != "slack" {
		t.Fatalf("fresh target: %+v", tg)
	}
	// Two failures: still closed.
	fail(start, false, "HTTP 503")
	if tg, opened := fail(start, false, "HTTP 502"); opened || tg.Open() || tg.Failures != 2 || tg.LastError != "HTTP 502" {
		t.Fatalf("after 2 failures: opened=%v %+v", opened, tg)
	}
	// The third opens it for the first pause.
	tg, opened := fail(start.Add(time.Second), false, "timeout")
	if !opened || !tg.Open() || tg.Pauses != 1 || !tg.PausedUntil.Equal(start.Add(time.Second+time.Minute)) || !tg.OpenedAt.Equal(start.Add(time.Second)) {
		t.Fatalf("after 3 failures: opened=%v %+v", opened, tg)
	}
	got, err := s.Target(ctx, p.ID, "slack")
	noErr(t, err, "Target")
	if !got.Open() || got.Failures != 3 || !got.PausedUntil.Equal(tg.PausedUntil) || got.LastError != "timeout" {
		t.Fatalf("stored: %+v", got)
	}
	// An attempt that was in flight when it opened fails: the pause stays.
	if tg, opened := fail(start.Add(2*time.Second), false, "late"); opened || tg.Pauses != 1 || !tg.PausedUntil.Equal(got.PausedUntil) {
		t.Fatalf("late failure changed the pause: %+v", tg)
	}
	open, err := s.OpenTargets(ctx)
	noErr(t, err, "OpenTargets")
	if len(open) != 1 || open[0].Service != "slack" {
		t.Fatalf("OpenTargets: %+v", open)
	}

	// No probe before the pause is over; then exactly one of many.
	ok, err := s.ClaimProbe(ctx, p.ID, "slack", start.Add(30*time.Second), start.Add(40*time.Second))
	noErr(t, err, "ClaimProbe")
	if ok {
		t.Fatal("probe claimed during the pause")
	}
	after := got.PausedUntil.Add(time.Millisecond)
	var wg sync.WaitGroup
	var mu sync.Mutex
	claims := 0
	for range 8 {
		wg.Go(func() {
			ok, err := s.ClaimProbe(ctx, p.ID, "slack", after, after.Add(10*time.Second))
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if ok {
				claims++
			}
		})
	}
	wg.Wait()
	if claims != 1 {
		t.Fatalf("%d probes claimed at once, want 1", claims)
	}
	// Its failure opens it again for twice as long.
	tg, opened = fail(after.Add(time.Second), true, "still down")
	if opened || tg.Pauses != 2 || !tg.PausedUntil.Equal(after.Add(time.Second+2*time.Minute)) || !tg.ProbeUntil.IsZero() {
		t.Fatalf("after a failed probe: %+v", tg)
	}

	// The sweeper's list leaves out the deliveries of an open target.
	ev := &store.Event{ProjectID: p.ID, UUID: "t-1", Kind: "push", Header: "Push Hook", Payload: []byte(`{}`)}
	ds, _, err := s.CreateEvent(ctx, ev, []string{"slack", "asana"})
	noErr(t, err, "CreateEvent")
	ev2 := &store.Event{ProjectID: p.ID, UUID: "t-2", Kind: "push", Header: "Push Hook", Payload: []byte(`{}`)}
	ds2, _, err := s.CreateEvent(ctx, ev2, []string{"slack"})
	noErr(t, err, "CreateEvent")
	pending, err := s.PendingDeliveries(ctx, 0, 10)
	noErr(t, err, "PendingDeliveries")
	if len(pending) != 1 || pending[0].Service != "asana" {
		t.Fatalf("pending while slack is paused: %+v", pending)
	}
	mine, err := s.TargetPending(ctx, p.ID, "slack", 0, 10)
	noErr(t, err, "TargetPending")
	if len(mine) != 2 || mine[0].ID != ds[0].ID || mine[1].ID != ds2[0].ID {
		t.Fatalf("TargetPending: %+v", mine)
	}
	if mine, _ := s.TargetPending(ctx, p.ID, "slack", ds[0].ID, 10); len(mine) != 1 || mine[0].ID != ds2[0].ID {
		t.Fatalf("TargetPending after the first: %+v", mine)
	}

	// Closing returns the state it had and resets it.
	before, err := s.CloseTarget(ctx, p.ID, "slack")
	noErr(t, err, "CloseTarget")
	if !before.Open() || before.Failures != 5 {
		t.Fatalf("CloseTarget before: %+v", before)
	}
	if tg, _ := s.Target(ctx, p.ID, "slack"); tg.Open() || tg.Failures != 0 || tg.Pauses != 0 {
		t.Fatalf("after CloseTarget: %+v", tg)
	}
	if before, _ := s.CloseTarget(ctx, p.ID, "slack"); before.Open() || before.Failures != 0 {
		t.Fatalf("closing a closed target: %+v", before)
	}
	if pending, _ := s.PendingDeliveries(ctx, 0, 10); len(pending) != 3 {
		t.Fatalf("pending after the resume: %+v", pending)
	}
	if open, _ := s.OpenTargets(ctx); len(open) != 0 {
		t.Fatalf("OpenTargets after the resume: %+v", open)
	}

	// Deliveries created before the cut end failed with the reason.
	n, err := s.FailTargetPending(ctx, p.ID, "slack", time.Now().Add(time.Hour), "paused")
	noErr(t, err, "FailTargetPending")
	if n != 2 {
		t.Fatalf("FailTargetPending: %d", n)
	}
	d, err := s.Delivery(ctx, ds[0].ID)
	noErr(t, err, "Delivery")
	if d.Status != store.DeliveryFailed || d.LastError != "paused" {
		t.Fatalf("after FailTargetPending: %+v", d)
	}
	if d, _ := s.Delivery(ctx, ds[1].ID); d.Status != store.DeliveryPending {
		t.Fatalf("another target's delivery: %+v", d)
	}
	if n, _ := s.FailTargetPending(ctx, p.ID, "slack", time.Now().Add(time.Hour), "paused"); n != 0 {
		t.Fatalf("FailTargetPending twice: %d", n)
	}
}
