package sqlstore

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/glint-dev/glint/internal/store"
)

// SetPasswordHash stores the hash and ends the user's sessions, in one
// transaction.
func (s *DB) SetPasswordHash(ctx context.Context, userID int64, hash string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, hash, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return sql.ErrNoRows
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM web_sessions WHERE user_id = $1`, userID)
		return err
	})
}

func (s *DB) UserByLogin(ctx context.Context, login string) (*store.User, string, error) {
	var hash string
	var created int64
	var u store.User
	err := s.queryRow(ctx, `SELECT `+userColumns+`, password_hash FROM users
		WHERE username_lower = $1 OR LOWER(email) = $1 ORDER BY (username_lower = $1) DESC, id LIMIT 1`, strings.ToLower(login)).
		Scan(&u.ID, &u.Username, &u.Name, &u.Email, &u.Admin, &u.NamespaceID, &created, &hash)
	if err != nil {
		return nil, "", s.wrap(err)
	}
	u.CreatedAt = fromMicros(created)
	return &u, hash, nil
}

func (s *DB) CreateSession(ctx context.Context, ws *store.Session) error {
	ws.CreatedAt = s.now().UTC().Truncate(time.Microsecond)
	_, err := s.exec(ctx, `INSERT INTO web_sessions (id_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		ws.IDHash, ws.UserID, ws.CSRFToken, micros(ws.CreatedAt), micros(ws.ExpiresAt))
	return s.wrap(err)
}

func (s *DB) SessionUser(ctx context.Context, idHash string, now time.Time) (*store.Session, *store.User, error) {
	var ws store.Session
	var u store.User
	var created, expires, uCreated int64
	err := s.queryRow(ctx, `SELECT w.id_hash, w.user_id, w.csrf_token, w.created_at, w.expires_at, `+userColumnsU+`
		FROM web_sessions w JOIN users u ON u.id = w.user_id WHERE w.id_hash = $1 AND w.expires_at > $2`, idHash, micros(now)).
		Scan(&ws.IDHash, &ws.UserID, &ws.CSRFToken, &created, &expires,
			&u.ID, &u.Username, &u.Name, &u.Email, &u.Admin, &u.NamespaceID, &uCreated)
	if err != nil {
		return nil, nil, s.wrap(err)
	}
	ws.CreatedAt, ws.ExpiresAt, u.CreatedAt = fromMicros(created), fromMicros(expires), fromMicros(uCreated)
	return &ws, &u, nil
}

func (s *DB) DeleteSession(ctx context.Context, idHash string) error {
	_, err := s.exec(ctx, `DELETE FROM web_sessions WHERE id_hash = $1`, idHash)
	return s.wrap(err)
}

func (s *DB) PruneSessions(ctx context.Context, now time.Time) (int, error) {
	res, err := s.exec(ctx, `DELETE FROM web_sessions WHERE expires_at <= $1`, micros(now))
	if err != nil {
		return 0, s.wrap(err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

func (s *DB) RecordLoginFailure(ctx context.Context, keys []string, at, forgetBefore time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, k := range keys {
			if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE key = $1 AND at < $2`, k, micros(forgetBefore)); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO login_failures (key, at) VALUES ($1, $2)`, k, micros(at)); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *DB) LoginFailures(ctx context.Context, key string, since time.Time) (int, error) {
	var n int
	err := s.queryRow(ctx, `SELECT COUNT(*) FROM login_failures WHERE key = $1 AND at >= $2`, key, micros(since)).Scan(&n)
	return n, s.wrap(err)
}

func (s *DB) ClearLoginFailures(ctx context.Context, key string) error {
	_, err := s.exec(ctx, `DELETE FROM login_failures WHERE key = $1`, key)
	return s.wrap(err)
}

func (s *DB) DeliveryPage(ctx context.Context, projectID int64, service, status string, offset, limit int) ([]store.Delivery, int, error) {
	where, args := `d.project_id = $1 AND d.service = $2`, []any{projectID, service}
	if status != "" {
		where, args = where+` AND d.status = $3`, append(args, status)
	}
	total, err := s.countCapped(ctx, "", `FROM deliveries d WHERE `+where, args...)
	if err != nil {
		return nil, 0, err
	}
	n := len(args)
	rows, err := s.query(ctx, `SELECT d.id, d.event_id, d.project_id, d.service, d.status, d.attempts, d.last_error, d.created_at, d.updated_at, e.kind
		FROM deliveries d JOIN events e ON e.id = d.event_id WHERE `+where+` ORDER BY d.id DESC LIMIT $`+strconv.Itoa(n+1)+` OFFSET $`+strconv.Itoa(n+2),
		append(args, limit, offset)...)
	if err != nil {
		return nil, 0, s.wrap(err)
	}
	out, err := collect(rows, func(r scanner) (*store.Delivery, error) {
		var d store.Delivery
		var created, updated int64
		err := r.Scan(&d.ID, &d.EventID, &d.ProjectID, &d.Service, &d.Status, &d.Attempts, &d.LastError, &created, &updated, &d.EventKind)
		d.CreatedAt, d.UpdatedAt = fromMicros(created), fromMicros(updated)
		return &d, err
	})
	return out, total, s.wrap(err)
}

func (s *DB) RecentEvents(ctx context.Context, projectID int64, limit int) ([]store.Event, error) {
	rows, err := s.query(ctx, `SELECT id, project_id, uuid, kind, header, created_at FROM events WHERE project_id = $1 ORDER BY id DESC LIMIT $2`,
		projectID, limit)
	if err != nil {
		return nil, s.wrap(err)
	}
	out, err := collect(rows, func(r scanner) (*store.Event, error) {
		var e store.Event
		var uuid sql.NullString
		var created int64
		if err := r.Scan(&e.ID, &e.ProjectID, &uuid, &e.Kind, &e.Header, &created); err != nil {
			return nil, err
		}
		e.UUID, e.CreatedAt = uuid.String, fromMicros(created)
		return &e, nil
	})
	return out, s.wrap(err)
}

func (s *DB) DeliveryHistogram(ctx context.Context, projectID int64, since time.Time, interval time.Duration) ([]store.DeliveryBucket, error) {
	rows, err := s.query(ctx, `SELECT service, status, (created_at - $2) / $3 AS bucket, COUNT(*) FROM deliveries
		WHERE project_id = $1 AND created_at >= $2 GROUP BY 1, 2, 3 ORDER BY 1, 3, 2`,
		projectID, micros(since), interval.Microseconds())
	if err != nil {
		return nil, s.wrap(err)
	}
	out, err := collect(rows, func(r scanner) (*store.DeliveryBucket, error) {
		var b store.DeliveryBucket
		return &b, r.Scan(&b.Service, &b.Status, &b.Bucket, &b.Count)
	})
	return out, s.wrap(err)
}
