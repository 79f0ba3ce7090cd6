package sqlstore

import "strings"

// fields is where one record's columns of a row go, and what turns them
// into the record once the row is read (times from microseconds, JSON
// columns into maps). A query that joins several records scans each
// record's fields from one row (scanFields), with the same code that reads
// the record alone.
type fields struct {
	dests  []any
	finish func() error
}

// scanFields reads one row into the records' fields, in order.
func scanFields(r scanner, records ...fields) error {
	var dests []any
	for _, f := range records {
		dests = append(dests, f.dests...)
	}
	if err := r.Scan(dests...); err != nil {
		return err
	}
	for _, f := range records {
		if f.finish == nil {
			continue
		}
		if err := f.finish(); err != nil {
			return err
		}
	}
	return nil
}

// scanOne reads one record of a row.
func scanOne[T any](r scanner, into func(*T) fields) (*T, error) {
	var v T
	if err := scanFields(r, into(&v)); err != nil {
		return nil, err
	}
	return &v, nil
}

// qualify prefixes each of a column list's columns with a table alias.
func qualify(alias, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}
