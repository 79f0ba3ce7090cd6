package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/glint-dev/glint/internal/store"
)

func testDeliveries(t *testing.T, s store.Store) {
	ctx := ctxOf(t)
	p := mkServiceProject(t, s)
	ev := &store.Event{ProjectID: p.ID, UUID: "u-1", Kind: "push", Header: "Push Hook", Payload: []byte(`{"object_kind":"push"}`)}
	ds, dup, err := s.CreateEvent(ctx, ev, []string{"slack", "asana"})
	noErr(t, err, "CreateEvent")
	if dup || len(ds) != 2 || ev.ID == 0 || ds[0].ID == 0 || ds[0].Status != store.DeliveryPending {
		t.Fatalf("CreateEvent: dup=%v deliveries=%+v", dup, ds)
	}
	got, err := s.Event(ctx, ev.ID)
	noErr(t, err, "Event")
	if string(got.Payload) != `{"object_kind":"push"}` || got.UUID != "u-1" || got.Header != "Push Hook" {
		t.Fatalf("Event: %+v", got)
	}
	// Attempts: a failure that will retry, then success.
	a1 := store.Attempt{DeliveryID: ds[0].ID, Attempt: 1, StartedAt: time.Now(), Duration: 1500 * time.Microsecond, StatusCode: 503, ResponseBody: "busy", Error: "503"}
	noErr(t, s.RecordAttempt(ctx, a1, store.DeliveryPending, "503"), "RecordAttempt 1")
	a2 := store.Attempt{DeliveryID: ds[0].ID, Attempt: 2, StartedAt: time.Now(), Duration: time.Millisecond, StatusCode: 200, ResponseBody: "ok", Request: "POST https://hooks.example.com/services/… (12 bytes)"}
	noErr(t, s.RecordAttempt(ctx, a2, store.DeliveryDelivered, ""), "RecordAttempt 2")
	d, err := s.Delivery(ctx, ds[0].ID)
	noErr(t, err, "Delivery")
	if d.Status != store.DeliveryDelivered || d.Attempts != 2 || d.LastError != "" {
		t.Fatalf("delivery after attempts: %+v", d)
	}
	attempts, err := s.Attempts(ctx, ds[0].ID)
	noErr(t, err, "Attempts")
	if len(attempts) != 2 || attempts[0].StatusCode != 503 || attempts[0].Duration != a1.Duration || attempts[1].ResponseBody != "ok" ||
		attempts[0].Request != "" || attempts[1].Request != a2.Request {
		t.Fatalf("attempts: %+v", attempts)
	}
	// A duplicate attempt number is refused, and changes nothing.
	if err := s.RecordAttempt(ctx, a2, store.DeliveryFailed, "x"); err == nil {
		t.Fatal("the same attempt recorded twice")
	}
	// Listing, newest first, with the total.
	list, total, err := s.Deliveries(ctx, p.ID, "slack", 0, 10)
	noErr(t, err, "Deliveries")
	if total != 1 || len(list) != 1 || list[0].ID != ds[0].ID {
		t.Fatalf("Deliveries: %d %+v", total, list)
	}
	// Pending: only asana's is left.
	pending, err := s.PendingDeliveries(ctx, 0, 10)
	noErr(t, err, "PendingDeliveries")
	if len(pending) != 1 || pending[0].Service != "asana" {
		t.Fatalf("pending: %+v", pending)
	}
	n, oldest, err := s.PendingStats(ctx)
	noErr(t, err, "PendingStats")
	if n != 1 || oldest.IsZero() {
		t.Fatalf("PendingStats: %d %v", n, oldest)
	}
	// Retry makes a finished delivery pending again.
	noErr(t, s.ResetDelivery(ctx, ds[0].ID), "ResetDelivery")
	if d, _ := s.Delivery(ctx, ds[0].ID); d.Status != store.DeliveryPending {
		t.Fatalf("after reset: %s", d.Status)
	}
	wantErr(t, s.ResetDelivery(ctx, 1<<40), store.ErrNotFound, "ResetDelivery unknown")
	// Pruning keeps events with pending deliveries; takes finished ones.
	removed, err := s.PruneEvents(ctx, time.Now().Add(time.Hour))
	noErr(t, err, "PruneEvents")
	if removed != 0 {
		t.Fatalf("pruned an event with pending deliveries")
	}
	for _, dl := range ds {
		noErr(t, s.RecordAttempt(ctx, store.Attempt{DeliveryID: dl.ID, Attempt: 9, StartedAt: time.Now()}, store.DeliveryFailed, "gave up"), "finish")
	}
	removed, err = s.PruneEvents(ctx, time.Now().Add(time.Hour))
	noErr(t, err, "PruneEvents")
	if removed != 1 {
		t.Fatalf("pruned %d events, want 1", removed)
	}
	_, err = s.Delivery(ctx, ds[0].ID)
	wantErr(t, err, store.ErrNotFound, "delivery of a pruned event")
}

func testDeliveryDuplicates(t *testing.T, s store.Store) {
	ctx := ctxOf(t)
	p := mkServiceProject(t, s)
	first := &store.Event{ProjectID: p.ID, UUID: "same", Kind: "push", Header: "Push Hook", Payload: []byte(`{}`)}
	_, dup, err := s.CreateEvent(ctx, first, []string{"slack"})
	noErr(t, err, "first")
	if dup {
		t.Fatal("first event reported duplicate")
	}
	again := &store.Event{ProjectID: p.ID, UUID: "same", Kind: "push", Header: "Push Hook", Payload: []byte(`{}`)}
	ds, dup, err := s.CreateEvent(ctx, again, []string{"slack"})
	noErr(t, err, "again")
	if !dup || len(ds) != 0 {
		t.Fatalf("repeat UUID: dup=%v deliveries=%d", dup, len(ds))
	}
	// Events without a UUID are never duplicates.
	for i := 0; i < 2; i++ {
		_, dup, err := s.CreateEvent(ctx, &store.Event{ProjectID: p.ID, Kind: "push", Header: "Push Hook", Payload: []byte(`{}`)}, nil)
		noErr(t, err, "no uuid")
		if dup {
			t.Fatal("an event without UUID was a duplicate")
		}
	}
	pending, _ := s.PendingDeliveries(ctx, 0, 100)
	if len(pending) != 1 {
		t.Fatalf("%d pending deliveries, want 1", len(pending))
	}
}

// testConcurrentEvents stores events from many goroutines at once, as the
// intake does under load (the store may commit them together): every
// event is stored whole, with deliveries of its own, and each UUID is
// stored once per project however many callers race with it.
func testConcurrentEvents(t *testing.T, s store.Store) {
	ctx := ctxOf(t)
	p := mkServiceProject(t, s)
	other := mkProject(t, s, p.NamespaceID, "other", p.CreatorID)
	const uuids, perUUID, anonymous = 6, 5, 12
	type result struct {
		project int64
		uuid    string
		event   int64
		ds      []store.Delivery
		dup     bool
		err     error
	}
	var calls []result
	for _, proj := range []int64{p.ID, other.ID} {
		for i := range uuids * perUUID {
			calls = append(calls, result{project: proj, uuid: fmt.Sprintf("c-%d", i%uuids)})
		}
		for range anonymous {
			calls = append(calls, result{project: proj})
		}
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range calls {
		c := &calls[i]
		wg.Go(func() {
			<-start
			ev := &store.Event{ProjectID: c.project, UUID: c.uuid, Kind: "push", Header: "Push Hook", Payload: fmt.Appendf(nil, `{"n":%d}`, i)}
			c.ds, c.dup, c.err = s.CreateEvent(ctx, ev, []string{"slack", "asana"})
			c.event = ev.ID
		})
	}
	close(start)
	wg.Wait()

	stored := map[string]int{} // project/uuid -> events stored
	events, deliveries := map[int64]bool{}, map[int64]bool{}
	for i, c := range calls {
		noErr(t, c.err, fmt.Sprintf("call %d", i))
		if c.dup {
			if c.uuid == "" || len(c.ds) != 0 {
				t.Fatalf("call %d (uuid %q): duplicate with %d deliveries", i, c.uuid, len(c.ds))
			}
			continue
		}
		stored[fmt.Sprintf("%d/%s", c.project, c.uuid)]++
		if c.event == 0 || events[c.event] || len(c.ds) != 2 {
			t.Fatalf("call %d: event %d (seen before: %v) with %d deliveries", i, c.event, events[c.event], len(c.ds))
		}
		events[c.event] = true
		for _, d := range c.ds {
			if d.ID == 0 || deliveries[d.ID] || d.EventID != c.event || d.ProjectID != c.project {
				t.Fatalf("call %d: delivery %+v (seen before: %v)", i, d, deliveries[d.ID])
			}
			deliveries[d.ID] = true
		}
		got, err := s.Event(ctx, c.event)
		noErr(t, err, "Event")
		if want := fmt.Sprintf(`{"n":%d}`, i); string(got.Payload) != want || got.ProjectID != c.project || got.UUID != c.uuid {
			t.Fatalf("call %d: stored %+v, want payload %s", i, got, want)
		}
	}
	for _, proj := range []int64{p.ID, other.ID} {
		for u := range uuids {
			if n := stored[fmt.Sprintf("%d/c-%d", proj, u)]; n != 1 {
				t.Errorf("project %d, uuid c-%d: stored %d times, want once", proj, u, n)
			}
		}
		if n := stored[fmt.Sprintf("%d/", proj)]; n != anonymous {
			t.Errorf("project %d: %d events without a UUID stored, want %d", proj, n, anonymous)
		}
	}
	pending, err := s.PendingDeliveries(ctx, 0, 1000)
	noErr(t, err, "PendingDeliveries")
	if want := 2 * 2 * (uuids + anonymous); len(pending) != want || len(deliveries) != want {
		t.Fatalf("%d pending deliveries, %d returned, want %d", len(pending), len(deliveries), want)
	}
}

// testDeliveryWork: the one read of an attempt reads what the five reads
// it replaces do, with or without a target row and a service.
func testDeliveryWork(t *testing.T, s store.Store) {
	ctx := ctxOf(t)
	p := mkServiceProject(t, s)
	_, err := s.UpdateService(ctx, p.ID, "slack", func(sv *store.Service) error {
		sv.Active, sv.Flags = true, map[string]bool{"push_events": true}
		sv.Properties, sv.Sealed = richProperties(), map[string]string{"webhook": "v1:sealed"}
		return nil
	})
	noErr(t, err, "UpdateService")
	ev := &store.Event{ProjectID: p.ID, UUID: "w-1", Kind: "push", Header: "Push Hook", Payload: []byte(`{"object_kind":"push"}`)}
	ds, _, err := s.CreateEvent(ctx, ev, []string{"slack", "asana"})
	noErr(t, err, "CreateEvent")
	check := func(id int64, wantService bool) {
		t.Helper()
		w, err := s.DeliveryWork(ctx, id)
		noErr(t, err, "DeliveryWork")
		d, err := s.Delivery(ctx, id)
		noErr(t, err, "Delivery")
		deepEqual(t, "delivery", w.Delivery, *d)
		e, err := s.Event(ctx, d.EventID)
		noErr(t, err, "Event")
		deepEqual(t, "event", w.Event, *e)
		pr, err := s.Project(ctx, d.ProjectID)
		noErr(t, err, "Project")
		deepEqual(t, "project", w.Project, *pr)
		tg, err := s.Target(ctx, d.ProjectID, d.Service)
		noErr(t, err, "Target")
		deepEqual(t, "target", w.Target, *tg)
		sv, err := s.Service(ctx, d.ProjectID, d.Service)
		if !wantService {
			wantErr(t, err, store.ErrNotFound, "Service")
			if w.Service != nil {
				t.Fatalf("service without a row: %+v", w.Service)
			}
			return
		}
		noErr(t, err, "Service")
		deepEqual(t, "service", w.Service, sv)
	}
	check(ds[0].ID, true)  // no target row
	check(ds[1].ID, false) // no service either
	// An open circuit and a recorded attempt read the same.
	for range 3 {
		_, _, err := s.TargetFailed(ctx, p.ID, "slack", store.Failure{At: time.Now(), Error: "HTTP 503", Threshold: 3,
			Pause: func(int) time.Duration { return time.Minute }})
		noErr(t, err, "TargetFailed")
	}
	noErr(t, s.RecordAttempt(ctx, store.Attempt{DeliveryID: ds[0].ID, Attempt: 1, StartedAt: time.Now()}, store.DeliveryPending, "HTTP 503"), "RecordAttempt")
	check(ds[0].ID, true)
	if w, _ := s.DeliveryWork(ctx, ds[0].ID); !w.Target.Open() || w.Delivery.Attempts != 1 {
		t.Fatalf("work after failures: %+v", w)
	}
	_, err = s.DeliveryWork(ctx, ds[1].ID+1000)
	wantErr(t, err, store.ErrNotFound, "DeliveryWork(unknown)")
}

// testConcurrentAttempts records attempts from many goroutines at once, as
// a node's workers do, among them attempts that must fail (recorded twice,
// of a delivery that does not exist): each of those fails alone, and every
// other attempt is stored with its delivery's new status.
func testConcurrentAttempts(t *testing.T, s store.Store) {
	ctx := ctxOf(t)
	p := mkServiceProject(t, s)
	var ids []int64
	for i := range 40 {
		ds, _, err := s.CreateEvent(ctx, &store.Event{ProjectID: p.ID, Kind: "push", Header: "Push Hook", Payload: fmt.Appendf(nil, `{"n":%d}`, i)}, []string{"slack"})
		noErr(t, err, "CreateEvent")
		ids = append(ids, ds[0].ID)
	}
	noErr(t, s.RecordAttempt(ctx, store.Attempt{DeliveryID: ids[0], Attempt: 1, StartedAt: time.Now()}, store.DeliveryPending, "HTTP 503"), "first attempt")
	type call struct {
		a   store.Attempt
		bad bool
		err error
	}
	calls := []*call{{a: store.Attempt{DeliveryID: ids[0], Attempt: 1}, bad: true}, {a: store.Attempt{DeliveryID: ids[len(ids)-1] + 1000, Attempt: 1}, bad: true}}
	for i, id := range ids {
		calls = append(calls, &call{a: store.Attempt{DeliveryID: id, Attempt: 2, StatusCode: 200 + i, ResponseBody: fmt.Sprint("ok ", i)}})
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	for _, c := range calls {
		wg.Go(func() {
			<-start
			c.a.StartedAt, c.a.Duration = time.Now(), time.Millisecond
			c.err = s.RecordAttempt(ctx, c.a, store.DeliveryDelivered, "")
		})
	}
	close(start)
	wg.Wait()
	for _, c := range calls {
		if c.bad {
			if c.err == nil {
				t.Fatalf("attempt %+v recorded", c.a)
			}
			continue
		}
		noErr(t, c.err, fmt.Sprintf("attempt of delivery %d", c.a.DeliveryID))
		d, err := s.Delivery(ctx, c.a.DeliveryID)
		noErr(t, err, "Delivery")
		as, err := s.Attempts(ctx, c.a.DeliveryID)
		noErr(t, err, "Attempts")
		last := as[len(as)-1]
		if d.Status != store.DeliveryDelivered || d.Attempts != 2 || last.Attempt != 2 || last.StatusCode != c.a.StatusCode || last.ResponseBody != c.a.ResponseBody {
			t.Fatalf("delivery %d: %+v, attempts %+v", c.a.DeliveryID, d, as)
		}
	}
}
