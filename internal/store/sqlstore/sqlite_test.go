package sqlstore_test

import (
	"path/filepath"
	"testing"

	"github.com/glint-dev/glint/internal/store"
	"github.com/glint-dev/glint/internal/store/sqlstore"
	"github.com/glint-dev/glint/internal/store/storetest"
)

func TestSQLite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := sqlstore.OpenSQLite(filepath.Join(t.TempDir(), "glint.db"))
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
