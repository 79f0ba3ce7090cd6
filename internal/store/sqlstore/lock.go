package sqlstore

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"
)

// WithAdvisoryLock runs fn while holding a PostgreSQL session advisory lock
// on one connection of pool, so that nodes starting together take turns
// (River's own migrations have no lock of their own).
func WithAdvisoryLock(ctx context.Context, pool *pgxpool.Pool, id int64, fn func() error) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, id); err != nil {
		return err
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, id) //nolint:errcheck // released with the session anyway
	return fn()
}
