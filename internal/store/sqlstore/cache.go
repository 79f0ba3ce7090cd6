package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/glint-dev/glint/internal/store"
)

func (s *DB) CacheRead(ctx context.Context, key string, at time.Time) (*store.CacheEntry, error) {
	var e store.CacheEntry
	var value sql.NullString
	var computed, read, lease int64
	err := s.queryRow(ctx, `UPDATE reactive_cache SET read_at = $2 WHERE key = $1
		RETURNING key, value, computed_at, read_at, lease_until`, key, micros(at)).
		Scan(&e.Key, &value, &computed, &read, &lease)
	if err != nil {
		return nil, s.wrap(err)
	}
	if value.Valid {
		e.Value = []byte(value.String)
		e.ComputedAt = fromMicros(computed)
	}
	e.ReadAt = fromMicros(read)
	if lease > 0 {
		e.LeaseUntil = fromMicros(lease)
	}
	return &e, nil
}

func (s *DB) CacheLease(ctx context.Context, key string, now, until time.Time) (bool, error) {
	res, err := s.exec(ctx, `INSERT INTO reactive_cache (key, read_at, lease_until) VALUES ($1, $2, $3)
		ON CONFLICT (key) DO UPDATE SET lease_until = excluded.lease_until
		WHERE reactive_cache.lease_until <= $2`, key, micros(now), micros(until))
	if err != nil {
		return false, s.wrap(err)
	}
	n, err := res.RowsAffected()
	return n == 1, s.wrap(err)
}

func (s *DB) CacheWrite(ctx context.Context, key string, value []byte, at time.Time) error {
	_, err := s.exec(ctx, `INSERT INTO reactive_cache (key, value, computed_at, read_at, lease_until) VALUES ($1, $2, $3, $3, 0)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, computed_at = excluded.computed_at, lease_until = 0`,
		key, string(value), micros(at))
	return s.wrap(err)
}

func (s *DB) CachePrune(ctx context.Context, before time.Time) (int, error) {
	res, err := s.exec(ctx, `DELETE FROM reactive_cache WHERE read_at < $1`, micros(before))
	if err != nil {
		return 0, s.wrap(err)
	}
	n, err := res.RowsAffected()
	return int(n), s.wrap(err)
}
