package sqlstore_test

import (
	"testing"

	"github.com/glint-dev/glint/internal/store"
	"github.com/glint-dev/glint/internal/store/sqlstore"
	"github.com/glint-dev/glint/internal/store/storetest"
	"github.com/glint-dev/glint/internal/store/storetest/pgtest"
)

// TestPostgres needs GLINT_TEST_POSTGRES (see package pgtest); each subtest
// gets a database of its own.
func TestPostgres(t *testing.T) {
	pgtest.AdminURL(t) // skip (or, in CI, fail) once rather than per subtest
	storetest.Run(t, func(t *testing.T) store.Store {
		dsn := pgtest.Postgres(t)
		s, err := sqlstore.OpenPostgres(t.Context(), dsn, 4)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		if err := s.Migrate(t.Context()); err != nil {
			t.Fatal(err)
		}
		return s
	})
}
