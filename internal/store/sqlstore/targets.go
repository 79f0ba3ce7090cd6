package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/glint-dev/glint/internal/store"
)

const targetColumns = `project_id, service, failures, pauses, opened_at, paused_until, probe_until, last_error`

func scanTarget(r scanner) (*store.Target, error) { return scanOne(r, targetFields) }

// targetFields reads targetColumns.
func targetFields(t *store.Target) fields {
	var opened, paused, probe int64
	return fields{
		dests: []any{&t.ProjectID, &t.Service, &t.Failures, &t.Pauses, &opened, &paused, &probe, &t.LastError},
		finish: func() error {
			t.OpenedAt, t.PausedUntil, t.ProbeUntil = zeroMicros(opened), zeroMicros(paused), zeroMicros(probe)
			return nil
		},
	}
}

// zeroMicros reads a time column where 0 means none.
func zeroMicros(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return fromMicros(v)
}

// microsOrZero writes a time column where 0 means none.
func microsOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return micros(t)
}

func (s *DB) Target(ctx context.Context, projectID int64, service string) (*store.Target, error) {
	t, err := scanTarget(s.queryRow(ctx, `SELECT `+targetColumns+` FROM delivery_targets WHERE project_id = $1 AND service = $2`, projectID, service))
	if errors.Is(err, sql.ErrNoRows) {
		return &store.Target{ProjectID: projectID, Service: service}, nil
	}
	return t, s.wrap(err)
}

func (s *DB) TargetFailed(ctx context.Context, projectID int64, service string, f store.Failure) (*store.Target, bool, error) {
	var t *store.Target
	opened := false
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO delivery_targets (project_id, service, updated_at) VALUES ($1, $2, $3)
			ON CONFLICT (project_id, service) DO NOTHING`, projectID, service, micros(s.now()))
		if err != nil {
			return err
		}
		t, err = scanTarget(tx.QueryRowContext(ctx, `SELECT `+targetColumns+` FROM delivery_targets
			WHERE project_id = $1 AND service = $2`+s.d.lockRow, projectID, service))
		if err != nil {
			return err
		}
		t.Failures++
		t.LastError = f.Error
		switch {
		case t.Open() && f.Probe:
			t.Pauses++
			t.PausedUntil, t.ProbeUntil = f.At.Add(f.Pause(t.Pauses)), time.Time{}
		case !t.Open() && t.Failures >= f.Threshold:
			opened = true
			t.Pauses, t.OpenedAt = 1, f.At
			t.PausedUntil, t.ProbeUntil = f.At.Add(f.Pause(1)), time.Time{}
		}
		_, err = tx.ExecContext(ctx, `UPDATE delivery_targets SET failures = $1, pauses = $2, opened_at = $3, paused_until = $4,
			probe_until = $5, last_error = $6, updated_at = $7 WHERE project_id = $8 AND service = $9`,
			t.Failures, t.Pauses, microsOrZero(t.OpenedAt), microsOrZero(t.PausedUntil), microsOrZero(t.ProbeUntil), t.LastError,
			micros(s.now()), projectID, service)
		return err
	})
	if err != nil {
		return nil, false, err
	}
	return t, opened, nil
}

func (s *DB) CloseTarget(ctx context.Context, projectID int64, service string) (*store.Target, error) {
	t, err := scanTarget(s.queryRow(ctx, `DELETE FROM delivery_targets WHERE project_id = $1 AND service = $2 RETURNING `+targetColumns,
		projectID, service))
	if errors.Is(err, sql.ErrNoRows) {
		return &store.Target{ProjectID: projectID, Service: service}, nil
	}
	return t, s.wrap(err)
}

func (s *DB) ClaimProbe(ctx context.Context, projectID int64, service string, now, until time.Time) (bool, error) {
	res, err := s.exec(ctx, `UPDATE delivery_targets SET probe_until = $1, updated_at = $2
		WHERE project_id = $3 AND service = $4 AND paused_until > 0 AND paused_until <= $5 AND probe_until < $5`,
		micros(until), micros(s.now()), projectID, service, micros(now))
	if err != nil {
		return false, s.wrap(err)
	}
	n, err := res.RowsAffected()
	return n == 1, s.wrap(err)
}

func (s *DB) OpenTargets(ctx context.Context) ([]store.Target, error) {
	rows, err := s.query(ctx, `SELECT `+targetColumns+` FROM delivery_targets WHERE paused_until > 0 ORDER BY project_id, service`)
	if err != nil {
		return nil, s.wrap(err)
	}
	out, err := collect(rows, scanTarget)
	return out, s.wrap(err)
}

func (s *DB) TargetPending(ctx context.Context, projectID int64, service string, afterID int64, limit int) ([]store.Delivery, error) {
	rows, err := s.query(ctx, `SELECT `+deliveryColumns+` FROM deliveries WHERE project_id = $1 AND service = $2 AND status = $3 AND id > $4
		ORDER BY id LIMIT $5`, projectID, service, store.DeliveryPending, afterID, limit)
	if err != nil {
		return nil, s.wrap(err)
	}
	out, err := collect(rows, scanDelivery)
	return out, s.wrap(err)
}

func (s *DB) FailTargetPending(ctx context.Context, projectID int64, service string, before time.Time, reason string) (int, error) {
	res, err := s.exec(ctx, `UPDATE deliveries SET status = $1, last_error = $2, updated_at = $3
		WHERE project_id = $4 AND service = $5 AND status = $6 AND created_at < $7`,
		store.DeliveryFailed, reason, micros(s.now()), projectID, service, store.DeliveryPending, micros(before))
	if err != nil {
		return 0, s.wrap(err)
	}
	n, err := res.RowsAffected()
	return int(n), s.wrap(err)
}
