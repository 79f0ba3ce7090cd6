package api_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/api"
	"github.com/glint-dev/glint/internal/app"
	"github.com/glint-dev/glint/internal/store"
	"github.com/glint-dev/glint/internal/store/sqlstore"
)

// benchEnv is a glint server on SQLite in a temporary directory, with the
// bootstrap root user, one project and its Slack service configured.
type benchEnv struct {
	handler http.Handler
	token   string
	url     string // the project's slack service
	body    []byte // what GET answered, for the bare handler
}

func newBenchEnv(b *testing.B) *benchEnv {
	b.Helper()
	ctx := b.Context()
	cfg := app.Config{DataDir: b.TempDir()}
	st, err := sqlstore.OpenSQLite(filepath.Join(cfg.DataDir, "glint.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
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
		token:   token,
		url:     "/api/v4/projects/" + strconv.FormatInt(p.ID, 10) + "/services/slack",
	}
	e.put(b, true)
	e.body = e.get(b).Body.Bytes()
	return e
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
	e := newBenchEnv(b)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		e.get(b)
	}
}

// BenchmarkPutService is PUT .../services/slack, alternating push_events,
// so that every request writes.
func BenchmarkPutService(b *testing.B) {
	e := newBenchEnv(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		e.put(b, i%2 == 0)
	}
}

// BenchmarkBareHandler is the ceiling: a plain handler writing the bytes
// GET answered, with the same request and recorder overhead.
func BenchmarkBareHandler(b *testing.B) {
	e := newBenchEnv(b)
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(e.body)
	})
	e.handler = bare
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		e.get(b)
	}
}
