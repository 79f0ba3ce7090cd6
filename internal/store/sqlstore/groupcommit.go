package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"time"

	"github.com/glint-dev/glint/internal/store"
)

// Group commit, on SQLite, of the intake's events and of the deliverer's
// attempts. Each accepted event must be committed before the intake
// answers 202, each attempt before its job ends, and on SQLite every
// writer queues for the one write lock, so a commit per write makes them
// a queue of small transactions. Instead, writes that arrive while a
// commit is running are stored together by the next one: each caller
// queues its write, then waits for its turn to commit; the caller whose
// turn it is commits everything queued so far (its own write among them),
// and callers whose writes it committed return at once. No goroutine runs
// in the background: every commit is made by a caller.
//
// A write still returns only once it is committed, so nothing changes for
// durability. PostgreSQL does not use it (Dialect.groupCommit): there,
// concurrent transactions overlap their round trips and the server merges
// their WAL flushes itself, and measured, one batch at a time was slower
// than a transaction per event.

// maxEventBatch bounds one transaction of the group commit.
const maxEventBatch = 256

// queuedWrite is the part of a write the group commit handles.
type queuedWrite struct {
	ctx  context.Context
	done chan struct{} // closed by the committing caller
}

func newQueuedWrite(ctx context.Context) queuedWrite {
	return queuedWrite{ctx: ctx, done: make(chan struct{})}
}

func (w *queuedWrite) queued() *queuedWrite { return w }

// groupWrite is a write the group commit can queue.
type groupWrite interface{ queued() *queuedWrite }

// eventWrite is one CreateEvent call waiting in the group commit.
type eventWrite struct {
	queuedWrite
	event    *store.Event
	services []string
	// Set by the committing caller before done is closed.
	deliveries []store.Delivery
	duplicate  bool
	err        error
}

// batcher queues writes and admits one committer at a time.
type batcher[W groupWrite] struct {
	mu     sync.Mutex
	queued []W
	turn   chan struct{} // holds a token while a batch commits
}

func newBatcher[W groupWrite]() *batcher[W] {
	return &batcher[W]{turn: make(chan struct{}, 1)}
}

// submit queues w and returns once it is committed (or failed), or when
// ctx ends; a write whose caller left may still be committed later, as
// with any request whose answer is lost.
func (b *batcher[W]) submit(ctx context.Context, w W, commit func([]W)) error {
	done := w.queued().done
	b.mu.Lock()
	b.queued = append(b.queued, w)
	b.mu.Unlock()
	for {
		select {
		case <-done:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		case b.turn <- struct{}{}:
		}
		select {
		case <-done: // the previous committer took it
		default:
			commit(b.take())
		}
		<-b.turn
		select {
		case <-done:
			return nil
		default: // over maxEventBatch were queued ahead of w: commit again
		}
	}
}

// take removes up to maxEventBatch queued writes, oldest first.
func (b *batcher[W]) take() []W {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := min(len(b.queued), maxEventBatch)
	batch := b.queued[:n:n]
	b.queued = b.queued[n:]
	return batch
}

// CreateEvent stores the event and its deliveries in one transaction,
// shared, where the dialect group-commits, with the events other callers
// are storing at the same moment.
func (s *DB) CreateEvent(ctx context.Context, e *store.Event, services []string) ([]store.Delivery, bool, error) {
	w := &eventWrite{queuedWrite: newQueuedWrite(ctx), event: e, services: services}
	if s.events == nil {
		s.commitEvents([]*eventWrite{w})
	} else if err := s.events.submit(ctx, w, s.commitEvents); err != nil {
		return nil, false, s.wrap(err)
	}
	return w.deliveries, w.duplicate, w.err
}

// commitEvents stores a batch in one transaction and tells each caller;
// the batch succeeds or fails as a whole. A batch of one that lost a race
// on its UUID to another node (PostgreSQL's unique index) reports a
// duplicate, as the winner's row now stands. Larger batches come only from
// the group commit, on SQLite, whose write transactions are serialised:
// no other writer can store one of their UUIDs between the check and the
// insert, and duplicates within the batch are caught by insertEvent.
func (s *DB) commitEvents(batch []*eventWrite) {
	if len(batch) == 0 {
		return
	}
	defer func() {
		for _, w := range batch {
			close(w.done)
		}
	}()
	ctx, cancel := batchContext(batch)
	defer cancel()
	err := s.wrap(s.prepare(ctx, findEventQuery, insertEventQuery, insertDeliveryQuery))
	if err == nil {
		err = s.inTx(ctx, func(tx *sql.Tx) error {
			seen := map[eventKey]bool{}
			for _, w := range batch {
				if err := s.insertEvent(ctx, tx, w, seen); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err == nil {
		return
	}
	lostRace := len(batch) == 1 && errors.Is(err, store.ErrConflict)
	for _, w := range batch {
		w.deliveries, w.duplicate, w.err = nil, lostRace, err
		if lostRace {
			w.err = nil
		}
	}
}

// The statements that store an event.
const (
	findEventQuery      = `SELECT COUNT(*) FROM events WHERE project_id = $1 AND uuid = $2`
	insertEventQuery    = `INSERT INTO events (project_id, uuid, kind, header, payload, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`
	insertDeliveryQuery = `INSERT INTO deliveries (event_id, project_id, service, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`
)

// eventKey identifies an event for deduplication.
type eventKey struct {
	project int64
	uuid    string
}

// insertEvent stores one event and its pending deliveries in tx, or marks
// it duplicate when its UUID is in the database or earlier in the batch
// (seen, which it adds the UUID to).
func (s *DB) insertEvent(ctx context.Context, tx *sql.Tx, w *eventWrite, seen map[eventKey]bool) error {
	e := w.event
	now := s.now().UTC().Truncate(time.Microsecond)
	e.CreatedAt = now
	w.deliveries, w.duplicate = nil, false
	var uuid any
	if e.UUID != "" {
		uuid = e.UUID
		key := eventKey{e.ProjectID, e.UUID}
		var n int
		if err := s.txQueryRow(ctx, tx, findEventQuery, e.ProjectID, e.UUID).Scan(&n); err != nil {
			return err
		}
		if n > 0 || seen[key] {
			w.duplicate = true
			return nil
		}
		seen[key] = true
	}
	err := s.txQueryRow(ctx, tx, insertEventQuery,
		e.ProjectID, uuid, e.Kind, e.Header, string(e.Payload), micros(now)).Scan(&e.ID)
	if err != nil {
		return err
	}
	for _, svc := range w.services {
		d := store.Delivery{EventID: e.ID, ProjectID: e.ProjectID, Service: svc, Status: store.DeliveryPending, CreatedAt: now, UpdatedAt: now}
		err := s.txQueryRow(ctx, tx, insertDeliveryQuery,
			e.ID, e.ProjectID, svc, store.DeliveryPending, micros(now)).Scan(&d.ID)
		if err != nil {
			return err
		}
		w.deliveries = append(w.deliveries, d)
	}
	return nil
}

// batchContext is the context a batch commits under: not cancelled when
// the committing caller's client goes away (the batch carries the other
// callers' events too), but bounded by the latest deadline among the
// batch's callers, so that a database outage still ends in time.
func batchContext[W groupWrite](batch []W) (context.Context, context.CancelFunc) {
	var latest time.Time
	first := batch[0].queued().ctx
	for _, w := range batch {
		d, ok := w.queued().ctx.Deadline()
		if !ok {
			return context.WithCancel(context.WithoutCancel(first))
		}
		if d.After(latest) {
			latest = d
		}
	}
	return context.WithDeadline(context.WithoutCancel(first), latest)
}
