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

// TestPostgresNodesMigrateOnce: nodes starting together on one empty
// database all migrate without error, and the schema is there once.
func TestPostgresNodesMigrateOnce(t *testing.T) {
	pgtest.AdminURL(t)
	dsn := pgtest.Postgres(t)
	const nodes = 4
	errs := make(chan error, nodes)
	for i := 0; i < nodes; i++ {
		go func() {
			s, err := sqlstore.OpenPostgres(t.Context(), dsn, 2)
			if err == nil {
				err = s.Migrate(t.Context())
				s.Close()
			}
			errs <- err
		}()
	}
	for i := 0; i < nodes; i++ {
		if err := <-errs; err != nil {
			t.Fatalf("node %d: %v", i, err)
		}
	}
	s, err := sqlstore.OpenPostgres(t.Context(), dsn, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p, err := s.Provider()
	if err != nil {
		t.Fatal(err)
	}
	sources := p.ListSources()
	if v, err := p.GetDBVersion(t.Context()); err != nil || v != sources[len(sources)-1].Version {
		t.Fatalf("schema version %d, %v; want %d", v, err, sources[len(sources)-1].Version)
	}
}
