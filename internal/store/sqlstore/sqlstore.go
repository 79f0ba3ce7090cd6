// Package sqlstore implements store.Store on database/sql, for SQLite
// (modernc.org/sqlite, embedded) and PostgreSQL (pgx). The SQL is shared;
// a Dialect holds the few differences. Migrations are embedded and applied
// by goose.
package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"sync"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/glint-dev/glint/internal/store"
)

//go:embed migrations
var migrations embed.FS

// Dialect is what differs between the engines.
type Dialect struct {
	Name  string        // "sqlite" or "postgres"
	goose goose.Dialect // migration dialect
	// lockRow is appended to a SELECT that must lock the row it reads.
	lockRow string
	// isUnique tells a uniqueness violation from other errors.
	isUnique func(error) bool
	// isUnavailable tells a lost or refused connection.
	isUnavailable func(error) bool
	// groupCommit stores events that arrive together in one transaction
	// (see groupcommit.go): a gain where writers queue for one lock
	// (SQLite), a loss where concurrent transactions overlap their round
	// trips and the server merges their WAL flushes itself (PostgreSQL).
	groupCommit bool
	// driverCachesStatements: the driver prepares and caches statements
	// per connection itself (pgx), so the store's own cache is not needed
	// inside transactions.
	driverCachesStatements bool
}

// DB is a store.Store over one database/sql pool.
type DB struct {
	db *sql.DB
	d  Dialect
	// now is the clock, replaceable in tests.
	now func() time.Time
	// stmts caches prepared statements by query text.
	stmts sync.Map
	// events and attempts group-commit CreateEvent and RecordAttempt
	// calls (nil: each commits alone).
	events   *batcher[*eventWrite]
	attempts *batcher[*attemptWrite]
}

var _ store.Store = (*DB)(nil)

// New wraps an open pool. Call Migrate before use.
func New(db *sql.DB, d Dialect) *DB {
	s := &DB{db: db, d: d, now: time.Now}
	if d.groupCommit {
		s.events, s.attempts = newBatcher[*eventWrite](), newBatcher[*attemptWrite]()
	}
	return s
}

// SQL returns the pool, for callers that share the database (River).
func (s *DB) SQL() *sql.DB { return s.db }

// Dialect returns the dialect name.
func (s *DB) DialectName() string { return s.d.Name }

// Close closes the prepared statements and the pool.
func (s *DB) Close() error {
	s.stmts.Range(func(_, st any) bool {
		st.(*sql.Stmt).Close()
		return true
	})
	return s.db.Close()
}

// Ping checks the database answers.
func (s *DB) Ping(ctx context.Context) error {
	return s.wrap(s.db.PingContext(ctx))
}

func (s *DB) migrationsFS() fs.FS {
	sub, err := fs.Sub(migrations, "migrations/"+s.d.Name)
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	return sub
}

// Provider returns the goose provider for this database's migrations. On
// PostgreSQL it holds an advisory lock while it migrates, so that several
// nodes starting together migrate once.
func (s *DB) Provider() (*goose.Provider, error) {
	var opts []goose.ProviderOption
	if s.d.Name == "postgres" {
		// Poll the lock every second (goose waits 5 s by default), for 5 minutes.
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	return goose.NewProvider(s.d.goose, s.db, s.migrationsFS(), opts...)
}

// Migrate applies every pending migration.
func (s *DB) Migrate(ctx context.Context) error {
	p, err := s.Provider()
	if err != nil {
		return err
	}
	_, err = p.Up(ctx)
	return err
}

// wrap maps driver errors onto the store's sentinel errors.
func (s *DB) wrap(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return store.ErrNotFound
	case s.d.isUnique(err):
		return fmt.Errorf("%w: %v", store.ErrConflict, err)
	case s.d.isUnavailable(err):
		return fmt.Errorf("%w: %v", store.ErrUnavailable, err)
	}
	return err
}

// inTx runs fn in a transaction, committing if it returns nil.
func (s *DB) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.wrap(err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return s.wrap(err)
	}
	return s.wrap(tx.Commit())
}

// Times are stored as Unix microseconds in both engines.
func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(v int64) time.Time { return time.UnixMicro(v).UTC() }

func optMicros(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMicro()
}

func fromOptMicros(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMicros(v.Int64)
	return &t
}

func toJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // maps of JSON values always marshal
	}
	return string(b)
}

type scanner interface{ Scan(...any) error }
