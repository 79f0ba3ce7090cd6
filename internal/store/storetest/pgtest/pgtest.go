// Package pgtest gives tests throwaway PostgreSQL databases.
//
// The server is named by the admin URL in GLINT_TEST_POSTGRES, a DSN for a
// role that may create and drop databases, for example
//
//	postgres://postgres:postgres@127.0.0.1:5432/postgres?sslmode=disable
//
// (.ci/pg-setup.sh prepares a local server and prints such a URL). Without
// it tests that need PostgreSQL skip, except in CI (CI=true), where they
// fail.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
)

// EnvVar names the environment variable holding the admin URL.
const EnvVar = "GLINT_TEST_POSTGRES"

// AdminURL returns the admin URL from GLINT_TEST_POSTGRES. If it is unset
// it skips t, or fails it when CI is "true".
func AdminURL(t testing.TB) string {
	t.Helper()
	admin := strings.TrimSpace(os.Getenv(EnvVar))
	if admin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal(EnvVar + " must be set in CI")
		}
		t.Skip(EnvVar + " is not set: skipping PostgreSQL tests " +
			"(set it to an admin DSN, e.g. the output of .ci/pg-setup.sh)")
	}
	return admin
}

// Postgres creates a fresh, empty database named glint_test_<random> on
// the server of GLINT_TEST_POSTGRES, returns a DSN for it, and drops it
// (forcibly, closing leftover connections) when t ends.
func Postgres(t testing.TB) string {
	t.Helper()
	admin := AdminURL(t)

	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	name := "glint_test_" + hex.EncodeToString(b[:])
	dsn, err := withDatabase(admin, name)
	if err != nil {
		t.Fatalf("%s: %v", EnvVar, err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := adminExec(ctx, admin, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("creating test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := adminExec(ctx, admin, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("dropping test database %s: %v", name, err)
		}
	})
	return dsn
}

func adminExec(ctx context.Context, admin, stmt string) error {
	db, err := sql.Open("pgx", admin)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, stmt)
	return err
}

// withDatabase returns dsn pointed at database name. It accepts URLs
// (postgres://...) and keyword/value strings (host=... user=...).
func withDatabase(dsn, name string) (string, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", err
		}
		u.Path = "/" + name
		u.RawPath = ""
		q := u.Query()
		if q.Has("dbname") {
			q.Set("dbname", name)
			u.RawQuery = q.Encode()
		}
		return u.String(), nil
	}
	if strings.Contains(dsn, "://") {
		return "", fmt.Errorf("unsupported URL scheme in %q", dsn)
	}
	// Keyword/value: a later dbname wins over an earlier one.
	return strings.TrimSpace(dsn) + " dbname=" + name, nil
}
