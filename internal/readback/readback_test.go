package readback

import (
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/readbacktest"
	"github.com/glint-dev/glint/internal/outbound"
	"github.com/glint-dev/glint/internal/secret"
	"github.com/glint-dev/glint/internal/settings"
	"github.com/glint-dev/glint/internal/store"
	"github.com/glint-dev/glint/internal/store/sqlstore"
)

const sha = "b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327"

// fixture is one SQLite database with a project whose MockCI points at a
// stand-in that answers the status set in it and counts its requests.
type fixture struct {
	st      *sqlstore.DB
	keys    *secret.Keyring
	project *store.Project
	status  atomic.Value // string
	hits    atomic.Int64
	release chan struct{} // when not nil, the stand-in waits for it
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := t.Context()
	st, err := sqlstore.OpenSQLite(filepath.Join(t.TempDir(), "glint.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	keys, err := secret.NewKeyring(secret.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	u := &store.User{Username: "alice", Name: "Alice", Email: "alice@example.com"}
	if err := st.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	p := &store.Project{Name: "App", Path: "app", NamespaceID: u.NamespaceID, CreatorID: u.ID}
	if err := st.CreateProject(ctx, p); err != nil {
		t.Fatal(err)
	}
	f := &fixture{st: st, keys: keys, project: p}
	f.status.Store("success")
	base := readbacktest.StandIn(t, false, func(w http.ResponseWriter, r *http.Request) {
		f.hits.Add(1)
		if f.release != nil {
			<-f.release
		}
		w.Write([]byte(`{"status":"` + f.status.Load().(string) + `"}`))
	})
	f.configure(t, base)
	return f
}

func (f *fixture) configure(t *testing.T, url string) {
	t.Helper()
	svc, _ := catalog.Lookup("mock-ci")
	change, err := settings.Decode(svc, map[string]any{"mock_service_url": url})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.st.UpdateService(t.Context(), f.project.ID, svc.Slug, func(rec *store.Service) error {
		return settings.Apply(svc, rec, change, f.keys, settings.Policy{AllowLocal: true})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// node is one glint node's read-back service on the fixture's database,
// its clock under the test's control.
func (f *fixture) node(t *testing.T, cfg Config, clock *atomic.Int64) *Service {
	s := New(f.st, f.keys, readbacktest.Client(t), cfg, nil)
	s.now = func() time.Time { return time.Unix(clock.Load(), 0) }
	return s
}

func (f *fixture) ask(t *testing.T, s *Service) integration.CommitStatus {
	t.Helper()
	got, err := s.CommitStatus(t.Context(), f.project, "mock-ci", sha, "main")
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestReactiveCache: the first call answers pending and computes in the
// background (GitLab's with_reactive_cache returns nil then); the value
// is answered from the cache, refreshed in the background after the
// refresh interval (the stale value answered meanwhile), and no longer
// answered after the lifetime.
func TestReactiveCache(t *testing.T) {
	f := newFixture(t)
	var clock atomic.Int64
	clock.Store(1_000_000)
	reg := prometheus.NewRegistry()
	s := f.node(t, Config{FirstWait: -1, Registry: reg}, &clock)
	defer func() {
		for _, c := range []struct {
			labels []string
			want   float64
		}{{[]string{"mock-ci", "none"}, 2}, {[]string{"mock-ci", "fresh"}, 3}, {[]string{"mock-ci", "stale"}, 1}} {
			if got := testutil.ToFloat64(s.m.reads.WithLabelValues(c.labels...)); got != c.want {
				t.Errorf("reads %v: %v, want %v", c.labels, got, c.want)
			}
		}
		if got := testutil.ToFloat64(s.m.fetches.WithLabelValues("mock-ci", "answered")); got != 3 {
			t.Errorf("fetches: %v, want 3", got)
		}
	}()

	if got := f.ask(t, s); got.Status != "pending" || got.BuildPage != "" {
		t.Fatalf("first call: %+v", got)
	}
	s.Wait()
	page := "/alice/app/status/" + sha
	if got := f.ask(t, s); got.Status != "success" || len(got.BuildPage) < len(page) || got.BuildPage[len(got.BuildPage)-len(page):] != page {
		t.Fatalf("after the fetch: %+v", got)
	}
	if f.hits.Load() != 1 {
		t.Fatalf("%d requests", f.hits.Load())
	}
	// Within the refresh interval: from the cache, no request.
	f.status.Store("failed")
	clock.Add(59)
	if got := f.ask(t, s); got.Status != "success" || f.hits.Load() != 1 {
		t.Fatalf("within a minute: %+v, %d requests", got, f.hits.Load())
	}
	// After it: the stale value, and a refresh in the background.
	clock.Add(2)
	if got := f.ask(t, s); got.Status != "success" {
		t.Fatalf("stale: %+v", got)
	}
	s.Wait()
	if got := f.ask(t, s); got.Status != "failed" || f.hits.Load() != 2 {
		t.Fatalf("refreshed: %+v, %d requests", got, f.hits.Load())
	}
	// After the lifetime, the old value is not answered.
	clock.Add(int64(DefaultLifetime / time.Second))
	if got := f.ask(t, s); got.Status != "pending" {
		t.Fatalf("after the lifetime: %+v", got)
	}
	s.Wait()
}

// TestFirstWait: a call waits for the fetch it started, up to FirstWait.
func TestFirstWait(t *testing.T) {
	f := newFixture(t)
	var clock atomic.Int64
	clock.Store(1_000_000)
	s := f.node(t, Config{FirstWait: 5 * time.Second}, &clock)
	if got := f.ask(t, s); got.Status != "success" {
		t.Fatalf("first call with a quick CI: %+v", got)
	}
	f.release = make(chan struct{})
	f.configure(t, f.mockURL(t)) // new settings: a new key
	s2 := f.node(t, Config{FirstWait: 50 * time.Millisecond}, &clock)
	if got := f.ask(t, s2); got.Status != "pending" {
		t.Fatalf("slow CI: %+v", got)
	}
	close(f.release)
	s2.Wait()
}

func (f *fixture) mockURL(t *testing.T) string {
	rec, err := f.st.Service(t.Context(), f.project.ID, "mock-ci")
	if err != nil {
		t.Fatal(err)
	}
	return rec.Properties["mock_service_url"].(string) + "/"
}

// TestNodesShareTheCache: two nodes on one database fetch a key once (the
// lease), and the second answers the first's value.
func TestNodesShareTheCache(t *testing.T) {
	f := newFixture(t)
	var clock atomic.Int64
	clock.Store(1_000_000)
	f.release = make(chan struct{})
	a, b := f.node(t, Config{FirstWait: -1}, &clock), f.node(t, Config{FirstWait: -1}, &clock)
	var wg sync.WaitGroup
	for _, n := range []*Service{a, b, a, b} {
		wg.Go(func() {
			if got := f.ask(t, n); got.Status != "pending" {
				t.Errorf("while fetching: %+v", got)
			}
		})
	}
	wg.Wait()
	close(f.release)
	a.Wait()
	b.Wait()
	if f.hits.Load() != 1 {
		t.Errorf("%d fetches, want 1", f.hits.Load())
	}
	if got := f.ask(t, b); got.Status != "success" {
		t.Errorf("other node: %+v", got)
	}
}

// TestErrorsAreStatuses: a CI that cannot be reached is status "error",
// never a failure of the call; a service not active is ErrInactive, one
// without read-back ErrNotReadBack.
func TestErrorsAreStatuses(t *testing.T) {
	f := newFixture(t)
	f.configure(t, readbacktest.RefusedURL(t))
	var clock atomic.Int64
	s := f.node(t, Config{FirstWait: 5 * time.Second}, &clock)
	if got := f.ask(t, s); got.Status != "error" {
		t.Errorf("refused: %+v", got)
	}
	if _, err := s.CommitStatus(t.Context(), f.project, "bamboo", sha, ""); err != ErrInactive {
		t.Errorf("bamboo never configured: %v", err)
	}
	if _, err := s.CommitStatus(t.Context(), f.project, "slack", sha, ""); err != ErrNotReadBack {
		t.Errorf("slack: %v", err)
	}
}

// TestGuarded: read-backs go through the guarded outbound client: with
// local requests not allowed, a CI on 127.0.0.1 is never asked, and the
// status is "error".
func TestGuarded(t *testing.T) {
	f := newFixture(t)
	var clock atomic.Int64
	s := New(f.st, f.keys, outbound.New(outbound.Options{Timeout: 2 * time.Second}), Config{FirstWait: 5 * time.Second}, nil)
	s.now = func() time.Time { return time.Unix(clock.Load(), 0) }
	if got := f.ask(t, s); got.Status != "error" {
		t.Errorf("a CI on the local network: %+v", got)
	}
	if f.hits.Load() != 0 {
		t.Errorf("the guarded client reached the local CI %d times", f.hits.Load())
	}
}
