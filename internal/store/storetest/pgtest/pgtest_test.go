package pgtest

import (
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

func TestWithDatabase(t *testing.T) {
	for _, admin := range []string{
		"postgres://postgres:postgres@127.0.0.1:5432/postgres?sslmode=disable",
		"postgres://postgres@/postgres?host=/var/run/postgresql",
		"postgresql://u:p%40ss@db.example:6543?sslmode=disable",
		"postgres://u@h/postgres?dbname=postgres",
		"host=/var/run/postgresql user=postgres dbname=postgres",
		"host=127.0.0.1 user=postgres password=postgres",
	} {
		dsn, err := withDatabase(admin, "glint_test_x")
		if err != nil {
			t.Fatalf("withDatabase(%q): %v", admin, err)
		}
		want, err := pgconn.ParseConfig(admin)
		if err != nil {
			t.Fatal(err)
		}
		got, err := pgconn.ParseConfig(dsn)
		if err != nil {
			t.Fatalf("withDatabase(%q) = %q: %v", admin, dsn, err)
		}
		if got.Database != "glint_test_x" || got.Host != want.Host || got.Port != want.Port ||
			got.User != want.User || got.Password != want.Password {
			t.Errorf("withDatabase(%q) = %q: database %q host %q port %d user %q", admin, dsn, got.Database, got.Host, got.Port, got.User)
		}
	}
	if _, err := withDatabase("mysql://x", "d"); err == nil {
		t.Error("withDatabase accepted a mysql URL")
	}
}
