package delivery

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/integration/integrationtest"
	"github.com/glint-dev/glint/internal/outbound"
	"github.com/glint-dev/glint/internal/secret"
	"github.com/glint-dev/glint/internal/settings"
	"github.com/glint-dev/glint/internal/store"
	"github.com/glint-dev/glint/internal/store/sqlstore"
)

type fixture struct {
	st   *sqlstore.DB
	d    *Deliverer
	sink *integrationtest.Recorder
	p    *store.Project
	push []byte
}

func newFixture(t *testing.T, cfg Config) *fixture {
	ctx := context.Background()
	st, err := sqlstore.OpenSQLite(filepath.Join(t.TempDir(), "glint.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	keys, _ := secret.NewKeyring(secret.NewKey())
	u := &store.User{Username: "root", Name: "root", Email: "r@example.com"}
	must(t, st.CreateUser(ctx, u))
	p := &store.Project{Name: "demo", Path: "demo", NamespaceID: u.NamespaceID, CreatorID: u.ID}
	must(t, st.CreateProject(ctx, p))
	sink := integrationtest.RecordingServer(t)
	s, _ := catalog.Lookup("slack")
	c, err := settings.Decode(s, map[string]any{"webhook": sink.URL + "/services/T0/SECRETPATH", "branches_to_be_notified": "all"})
	must(t, err)
	_, err = st.UpdateService(ctx, p.ID, "slack", func(rec *store.Service) error {
		return settings.Apply(s, rec, c, keys, settings.Policy{AllowLocal: true})
	})
	must(t, err)
	push, err := os.ReadFile(filepath.Join("..", "event", "testdata", "push.json"))
	must(t, err)
	client := outbound.New(outbound.Options{AllowLocal: true, Timeout: 2 * time.Second})
	return &fixture{st: st, d: NewDeliverer(st, keys, client, cfg, slog.New(slog.DiscardHandler), nil), sink: sink, p: p, push: push}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// event stores a push with a slack delivery and returns the delivery id.
func (f *fixture) event(t *testing.T) int64 {
	ds, _, err := f.st.CreateEvent(context.Background(), &store.Event{ProjectID: f.p.ID, Kind: "push", Header: "Push Hook", Payload: f.push}, []string{"slack"})
	must(t, err)
	return ds[0].ID
}

func (f *fixture) attempt(t *testing.T, id int64) (Result, *store.Delivery) {
	res, err := f.d.Attempt(context.Background(), id)
	must(t, err)
	dl, err := f.st.Delivery(context.Background(), id)
	must(t, err)
	return res, dl
}

func TestAttemptOutcomes(t *testing.T) {
	cases := []struct {
		name       string
		status     int
		wantStatus string
		wantRetry  bool
	}{
		{"delivered", 200, store.DeliveryDelivered, false},
		{"server error retries", 500, store.DeliveryPending, true},
		{"timeout status retries", 408, store.DeliveryPending, true},
		{"rate limited retries", 429, store.DeliveryPending, true},
		{"not found is final", 404, store.DeliveryFailed, false},
		{"bad request is final", 400, store.DeliveryFailed, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, Config{MaxAttempts: 5})
			f.sink.Respond(c.status, "answer body")
			res, dl := f.attempt(t, f.event(t))
			if dl.Status != c.wantStatus || res.Retry != c.wantRetry || dl.Attempts != 1 {
				t.Fatalf("status %s retry %v attempts %d", dl.Status, res.Retry, dl.Attempts)
			}
			if c.wantRetry && (res.RetryAfter < 500*time.Millisecond || res.RetryAfter > time.Second) {
				t.Fatalf("first backoff %v, want within [0.5s, 1s]", res.RetryAfter)
			}
			as, _ := f.st.Attempts(context.Background(), dl.ID)
			if len(as) != 1 || as[0].StatusCode != c.status || as[0].ResponseBody != "answer body" {
				t.Fatalf("attempt log: %+v", as)
			}
			if len(f.sink.Requests()) != 1 {
				t.Fatalf("%d requests sent", len(f.sink.Requests()))
			}
		})
	}
}

func TestAttemptHonoursRetryAfterAndGivesUp(t *testing.T) {
	f := newFixture(t, Config{MaxAttempts: 3})
	id := f.event(t)
	f.sink.Respond(503, "busy")
	for i := 1; i <= 2; i++ {
		res, dl := f.attempt(t, id)
		if !res.Retry || dl.Status != store.DeliveryPending {
			t.Fatalf("attempt %d: %+v %s", i, res, dl.Status)
		}
	}
	res, dl := f.attempt(t, id)
	if res.Retry || dl.Status != store.DeliveryFailed || dl.Attempts != 3 || !strings.Contains(dl.LastError, "503") {
		t.Fatalf("after max attempts: %+v %+v", res, dl)
	}
	// A finished delivery is not attempted again (a duplicate job).
	res, dl = f.attempt(t, id)
	if res.Retry || dl.Attempts != 3 || len(f.sink.Requests()) != 3 {
		t.Fatalf("a failed delivery was attempted again")
	}
}

func TestAttemptDeadline(t *testing.T) {
	f := newFixture(t, Config{MaxAttempts: 10, Deadline: time.Nanosecond})
	f.sink.Respond(500, "")
	res, dl := f.attempt(t, f.event(t))
	if res.Retry || dl.Status != store.DeliveryFailed {
		t.Fatalf("past the deadline: %+v %s", res, dl.Status)
	}
}

func TestAttemptInactiveServiceIsFinal(t *testing.T) {
	f := newFixture(t, Config{})
	id := f.event(t)
	s, _ := catalog.Lookup("slack")
	_, err := f.st.UpdateService(context.Background(), f.p.ID, "slack", func(rec *store.Service) error {
		settings.Reset(s, rec)
		return nil
	})
	must(t, err)
	res, dl := f.attempt(t, id)
	if res.Retry || dl.Status != store.DeliveryFailed || dl.LastError != "the service is not active" || len(f.sink.Requests()) != 0 {
		t.Fatalf("inactive: %+v %+v", res, dl)
	}
}

func TestAttemptBlockedTargetIsFinal(t *testing.T) {
	f := newFixture(t, Config{})
	// The same deliverer, but without the administrator's allowance.
	f.d.client = outbound.New(outbound.Options{AllowLocal: false, Timeout: time.Second})
	res, dl := f.attempt(t, f.event(t))
	if res.Retry || dl.Status != store.DeliveryFailed || !strings.Contains(dl.LastError, "blocked") || len(f.sink.Requests()) != 0 {
		t.Fatalf("blocked: %+v %+v", res, dl)
	}
	if strings.Contains(dl.LastError, "SECRETPATH") {
		t.Fatalf("error shows the webhook path: %s", dl.LastError)
	}
}

func TestTestSendsSamplePush(t *testing.T) {
	f := newFixture(t, Config{})
	out, err := f.d.Test(context.Background(), f.p, "slack", "root")
	must(t, err)
	if !out.Success || out.StatusCode != 200 || len(f.sink.Requests()) != 1 {
		t.Fatalf("test: %+v", out)
	}
	f.sink.Respond(500, "nope")
	out, _ = f.d.Test(context.Background(), f.p, "slack", "root")
	if out.Success || out.StatusCode != 500 || out.Response != "nope" || out.Error == "" {
		t.Fatalf("failing test: %+v", out)
	}
	out, _ = f.d.Test(context.Background(), f.p, "asana", "root")
	if out.Success || out.Error == "" {
		t.Fatalf("test of a service glint does not act for: %+v", out)
	}
}
