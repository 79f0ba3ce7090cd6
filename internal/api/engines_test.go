package api_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/store/sqlstore"
	"github.com/glint-dev/glint/internal/store/storetest/pgtest"
)

// engines are the databases the API suite runs on: SQLite always,
// PostgreSQL when GLINT_TEST_POSTGRES names a server (required in CI).
func engines() []engine { return []engine{sqliteEngine(), postgresEngine()} }

func postgresEngine() engine {
	return engine{"postgres", func(t testing.TB) (*sqlstore.DB, string, string) {
		dsn := pgtest.Postgres(t)
		db, err := sqlstore.OpenPostgres(context.Background(), dsn, 8)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if err := db.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		return db, "", dsn
	}}
}

// postgresAvailable reports whether the PostgreSQL variants run: with
// GLINT_TEST_POSTGRES set, and always in CI (where pgtest fails without it).
func postgresAvailable() bool {
	return strings.TrimSpace(os.Getenv(pgtest.EnvVar)) != "" || os.Getenv("CI") != ""
}
