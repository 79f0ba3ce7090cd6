package api_test

import (
	"fmt"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/glint-dev/glint/internal/api"
	"github.com/glint-dev/glint/internal/auth"
	"github.com/glint-dev/glint/internal/store"
	"github.com/glint-dev/glint/internal/store/sqlstore"
)

// BenchmarkProjectListPage: the cost of one page of GET /projects for a
// user who is not an admin, with the access checks in the query, as the
// table grows from 100 to 100,000 projects (half public; the user is a
// member of 10 private ones). The page's cost stays flat: compare
// the sub-benchmarks of one run.
//
//	go test -run XXX -bench ProjectListPage ./internal/api
func BenchmarkProjectListPage(b *testing.B) {
	for _, n := range []int{100, 1000, 10_000, 100_000} {
		b.Run(fmt.Sprintf("projects=%d", n), func(b *testing.B) {
			db, err := sqlstore.OpenSQLite(filepath.Join(b.TempDir(), "glint.db"))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { db.Close() })
			if err := db.Migrate(b.Context()); err != nil {
				b.Fatal(err)
			}
			loadProjects(b, db, n)
			text := auth.NewToken()
			if err := db.CreateToken(b.Context(), &store.Token{UserID: 1, Name: "b", Hash: auth.Hash(text), Scopes: []string{auth.ScopeAPI}}); err != nil {
				b.Fatal(err)
			}
			h := api.New(api.Options{Store: db, Logger: slog.New(slog.DiscardHandler)})
			for _, page := range []string{"1", "3"} {
				b.Run("page="+page, func(b *testing.B) {
					for b.Loop() {
						req := httptest.NewRequest("GET", "/api/v4/projects?per_page=20&page="+page, nil)
						req.Header.Set("Private-Token", text)
						rec := httptest.NewRecorder()
						h.ServeHTTP(rec, req)
						if rec.Code != 200 {
							b.Fatalf("status %d: %s", rec.Code, rec.Body)
						}
					}
				})
			}
		})
	}
}

// loadProjects fills an empty database in one transaction: the user 1
// (not an admin), a group, and n projects in it.
func loadProjects(b testing.TB, db *sqlstore.DB, n int) {
	rows := []store.Row{
		{Table: "users", Values: map[string]any{"id": 1, "username": "u", "username_lower": "u", "name": "U", "email": "u@example.com",
			"admin": false, "namespace_id": 1, "created_at": 1}},
		{Table: "namespaces", Values: map[string]any{"id": 1, "name": "u", "path": "u", "full_path": "u", "full_path_lower": "u",
			"kind": "user", "owner_id": 1, "description": "", "visibility": "private", "created_at": 1}},
		{Table: "namespaces", Values: map[string]any{"id": 2, "name": "g", "path": "g", "full_path": "g", "full_path_lower": "g",
			"kind": "group", "description": "", "visibility": "private", "created_at": 1}},
	}
	for i := 1; i <= n; i++ {
		vis := "public"
		if i%2 == 0 {
			vis = "private"
		}
		path := fmt.Sprintf("p%d", i)
		rows = append(rows, store.Row{Table: "projects", Values: map[string]any{"id": i, "name": path, "path": path, "path_lower": path,
			"namespace_id": 2, "description": "", "visibility": vis, "default_branch": "master", "creator_id": 1,
			"intake_token_hash": "", "created_at": 1, "last_activity_at": 1}})
		if i%2 == 0 && i <= 20 {
			rows = append(rows, store.Row{Table: "members", Values: map[string]any{"source": "project", "source_id": i, "user_id": 1,
				"access_level": store.Developer, "created_at": 1}})
		}
	}
	next := 0
	if _, err := db.Load(b.Context(), func() (*store.Row, error) {
		if next == len(rows) {
			return nil, nil
		}
		next++
		return &rows[next-1], nil
	}); err != nil {
		b.Fatal(err)
	}
}
