package api_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/api"
	"github.com/glint-dev/glint/internal/app"
	"github.com/glint-dev/glint/internal/auth"
	"github.com/glint-dev/glint/internal/store"
	"github.com/glint-dev/glint/internal/store/storetest/pgtest"
)

// benchEngines runs f as a sub-benchmark per database: "sqlite" in a
// temporary directory, and "postgres" on a fresh database from pgtest when
// GLINT_TEST_POSTGRES is set (skipped otherwise, in CI too: benchmarks
// are not part of the suite CI requires PostgreSQL for).
func benchEngines(b *testing.B, f func(b *testing.B, e *benchEnv)) {
	b.Run("sqlite", func(b *testing.B) { f(b, newBenchEnv(b, app.Config{DataDir: b.TempDir()})) })
	b.Run("postgres", func(b *testing.B) {
		if strings.TrimSpace(os.Getenv(pgtest.EnvVar)) == "" {
			b.Skip(pgtest.EnvVar + " is not set: skipping PostgreSQL")
		}
		// serve's default --db-pool-size.
		f(b, newBenchEnv(b, app.Config{DataDir: b.TempDir(), Database: pgtest.Postgres(b), PoolSize: 10}))
	})
}

// benchEnv is a glint server on cfg's database (SQLite in cfg.DataDir, or
// an empty PostgreSQL database), with the bootstrap root user, one project
// and its Slack service configured.
type benchEnv struct {
	handler http.Handler
	st      store.Store
	project *store.Project
	token   string // the caller's: root's unless useMaintainer switched it
	url     string // the project's slack service
	body    []byte // what GET answered, for the bare handler
}

func newBenchEnv(b *testing.B, cfg app.Config) *benchEnv {
	b.Helper()
	ctx := b.Context()
	st, err := app.OpenStore(ctx, cfg) // opens and migrates, as serve does
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	keys, err := app.LoadKeys(ctx, cfg, st)
	if err != nil {
		b.Fatal(err)
	}
	token, err := app.Bootstrap(ctx, cfg, st)
	if err != nil {
		b.Fatal(err)
	}
	root, err := st.UserByUsername(ctx, "root")
	if err != nil {
		b.Fatal(err)
	}
	p := &store.Project{Name: "bench", Path: "bench", NamespaceID: root.NamespaceID, CreatorID: root.ID}
	if err := st.CreateProject(ctx, p); err != nil {
		b.Fatal(err)
	}
	// The access log is written as serve writes it (JSON), but discarded.
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	e := &benchEnv{
		handler: api.New(api.Options{Store: st, Sealer: keys, Logger: log}),
		st:      st,
		project: p,
		token:   token,
		url:     "/api/v4/projects/" + strconv.FormatInt(p.ID, 10) + "/services/slack",
	}
	e.put(b, true)
	e.body = e.get(b).Body.Bytes()
	return e
}

// useMaintainer makes the caller a non-admin user who is a direct
// Maintainer of the project: unlike root, such a caller's access level is
// read from the database on every request.
func (e *benchEnv) useMaintainer(b *testing.B) {
	b.Helper()
	ctx := b.Context()
	u := &store.User{Username: "maintainer", Name: "Maintainer", Email: "maintainer@example.com"}
	if err := e.st.CreateUser(ctx, u); err != nil {
		b.Fatal(err)
	}
	text := auth.NewToken()
	t := &store.Token{UserID: u.ID, Name: "bench", Hash: auth.Hash(text), Scopes: []string{auth.ScopeAPI}}
	if err := e.st.CreateToken(ctx, t); err != nil {
		b.Fatal(err)
	}
	m := store.Member{UserID: u.ID, AccessLevel: store.Maintainer}
	if err := e.st.SetMember(ctx, store.ProjectSource, e.project.ID, m); err != nil {
		b.Fatal(err)
	}
	e.token = text
	e.get(b) // records the token's use, so the loop reads only
}

func (e *benchEnv) serve(b *testing.B, r *http.Request) *httptest.ResponseRecorder {
	r.Header.Set("PRIVATE-TOKEN", e.token)
	w := httptest.NewRecorder()
	e.handler.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		b.Fatalf("%s %s: %d %s", r.Method, r.URL.Path, w.Code, w.Body)
	}
	return w
}

func (e *benchEnv) get(b *testing.B) *httptest.ResponseRecorder {
	return e.serve(b, httptest.NewRequest(http.MethodGet, e.url, nil))
}

func (e *benchEnv) put(b *testing.B, push bool) *httptest.ResponseRecorder {
	body := `{"webhook":"https://hooks.slack.com/services/x","push_events":` + strconv.FormatBool(push) + `}`
	r := httptest.NewRequest(http.MethodPut, e.url, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	return e.serve(b, r)
}

// BenchmarkGetService is GET .../services/slack through the whole stack:
// middleware, token authentication, project access and the store.
func BenchmarkGetService(b *testing.B) {
	benchEngines(b, func(b *testing.B, e *benchEnv) {
		b.ReportAllocs()
		for b.Loop() {
			e.get(b)
		}
	})
}

// BenchmarkGetServiceMember is BenchmarkGetService for a non-admin
// Maintainer of the project, whose access level the middleware must read.
func BenchmarkGetServiceMember(b *testing.B) {
	benchEngines(b, func(b *testing.B, e *benchEnv) {
		e.useMaintainer(b)
		b.ReportAllocs()
		for b.Loop() {
			e.get(b)
		}
	})
}

// BenchmarkPutService is PUT .../services/slack, alternating push_events,
// so that every request writes.
func BenchmarkPutService(b *testing.B) {
	benchEngines(b, func(b *testing.B, e *benchEnv) {
		b.ReportAllocs()
		push := false
		for b.Loop() {
			push = !push
			e.put(b, push)
		}
	})
}

// BenchmarkBareHandler is the ceiling: a plain handler writing the bytes
// GET answered, with the same request and recorder overhead.
func BenchmarkBareHandler(b *testing.B) {
	e := newBenchEnv(b, app.Config{DataDir: b.TempDir()})
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(e.body)
	})
	e.handler = bare
	b.ReportAllocs()
	for b.Loop() {
		e.get(b)
	}
}
