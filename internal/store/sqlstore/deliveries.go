package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/glint-dev/glint/internal/store"
)

const eventColumns = `id, project_id, uuid, kind, header, payload, created_at`

func (s *DB) Event(ctx context.Context, id int64) (*store.Event, error) {
	e, err := scanOne(s.queryRow(ctx, `SELECT `+eventColumns+` FROM events WHERE id = $1`, id), eventFields)
	return e, s.wrap(err)
}

// eventFields reads eventColumns.
func eventFields(e *store.Event) fields {
	var uuid sql.NullString
	var payload string
	var created int64
	return fields{
		dests: []any{&e.ID, &e.ProjectID, &uuid, &e.Kind, &e.Header, &payload, &created},
		finish: func() error {
			e.UUID, e.Payload, e.CreatedAt = uuid.String, []byte(payload), fromMicros(created)
			return nil
		},
	}
}

const deliveryColumns = `id, event_id, project_id, service, status, attempts, last_error, created_at, updated_at`

func scanDelivery(r scanner) (*store.Delivery, error) { return scanOne(r, deliveryFields) }

// deliveryFields reads deliveryColumns.
func deliveryFields(d *store.Delivery) fields {
	var created, updated int64
	return fields{
		dests: []any{&d.ID, &d.EventID, &d.ProjectID, &d.Service, &d.Status, &d.Attempts, &d.LastError, &created, &updated},
		finish: func() error {
			d.CreatedAt, d.UpdatedAt = fromMicros(created), fromMicros(updated)
			return nil
		},
	}
}

func (s *DB) Delivery(ctx context.Context, id int64) (*store.Delivery, error) {
	d, err := scanDelivery(s.queryRow(ctx, `SELECT `+deliveryColumns+` FROM deliveries WHERE id = $1`, id))
	return d, s.wrap(err)
}

func (s *DB) Deliveries(ctx context.Context, projectID int64, service string, offset, limit int) ([]store.Delivery, int, error) {
	return s.DeliveryPage(ctx, projectID, service, "", offset, limit)
}

func (s *DB) Attempts(ctx context.Context, deliveryID int64) ([]store.Attempt, error) {
	rows, err := s.query(ctx, `SELECT delivery_id, attempt, started_at, duration_us, status_code, response_body, error, request
		FROM delivery_attempts WHERE delivery_id = $1 ORDER BY attempt`, deliveryID)
	if err != nil {
		return nil, s.wrap(err)
	}
	out, err := collect(rows, func(r scanner) (*store.Attempt, error) {
		var a store.Attempt
		var started, dur int64
		if err := r.Scan(&a.DeliveryID, &a.Attempt, &started, &dur, &a.StatusCode, &a.ResponseBody, &a.Error, &a.Request); err != nil {
			return nil, err
		}
		a.StartedAt, a.Duration = fromMicros(started), time.Duration(dur)*time.Microsecond
		return &a, nil
	})
	return out, s.wrap(err)
}

// RecordAttempt stores an attempt and the delivery's new status: on
// PostgreSQL in one statement (one round trip), on SQLite in the group
// commit, with the attempts other workers record at the same moment.
func (s *DB) RecordAttempt(ctx context.Context, a store.Attempt, status, lastError string) error {
	if s.attempts == nil {
		return s.wrap(oneRow(s.queryRow(ctx, recordAttemptQuery, s.attemptArgs(a, status, lastError)...)))
	}
	w := &attemptWrite{queuedWrite: newQueuedWrite(ctx), attempt: a, status: status, lastError: lastError}
	if err := s.attempts.submit(ctx, w, s.commitAttempts); err != nil {
		return s.wrap(err)
	}
	return w.err
}

// The statements that record an attempt: the delivery's update, then the
// attempt's row, each returning the delivery's id (none: it is gone).
// recordAttemptQuery is both in one statement (PostgreSQL).
const (
	updateDeliveryQuery = `UPDATE deliveries SET status = $1, attempts = $2, last_error = $3, updated_at = $4 WHERE id = $5 RETURNING id`
	insertAttemptQuery  = `INSERT INTO delivery_attempts (delivery_id, attempt, started_at, duration_us, status_code, response_body, error, request)
		VALUES ($5, $2, $6, $7, $8, $9, $10, $11) RETURNING delivery_id`
	recordAttemptQuery = `WITH d AS (UPDATE deliveries SET status = $1, attempts = $2, last_error = $3, updated_at = $4 WHERE id = $5 RETURNING id)
		INSERT INTO delivery_attempts (delivery_id, attempt, started_at, duration_us, status_code, response_body, error, request)
		SELECT d.id, $2, $6, $7, $8, $9, $10, $11 FROM d RETURNING delivery_id`
)

func (s *DB) attemptArgs(a store.Attempt, status, lastError string) []any {
	return []any{status, a.Attempt, lastError, micros(s.now()), a.DeliveryID,
		micros(a.StartedAt), a.Duration.Microseconds(), a.StatusCode, a.ResponseBody, a.Error, a.Request}
}

// oneRow reads a row of one id: sql.ErrNoRows when there is none.
func oneRow(r *sql.Row) error {
	var id int64
	return r.Scan(&id)
}

// attemptWrite is one RecordAttempt call waiting in the group commit.
type attemptWrite struct {
	queuedWrite
	attempt           store.Attempt
	status, lastError string
	err               error // set by the committing caller
}

// commitAttempts records a batch in one transaction. If it fails, each
// attempt is recorded alone: one attempt's error (a delivery deleted
// meanwhile, an attempt recorded twice) is its own, and must not send
// the others' deliveries again.
func (s *DB) commitAttempts(batch []*attemptWrite) {
	defer func() {
		for _, w := range batch {
			close(w.done)
		}
	}()
	ctx, cancel := batchContext(batch)
	defer cancel()
	if err := s.wrap(s.prepare(ctx, updateDeliveryQuery, insertAttemptQuery)); err != nil {
		for _, w := range batch {
			w.err = err
		}
		return
	}
	write := func(tx *sql.Tx, w *attemptWrite) error {
		args := s.attemptArgs(w.attempt, w.status, w.lastError)
		if err := oneRow(s.txQueryRow(ctx, tx, updateDeliveryQuery, args[:5]...)); err != nil {
			return err
		}
		// insertAttemptQuery's parameters are numbered as recordAttemptQuery's.
		return oneRow(s.txQueryRow(ctx, tx, insertAttemptQuery, args...))
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for _, w := range batch {
			if err := write(tx, w); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil || len(batch) == 1 {
		for _, w := range batch {
			w.err = err
		}
		return
	}
	for _, w := range batch {
		w.err = s.inTx(ctx, func(tx *sql.Tx) error { return write(tx, w) })
	}
}

func (s *DB) ResetDelivery(ctx context.Context, id int64) error {
	return s.execOne(ctx, `UPDATE deliveries SET status = $1, updated_at = $2 WHERE id = $3`, store.DeliveryPending, micros(s.now()), id)
}

func (s *DB) PendingDeliveries(ctx context.Context, afterID int64, limit int) ([]store.Delivery, error) {
	rows, err := s.query(ctx, `SELECT `+deliveryColumns+` FROM deliveries WHERE status = $1 AND id > $2
		AND NOT EXISTS (SELECT 1 FROM delivery_targets t
			WHERE t.project_id = deliveries.project_id AND t.service = deliveries.service AND t.paused_until > 0)
		ORDER BY id LIMIT $3`,
		store.DeliveryPending, afterID, limit)
	if err != nil {
		return nil, s.wrap(err)
	}
	out, err := collect(rows, scanDelivery)
	return out, s.wrap(err)
}

func (s *DB) PendingStats(ctx context.Context) (int, time.Time, error) {
	var n int
	var oldest sql.NullInt64
	err := s.queryRow(ctx, `SELECT COUNT(*), MIN(created_at) FROM deliveries WHERE status = $1`, store.DeliveryPending).Scan(&n, &oldest)
	if err != nil || !oldest.Valid {
		return n, time.Time{}, s.wrap(err)
	}
	return n, fromMicros(oldest.Int64), nil
}

func (s *DB) PruneEvents(ctx context.Context, before time.Time) (int, error) {
	res, err := s.exec(ctx, `DELETE FROM events WHERE created_at < $1
		AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = events.id AND d.status = $2)`, micros(before), store.DeliveryPending)
	if err != nil {
		return 0, s.wrap(err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// workQuery reads a delivery with what its attempt needs. The target and
// the service may have no row: the target's columns then read as a closed
// circuit, the service's id as 0.
var workQuery = `SELECT ` + qualify("d", deliveryColumns) + `, ` + qualify("e", eventColumns) + `, ` + projectColumns + `,
	d.project_id, d.service, COALESCE(t.failures, 0), COALESCE(t.pauses, 0), COALESCE(t.opened_at, 0),
	COALESCE(t.paused_until, 0), COALESCE(t.probe_until, 0), COALESCE(t.last_error, ''),
	COALESCE(sv.id, 0), d.project_id, d.service, COALESCE(sv.active, FALSE), COALESCE(sv.flags, '{}'),
	COALESCE(sv.properties, '{}'), COALESCE(sv.sealed, '{}'), COALESCE(sv.created_at, 0), COALESCE(sv.updated_at, 0)
	FROM deliveries d
	JOIN events e ON e.id = d.event_id
	JOIN projects p ON p.id = d.project_id
	JOIN namespaces n ON n.id = p.namespace_id
	LEFT JOIN delivery_targets t ON t.project_id = d.project_id AND t.service = d.service
	LEFT JOIN services sv ON sv.project_id = d.project_id AND sv.slug = d.service
	WHERE d.id = $1`

// DeliveryWork reads a delivery, its event, project, target and service in
// one query: an attempt's reads in one round trip, not five.
func (s *DB) DeliveryWork(ctx context.Context, id int64) (*store.Work, error) {
	var w store.Work
	var sv store.Service
	records := append([]fields{deliveryFields(&w.Delivery), eventFields(&w.Event)}, projectFields(&w.Project)...)
	records = append(records, targetFields(&w.Target), serviceFields(&sv))
	if err := scanFields(s.queryRow(ctx, workQuery, id), records...); err != nil {
		return nil, s.wrap(err)
	}
	if sv.ID != 0 {
		w.Service = &sv
	}
	return &w, nil
}
