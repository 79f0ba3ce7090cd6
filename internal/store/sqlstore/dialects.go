package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

var sqliteDialect = Dialect{
	Name:    "sqlite",
	goose:   goose.DialectSQLite3,
	lockRow: "", // transactions begin IMMEDIATE: the whole database is locked
	// One writer at a time: events arriving together commit together.
	groupCommit: true,
	isUnique: func(err error) bool {
		var e *sqlite.Error
		return errors.As(err, &e) && (e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
	},
	isUnavailable: func(err error) bool { return false },
}

var postgresDialect = Dialect{
	Name:    "postgres",
	goose:   goose.DialectPostgres,
	lockRow: " FOR UPDATE",
	// pgx's default exec mode caches prepared statements per connection.
	driverCachesStatements: true,
	isUnique: func(err error) bool {
		var e *pgconn.PgError
		return errors.As(err, &e) && e.Code == "23505"
	},
	isUnavailable: func(err error) bool {
		var ne net.Error
		var ce *pgconn.ConnectError
		var pe *pgconn.PgError
		if errors.As(err, &pe) {
			// 57P01 admin_shutdown, 57P03 cannot_connect_now, class 08 connection exceptions
			return pe.Code == "57P01" || pe.Code == "57P03" || strings.HasPrefix(pe.Code, "08")
		}
		// A connection dropped under a query surfaces as a bare
		// (unexpected) EOF: the server or the network went away.
		return errors.As(err, &ce) || errors.As(err, &ne) || errors.Is(err, net.ErrClosed) ||
			errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.Is(err, driver.ErrBadConn) ||
			strings.Contains(err.Error(), "conn closed") || strings.Contains(err.Error(), "connection refused") ||
			strings.Contains(err.Error(), "bad connection")
	},
}

// OpenSQLite opens (creating if needed) the SQLite database file in WAL
// mode, with a busy timeout and immediate transactions so that concurrent
// writers queue instead of failing.
func OpenSQLite(path string) (*DB, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
	}
	db, err := sql.Open("sqlite", SQLiteDSN(path))
	if err != nil {
		return nil, err
	}
	// One writer at a time is all SQLite allows; a small pool still lets
	// readers proceed under WAL.
	db.SetMaxOpenConns(4)
	// Keep all four when idle: database/sql keeps two by default, so under
	// load connections were closed and reopened all the time, each reopening
	// running the pragmas and re-preparing every cached statement (a fifth
	// of GET's CPU on SQLite in bench profile).
	db.SetMaxIdleConns(4)
	db.SetConnMaxIdleTime(time.Minute)
	return New(db, sqliteDialect), nil
}

// SQLiteDSN names the database file with glint's settings: WAL, a busy
// timeout, foreign keys and immediate transactions.
func SQLiteDSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}

// OpenPostgres connects to PostgreSQL with a pool of at most poolSize
// connections.
func OpenPostgres(ctx context.Context, dsn string, poolSize int) (*DB, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	if poolSize <= 0 {
		poolSize = 10
	}
	db.SetMaxOpenConns(poolSize)
	db.SetMaxIdleConns(poolSize)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connecting to PostgreSQL: %w", err)
	}
	return New(db, postgresDialect), nil
}
