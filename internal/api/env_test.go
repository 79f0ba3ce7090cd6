package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glint-dev/glint/internal/api"
	"github.com/glint-dev/glint/internal/app"
	"github.com/glint-dev/glint/internal/auth"
	"github.com/glint-dev/glint/internal/outbound"
	"github.com/glint-dev/glint/internal/readback"
	"github.com/glint-dev/glint/internal/secret"
	"github.com/glint-dev/glint/internal/settings"
	"github.com/glint-dev/glint/internal/store"
	"github.com/glint-dev/glint/internal/store/sqlstore"
)

// testEnv is a glint API over a fresh database, with a root admin.
type testEnv struct {
	t       testing.TB
	handler http.Handler
	st      store.Store
	keys    *secret.Keyring
	root    string // root's token
	dbPath  string // SQLite file, "" on PostgreSQL
	dsn     string // PostgreSQL URL, "" on SQLite
	logs    *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// engine opens a fresh, migrated store.
type engine struct {
	name string
	// open returns the store and the SQLite file ("" on PostgreSQL) or
	// the PostgreSQL URL ("" on SQLite).
	open func(t testing.TB) (db *sqlstore.DB, path, dsn string)
}

func sqliteEngine() engine {
	return engine{"sqlite", func(t testing.TB) (*sqlstore.DB, string, string) {
		path := filepath.Join(t.TempDir(), "glint.db")
		db, err := sqlstore.OpenSQLite(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db, path, ""
	}}
}

// forEachEngine runs the test on every engine available.
func forEachEngine(t *testing.T, fn func(t *testing.T, e engine)) {
	for _, e := range engines() {
		t.Run(e.name, func(t *testing.T) { fn(t, e) })
	}
}

func newTestEnvOn(t testing.TB, e engine, policy settings.Policy) *testEnv {
	ctx := context.Background()
	db, path, dsn := e.open(t)
	dir := t.TempDir()
	cfg := app.Config{DataDir: dir}
	keys, err := app.LoadKeys(ctx, cfg, db)
	if err != nil {
		t.Fatal(err)
	}
	root, err := app.Bootstrap(ctx, cfg, db)
	if err != nil || root == "" {
		t.Fatalf("bootstrap: %q %v", root, err)
	}
	logs := &syncBuffer{}
	reads := readback.New(db, keys, outbound.New(outbound.Options{AllowLocal: true, Timeout: 5 * time.Second}), readback.Config{FirstWait: 5 * time.Second}, nil)
	h := api.New(api.Options{
		Store: db, Sealer: keys, Policy: policy, Version: "test", BaseURL: "http://glint.test", ReadBacks: reads,
		Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	return &testEnv{t: t, handler: h, st: db, keys: keys, root: root, dbPath: path, dsn: dsn, logs: logs}
}

func newTestEnv(t testing.TB) *testEnv {
	return newTestEnvOn(t, sqliteEngine(), settings.Policy{})
}

// response is a recorded answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, r.body)
	}
	return m
}

// do sends a request; body may be a string (sent as JSON unless ctype
// says otherwise), a url.Values-encoded string, or nil.
func (e *testEnv) do(method, path, token string, body any, header ...string) response {
	e.t.Helper()
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd, ctype = strings.NewReader(b), "application/json"
	case []byte:
		rd, ctype = bytes.NewReader(b), "application/json"
	default:
		data, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd, ctype = bytes.NewReader(data), "application/json"
	}
	req := httptest.NewRequest(method, path, rd)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("PRIVATE-TOKEN", token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	e.handler.ServeHTTP(rec, req)
	return response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

// must sends a request and fails unless the status is want.
func (e *testEnv) must(want int, method, path, token string, body any, header ...string) response {
	e.t.Helper()
	r := e.do(method, path, token, body, header...)
	if r.status != want {
		e.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.status, want, r.body)
	}
	return r
}

// user creates a user with a token of the given scopes.
func (e *testEnv) user(name string, scopes ...string) (*store.User, string) {
	e.t.Helper()
	ctx := context.Background()
	u := &store.User{Username: name, Name: name, Email: name + "@example.com"}
	if err := e.st.CreateUser(ctx, u); err != nil {
		e.t.Fatal(err)
	}
	if len(scopes) == 0 {
		scopes = []string{auth.ScopeAPI}
	}
	return u, e.token(u.ID, scopes, nil)
}

func (e *testEnv) token(userID int64, scopes []string, expires *time.Time) string {
	e.t.Helper()
	text := auth.NewToken()
	if err := e.st.CreateToken(context.Background(), &store.Token{UserID: userID, Name: "t", Hash: auth.Hash(text), Scopes: scopes, ExpiresAt: expires}); err != nil {
		e.t.Fatal(err)
	}
	return text
}

// project creates root/<path> through the API and returns its id.
func (e *testEnv) project(path string) int64 {
	e.t.Helper()
	r := e.must(201, "POST", "/api/v4/projects", e.root, map[string]any{"name": path, "path": path})
	return int64(r.json(e.t)["id"].(float64))
}

func (e *testEnv) member(projectID, userID int64, level int) {
	e.t.Helper()
	if err := e.st.SetMember(context.Background(), store.ProjectSource, projectID, store.Member{UserID: userID, AccessLevel: level}); err != nil {
		e.t.Fatal(err)
	}
}

var defaultPolicy = settings.Policy{}
