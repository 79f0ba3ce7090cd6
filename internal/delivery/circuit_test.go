package delivery

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glint-dev/glint/internal/store"
)

// clock is a settable clock for the Deliverer.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func circuitFixture(t *testing.T, cfg Config) (*fixture, *clock, *[]targetKey) {
	f := newFixture(t, cfg)
	c := &clock{t: time.Now()}
	f.d.now = c.now
	woken := &[]targetKey{}
	f.d.wake = func(_ context.Context, projectID int64, service string) error {
		*woken = append(*woken, targetKey{projectID, service})
		return nil
	}
	return f, c, woken
}

func (f *fixture) target(t *testing.T) *store.Target {
	tg, err := f.st.Target(context.Background(), f.p.ID, "slack")
	must(t, err)
	return tg
}

func TestCircuitOpensProbesAndCloses(t *testing.T) {
	f, c, woken := circuitFixture(t, Config{MaxAttempts: 100, CircuitFailures: 3, CircuitPause: time.Minute, CircuitMaxPause: 3 * time.Minute})
	f.sink.Respond(503, "down")
	for i := range 3 {
		res, dl := f.attempt(t, f.event(t))
		if !res.Retry || res.Paused || dl.Status != store.DeliveryPending {
			t.Fatalf("failure %d: %+v %+v", i+1, res, dl)
		}
	}
	tg := f.target(t)
	if !tg.Open() || tg.Failures != 3 || !tg.PausedUntil.Equal(c.now().Add(time.Minute).UTC().Truncate(time.Microsecond)) {
		t.Fatalf("after 3 failures: %+v", tg)
	}
	// Paused: no attempt, no request, the delivery stays pending.
	sent := len(f.sink.Requests())
	waiting := f.event(t)
	res, dl := f.attempt(t, waiting)
	if !res.Paused || res.Retry || dl.Status != store.DeliveryPending || dl.Attempts != 0 || len(f.sink.Requests()) != sent {
		t.Fatalf("while paused: %+v %+v, %d requests", res, dl, len(f.sink.Requests())-sent)
	}
	// After the pause: a probe that fails pauses it for twice as long.
	c.add(time.Minute + time.Second)
	res, dl = f.attempt(t, waiting)
	if res.Paused || dl.Attempts != 1 || len(f.sink.Requests()) != sent+1 {
		t.Fatalf("probe: %+v %+v", res, dl)
	}
	if tg := f.target(t); !tg.Open() || tg.Pauses != 2 || tg.PausedUntil.Sub(c.now()) < 2*time.Minute-time.Millisecond {
		t.Fatalf("after a failed probe: %+v", tg)
	}
	// The next pause is capped at the most.
	c.add(2*time.Minute + time.Second)
	f.attempt(t, waiting)
	if tg := f.target(t); tg.Pauses != 3 || tg.PausedUntil.Sub(c.now()) > 3*time.Minute {
		t.Fatalf("pause not capped: %+v", tg)
	}
	// A probe that succeeds closes it and wakes its deliveries.
	c.add(3*time.Minute + time.Second)
	f.sink.Respond(200, "ok")
	_, dl = f.attempt(t, waiting)
	if dl.Status != store.DeliveryDelivered {
		t.Fatalf("successful probe: %+v", dl)
	}
	if tg := f.target(t); tg.Open() || tg.Failures != 0 {
		t.Fatalf("after a successful probe: %+v", tg)
	}
	if len(*woken) != 1 || (*woken)[0] != (targetKey{f.p.ID, "slack"}) {
		t.Fatalf("woken: %+v", *woken)
	}
}

func TestCircuitOneProbe(t *testing.T) {
	f, c, _ := circuitFixture(t, Config{MaxAttempts: 100, CircuitFailures: 1, CircuitPause: time.Minute})
	f.sink.Respond(503, "down")
	f.attempt(t, f.event(t))
	c.add(2 * time.Minute)
	first := f.event(t)
	// The probe's claim is held: a second delivery waits.
	ok, err := f.st.ClaimProbe(context.Background(), f.p.ID, "slack", c.now(), c.now().Add(time.Minute))
	must(t, err)
	if !ok {
		t.Fatal("no probe claimed")
	}
	if res, _ := f.attempt(t, first); !res.Paused {
		t.Fatalf("a second probe ran: %+v", res)
	}
}

func TestCircuitDeadlineNamesThePause(t *testing.T) {
	f, c, _ := circuitFixture(t, Config{MaxAttempts: 100, Deadline: time.Hour, CircuitFailures: 1, CircuitPause: 2 * time.Hour})
	f.sink.Respond(503, "down")
	f.attempt(t, f.event(t))
	waiting := f.event(t)
	if res, _ := f.attempt(t, waiting); !res.Paused {
		t.Fatalf("not paused: %+v", res)
	}
	// The node's circuit loop fails it once its deadline has passed.
	c.add(time.Hour + time.Minute)
	var queued []int64
	must(t, f.d.checkCircuits(context.Background(), func(_ context.Context, ids ...int64) error {
		queued = append(queued, ids...)
		return nil
	}))
	dl, err := f.st.Delivery(context.Background(), waiting)
	must(t, err)
	if dl.Status != store.DeliveryFailed || !strings.Contains(dl.LastError, "paused by its circuit breaker") || !strings.Contains(dl.LastError, "HTTP 503") {
		t.Fatalf("after the deadline: %+v", dl)
	}
	if len(queued) != 0 {
		t.Fatalf("probe queued during the pause: %v", queued)
	}
}

func TestCircuitLoopQueuesTheProbe(t *testing.T) {
	f, c, _ := circuitFixture(t, Config{MaxAttempts: 100, CircuitFailures: 1, CircuitPause: time.Minute})
	f.sink.Respond(503, "down")
	first := f.event(t)
	f.attempt(t, first)
	f.event(t)
	enqueue := func(got *[]int64) func(context.Context, ...int64) error {
		return func(_ context.Context, ids ...int64) error { *got = append(*got, ids...); return nil }
	}
	var queued []int64
	must(t, f.d.checkCircuits(context.Background(), enqueue(&queued)))
	if len(queued) != 0 {
		t.Fatalf("queued during the pause: %v", queued)
	}
	c.add(time.Minute)
	must(t, f.d.checkCircuits(context.Background(), enqueue(&queued)))
	if len(queued) != 1 || queued[0] != first {
		t.Fatalf("probe queued: %v, want [%d] (the oldest)", queued, first)
	}
}

func TestResumeClosesAndWakes(t *testing.T) {
	f, _, woken := circuitFixture(t, Config{MaxAttempts: 100, CircuitFailures: 1, CircuitPause: time.Hour})
	f.sink.Respond(503, "down")
	f.attempt(t, f.event(t))
	st, err := f.d.Circuit(context.Background(), f.p.ID, "slack")
	must(t, err)
	if st.State != "open" || st.FailuresInARow != 1 || st.PausedUntil == nil || st.LastError != "HTTP 503 Service Unavailable" {
		t.Fatalf("circuit: %+v", st)
	}
	st, err = f.d.Resume(context.Background(), f.p.ID, "slack", "test")
	must(t, err)
	if st.State != "closed" || st.FailuresInARow != 0 || st.PausedUntil != nil || len(*woken) != 1 {
		t.Fatalf("after Resume: %+v, woken %v", st, *woken)
	}
	// Resuming a closed target wakes nothing.
	if _, err := f.d.Resume(context.Background(), f.p.ID, "slack", "test"); err != nil || len(*woken) != 1 {
		t.Fatalf("resume of a closed target: %v, woken %v", err, *woken)
	}
}

func TestLimiter(t *testing.T) {
	l := newLimiter(20)
	k, other := targetKey{1, "slack"}, targetKey{2, "slack"}
	now := time.Now()
	for i := range targetStartLimit {
		if tk := l.acquire(k, now); !tk.ok {
			t.Fatalf("slot %d refused", i+1)
		}
	}
	// Full, and no attempt has ended for longer than holdWait (a target
	// that hangs): later deliveries wait in the queue, in successive turns.
	later := now.Add(holdWait + time.Millisecond)
	w1 := l.acquire(k, later)
	var w2 ticket
	for range 20 {
		w2 = l.acquire(k, later)
	}
	if w1.ok || w2.ok || w1.turn != nil || w1.wait < minLimitWait || w2.wait <= w1.wait || w2.wait > maxLimitWait {
		t.Fatalf("waits %+v %+v", w1, w2)
	}
	// Another target is not affected.
	if tk := l.acquire(other, now); !tk.ok {
		t.Fatal("another target refused")
	}
	if n := l.inFlight(); n != targetStartLimit+1 {
		t.Fatalf("in flight %d", n)
	}
	// A success grows the limit by one, up to the most.
	now = later.Add(10 * time.Millisecond)
	l.release(k, 10*time.Millisecond, false, now)
	for i := range 2 {
		if tk := l.acquire(k, now); !tk.ok {
			t.Fatalf("grown slot %d refused", i+1)
		}
	}
	// The target now ends attempts at a pace: the next waits in line here
	// and is handed the next slot that frees, in order.
	now = now.Add(time.Millisecond)
	l.release(k, 10*time.Millisecond, true, now) // a failure: the limit halves
	if s := l.targets[k]; s.limit != targetStartLimit {
		t.Fatalf("limit after a failure: %d", s.limit)
	}
	first, second := l.acquire(k, now), l.acquire(k, now)
	if first.turn == nil || second.turn == nil {
		t.Fatalf("not in line: %+v %+v", first, second)
	}
	// A success frees a slot (and grows the limit): the first in line
	// has it.
	l.release(k, 10*time.Millisecond, false, now)
	select {
	case <-first.turn:
	default:
		t.Fatal("the first in line got no slot")
	}
	// Leaving the line after the slot came releases it.
	l.leave(k, second.turn, now)
	if s := l.targets[k]; len(s.waiters) != 0 {
		t.Fatalf("still in line: %d", len(s.waiters))
	}
}

// TestLimiterTurnsStayNear: however many deliveries a busy healthy target
// turns away, their turns stay within two of its attempt times, spread in
// the order they were turned away. (Turns that ran ahead of a growing
// limit, seconds away, left its slots idle while its deliveries sat in
// the queue.)
func TestLimiterTurnsStayNear(t *testing.T) {
	l := newLimiter(200)
	k := targetKey{1, "slack"}
	now := time.Now()
	for range targetStartLimit {
		if tk := l.acquire(k, now); !tk.ok {
			t.Fatal("slot refused")
		}
	}
	// One round of 200 ms attempts ends: the target is healthy and busy.
	now = now.Add(200 * time.Millisecond)
	for range targetStartLimit {
		l.release(k, 200*time.Millisecond, false, now)
	}
	took := 200 * time.Millisecond
	for range l.targets[k].limit {
		l.acquire(k, now)
	}
	for range l.targets[k].limit { // the line fills
		if tk := l.acquire(k, now); tk.turn == nil {
			t.Fatalf("not in line: %+v", tk)
		}
	}
	var prev time.Duration
	for i := range 5000 {
		tk := l.acquire(k, now)
		if tk.ok || tk.turn != nil {
			t.Fatalf("delivery %d: %+v, want a wait in the queue", i, tk)
		}
		if tk.wait < took || tk.wait > 2*took {
			t.Fatalf("delivery %d turned away for %s, want within [%s, %s]", i, tk.wait, took, 2*took)
		}
		if i%l.targets[k].limit != 0 && tk.wait <= prev {
			t.Fatalf("delivery %d: wait %s not after the previous %s", i, tk.wait, prev)
		}
		prev = tk.wait
	}
}
