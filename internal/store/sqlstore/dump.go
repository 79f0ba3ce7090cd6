package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/glint-dev/glint/internal/store"
)

// dumpTables lists the tables in the order a load must insert them, with
// the columns each engine stores as booleans (SQLite hands them back as
// integers; they are dumped as JSON booleans so either engine loads them).
var dumpTables = []struct {
	name  string
	bools []string
	hasID bool
}{
	{"settings", nil, false},
	{"users", []string{"admin"}, true},
	{"namespaces", nil, true},
	{"tokens", []string{"revoked"}, true},
	{"projects", nil, true},
	{"members", nil, false},
	{"services", []string{"active"}, true},
	{"gitlab_sources", nil, false},
	{"events", nil, true},
	{"deliveries", nil, true},
	{"delivery_attempts", nil, false},
}

// Dump walks every row of every table, in load order, in one read
// transaction: the export is one consistent snapshot even while the
// server writes (PostgreSQL: REPEATABLE READ; SQLite: a deferred read
// transaction on its write-ahead log), and without stopping the writers.
func (s *DB) Dump(ctx context.Context, fn func(store.Row) error) error {
	// ReadOnly makes the SQLite driver begin a deferred transaction (not
	// the immediate one glint's writers take), so that writers go on.
	opts := &sql.TxOptions{ReadOnly: true}
	if s.d.Name == "postgres" {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := s.db.BeginTx(ctx, opts)
	if err != nil {
		return s.wrap(err)
	}
	defer tx.Rollback() //nolint:errcheck // read only: nothing to keep
	for _, t := range dumpTables {
		order := ""
		if t.hasID {
			order = " ORDER BY id"
		}
		rows, err := tx.QueryContext(ctx, `SELECT * FROM `+t.name+order)
		if err != nil {
			return s.wrap(err)
		}
		if err := s.dumpRows(rows, t.name, t.bools, fn); err != nil {
			return err
		}
	}
	return nil
}

func (s *DB) dumpRows(rows *sql.Rows, table string, bools []string, fn func(store.Row) error) error {
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return s.wrap(err)
	}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return s.wrap(err)
		}
		row := store.Row{Table: table, Values: make(map[string]any, len(cols))}
		for i, c := range cols {
			v := vals[i]
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			if slices.Contains(bools, c) {
				v = truthy(v)
			}
			row.Values[c] = v
		}
		if err := fn(row); err != nil {
			return err
		}
	}
	return s.wrap(rows.Err())
}

func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case int64:
		return x != 0
	case float64:
		return x != 0
	}
	return false
}

// Load inserts dumped rows into an empty database in one transaction; on
// any error nothing is kept. Identity sequences are moved past the loaded
// ids so that new rows do not collide.
func (s *DB) Load(ctx context.Context, next func() (*store.Row, error)) (int, error) {
	n := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var users int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&users); err != nil {
			return err
		}
		if users > 0 {
			return fmt.Errorf("the target database is not empty (%d users): import needs an empty one", users)
		}
		// The settings of a fresh database (its key id) give way to the
		// imported ones.
		if _, err := tx.ExecContext(ctx, `DELETE FROM settings`); err != nil {
			return err
		}
		for {
			row, err := next()
			if err != nil {
				return err
			}
			if row == nil {
				break
			}
			if err := insertRow(ctx, tx, row); err != nil {
				return fmt.Errorf("row %d (%s): %w", n+1, row.Table, err)
			}
			n++
		}
		return s.resetSequences(ctx, tx)
	})
	return n, err
}

func insertRow(ctx context.Context, tx *sql.Tx, row *store.Row) error {
	known := false
	for _, t := range dumpTables {
		known = known || t.name == row.Table
	}
	if !known {
		return fmt.Errorf("unknown table %q", row.Table)
	}
	cols := make([]string, 0, len(row.Values))
	marks := make([]string, 0, len(row.Values))
	args := make([]any, 0, len(row.Values))
	for c, v := range row.Values {
		if !validColumn(c) {
			return fmt.Errorf("bad column name %q", c)
		}
		cols = append(cols, c)
		args = append(args, v)
		marks = append(marks, fmt.Sprintf("$%d", len(args)))
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO `+row.Table+` (`+strings.Join(cols, ", ")+`) VALUES (`+strings.Join(marks, ", ")+`)`, args...)
	return err
}

// validColumn keeps dumped column names to plain identifiers, since they
// are written into the statement.
func validColumn(c string) bool {
	if c == "" {
		return false
	}
	for _, r := range c {
		if !(r == '_' || (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9')) {
			return false
		}
	}
	return true
}

func (s *DB) resetSequences(ctx context.Context, tx *sql.Tx) error {
	if s.d.Name != "postgres" {
		return nil // SQLite's AUTOINCREMENT follows the largest id by itself
	}
	for _, t := range dumpTables {
		if !t.hasID {
			continue
		}
		_, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('`+t.name+`', 'id'), COALESCE((SELECT MAX(id) FROM `+t.name+`), 0) + 1, false)`)
		if err != nil {
			return err
		}
	}
	return nil
}
