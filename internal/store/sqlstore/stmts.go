package sqlstore

import (
	"context"
	"database/sql"
)

// Prepared statements, kept for the life of the pool. Without them every
// query is parsed again: on SQLite the parser was the largest single cost
// of a GET of a service (a third of the CPU in the profile).

func (s *DB) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := s.stmts.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := s.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := s.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

func (s *DB) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := s.stmt(ctx, query)
	if err != nil {
		return s.db.QueryRowContext(ctx, query, args...) // carries the same error
	}
	return st.QueryRowContext(ctx, args...)
}

func (s *DB) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := s.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (s *DB) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := s.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// txQueryRow runs a query in tx with the pool's cached statement for it
// (prepared on the transaction's connection if it is not yet), or
// unprepared if none is cached: preparing one now would take a second
// connection while tx holds one, and a pool whose connections all hold
// transactions would wait for ever. Callers prepare first (prepare).
// Where the driver caches statements itself (pgx), the query goes to it
// as it is: database/sql's per-transaction statements only add work there.
func (s *DB) txQueryRow(ctx context.Context, tx *sql.Tx, query string, args ...any) *sql.Row {
	st, ok := s.stmts.Load(query)
	if !ok || s.d.driverCachesStatements {
		return tx.QueryRowContext(ctx, query, args...)
	}
	return tx.StmtContext(ctx, st.(*sql.Stmt)).QueryRowContext(ctx, args...)
}

// prepare caches statements for txQueryRow, before a transaction.
func (s *DB) prepare(ctx context.Context, queries ...string) error {
	if s.d.driverCachesStatements {
		return nil
	}
	for _, q := range queries {
		if _, err := s.stmt(ctx, q); err != nil {
			return err
		}
	}
	return nil
}
