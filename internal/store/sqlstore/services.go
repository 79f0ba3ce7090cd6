package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/glint-dev/glint/internal/store"
)

const serviceColumns = `id, project_id, slug, active, flags, properties, sealed, created_at, updated_at`

func scanService(r scanner) (*store.Service, error) { return scanOne(r, serviceFields) }

// serviceFields reads serviceColumns.
func serviceFields(sv *store.Service) fields {
	var flags, props, sealed string
	var created, updated int64
	return fields{
		dests: []any{&sv.ID, &sv.ProjectID, &sv.Slug, &sv.Active, &flags, &props, &sealed, &created, &updated},
		finish: func() error {
			sv.CreatedAt, sv.UpdatedAt = fromMicros(created), fromMicros(updated)
			return errors.Join(json.Unmarshal([]byte(flags), &sv.Flags), json.Unmarshal([]byte(props), &sv.Properties),
				json.Unmarshal([]byte(sealed), &sv.Sealed))
		},
	}
}

func (s *DB) Service(ctx context.Context, projectID int64, slug string) (*store.Service, error) {
	sv, err := scanService(s.queryRow(ctx, `SELECT `+serviceColumns+` FROM services WHERE project_id = $1 AND slug = $2`, projectID, slug))
	return sv, s.wrap(err)
}

func (s *DB) Services(ctx context.Context, projectID int64) ([]store.Service, error) {
	rows, err := s.query(ctx, `SELECT `+serviceColumns+` FROM services WHERE project_id = $1 ORDER BY slug`, projectID)
	if err != nil {
		return nil, s.wrap(err)
	}
	return collect(rows, scanService)
}

// UpdateService is a locked read-modify-write. Two first writes of the same
// service can race to insert; the loser retries once and then sees the
// winner's row.
func (s *DB) UpdateService(ctx context.Context, projectID int64, slug string, fn func(*store.Service) error) (*store.Service, error) {
	var out *store.Service
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		out, err = s.updateServiceOnce(ctx, projectID, slug, fn)
		if !errors.Is(err, store.ErrConflict) {
			break
		}
	}
	return out, err
}

func (s *DB) updateServiceOnce(ctx context.Context, projectID int64, slug string, fn func(*store.Service) error) (*store.Service, error) {
	var sv *store.Service
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		sv, err = scanService(tx.QueryRowContext(ctx, `SELECT `+serviceColumns+` FROM services WHERE project_id = $1 AND slug = $2`+s.d.lockRow, projectID, slug))
		if errors.Is(err, sql.ErrNoRows) {
			sv, err = &store.Service{ProjectID: projectID, Slug: slug}, nil
		}
		if err != nil {
			return err
		}
		if err := fn(sv); err != nil {
			return err
		}
		return s.saveService(ctx, tx, sv)
	})
	if err != nil {
		return nil, err
	}
	return sv, nil
}

func (s *DB) saveService(ctx context.Context, tx *sql.Tx, sv *store.Service) error {
	now := s.now().UTC().Truncate(time.Microsecond)
	sv.UpdatedAt = now
	flags, props, sealed := toJSON(orEmpty(sv.Flags)), toJSON(orEmpty(sv.Properties)), toJSON(orEmpty(sv.Sealed))
	if sv.ID == 0 {
		sv.CreatedAt = now
		return tx.QueryRowContext(ctx, `INSERT INTO services (project_id, slug, active, flags, properties, sealed, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`,
			sv.ProjectID, sv.Slug, sv.Active, flags, props, sealed, micros(now)).Scan(&sv.ID)
	}
	_, err := tx.ExecContext(ctx, `UPDATE services SET active = $1, flags = $2, properties = $3, sealed = $4, updated_at = $5 WHERE id = $6`,
		sv.Active, flags, props, sealed, micros(now), sv.ID)
	return err
}

func orEmpty[V any](m map[string]V) map[string]V {
	if m == nil {
		return map[string]V{}
	}
	return m
}

func (s *DB) AllServices(ctx context.Context, fn func(*store.Service) error) error {
	rows, err := s.query(ctx, `SELECT `+serviceColumns+` FROM services ORDER BY id`)
	if err != nil {
		return s.wrap(err)
	}
	all, err := collect(rows, scanService)
	if err != nil {
		return s.wrap(err)
	}
	for i := range all {
		if err := fn(&all[i]); err != nil {
			return err
		}
	}
	return nil
}

func (s *DB) ReplaceSealed(ctx context.Context, id int64, sealed map[string]string) error {
	return s.execOne(ctx, `UPDATE services SET sealed = $1 WHERE id = $2`, toJSON(orEmpty(sealed)), id)
}

func (s *DB) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := s.queryRow(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&v)
	return v, s.wrap(err)
}

func (s *DB) SetSettingIfAbsent(ctx context.Context, key, value string) (string, error) {
	if _, err := s.exec(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, key, value); err != nil {
		return "", s.wrap(err)
	}
	return s.Setting(ctx, key)
}

func (s *DB) SetSetting(ctx context.Context, key, value string) error {
	_, err := s.exec(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return s.wrap(err)
}
