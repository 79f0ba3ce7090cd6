package api_test

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/glint-dev/glint/internal/api"
	"github.com/glint-dev/glint/internal/auth"
	"github.com/glint-dev/glint/internal/delivery"
	"github.com/glint-dev/glint/internal/integration/integrationtest"
	"github.com/glint-dev/glint/internal/outbound"
	"github.com/glint-dev/glint/internal/settings"
	"github.com/glint-dev/glint/internal/store"
	"github.com/glint-dev/glint/internal/store/sqlstore"
)

// withDelivery gives the env a running delivery half on its SQLite file.
func (e *testEnv) withDelivery(t *testing.T) {
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	client := outbound.New(outbound.Options{AllowLocal: true, Timeout: 2 * time.Second})
	d := delivery.NewDeliverer(e.st, e.keys, client, delivery.Config{MaxAttempts: 3, BaseURL: "http://glint.test"}, log, nil)
	raw, err := sql.Open("sqlite", sqlstore.SQLiteDSN(e.dbPath))
	if err != nil {
		t.Fatal(err)
	}
	raw.SetMaxOpenConns(1)
	q, err := delivery.NewSQLiteQueue(ctx, raw, d, delivery.QueueConfig{FetchPoll: 20 * time.Millisecond, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		q.Stop(sctx)
		raw.Close()
	})
	e.handler = api.New(api.Options{Store: e.st, Sealer: e.keys, Policy: settings.Policy{AllowLocal: true}, Version: "test",
		BaseURL: "http://glint.test", Logger: slog.New(slog.NewJSONHandler(e.logs, nil)), Events: delivery.NewPipeline(e.st, q, d)})
}

func fixture(t *testing.T, name string) []byte {
	b, err := os.ReadFile(filepath.Join("..", "event", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (e *testEnv) waitDelivery(t *testing.T, pid int64, id int64, status string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		d := e.must(200, "GET", fmt.Sprintf("/api/v4/projects/%d/services/slack/deliveries/%d", pid, id), e.root, nil).json(t)
		if d["status"] == status {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivery %d stayed %v, want %s", id, d["status"], status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestIntakeDeliveryLogAndRetry(t *testing.T) {
	e := newTestEnv(t)
	e.withDelivery(t)
	sink := integrationtest.RecordingServer(t)
	pid := e.project("demo")
	dev, devToken := e.user("dev")
	e.member(pid, dev.ID, store.Developer)
	e.must(200, "PUT", fmt.Sprintf("/api/v4/projects/%d/services/slack", pid), e.root,
		map[string]any{"webhook": sink.URL + "/services/T/B/X", "branches_to_be_notified": "all"})

	// The intake secret: Maintainers set it, it is shown once, kept hashed.
	e.must(403, "PUT", fmt.Sprintf("/api/v4/projects/%d/intake_token", pid), devToken, nil)
	tok := e.must(200, "PUT", fmt.Sprintf("/api/v4/projects/%d/intake_token", pid), e.root, nil).json(t)["token"].(string)
	p, _ := e.st.Project(context.Background(), pid)
	if p.IntakeTokenHash != auth.Hash(tok) || strings.Contains(p.IntakeTokenHash, tok) {
		t.Fatal("intake token not stored as its hash")
	}
	hook := fmt.Sprintf("/hooks/gitlab/%d", pid)
	push := fixture(t, "push.json")
	e.must(401, "POST", hook, "", push, "X-Gitlab-Event", "Push Hook")
	e.must(401, "POST", hook, "", push, "X-Gitlab-Event", "Push Hook", "X-Gitlab-Token", "wrong")
	e.must(404, "POST", "/hooks/gitlab/9999", "", push, "X-Gitlab-Event", "Push Hook", "X-Gitlab-Token", tok)
	bad := e.must(400, "POST", hook, "", fixture(t, "issue.json"), "X-Gitlab-Event", "Push Hook", "X-Gitlab-Token", tok)
	if !strings.Contains(string(bad.body), `does not match`) {
		t.Fatalf("kind mismatch: %s", bad.body)
	}
	r := e.must(202, "POST", "/hooks/gitlab/root%2Fdemo", "", push, "X-Gitlab-Event", "Push Hook", "X-Gitlab-Token", tok, "X-Gitlab-Event-UUID", "u1")
	if r.json(t)["deliveries"] != float64(1) {
		t.Fatalf("accepted: %s", r.body)
	}
	e.must(200, "POST", hook, "", push, "X-Gitlab-Event", "Push Hook", "X-Gitlab-Token", tok, "X-Gitlab-Event-UUID", "u1")

	d := e.waitDelivery(t, pid, 1, "delivered")
	hist := d["attempt_history"].([]any)
	if len(hist) != 1 || hist[0].(map[string]any)["status_code"] != float64(200) || d["event_kind"] != "push" {
		t.Fatalf("delivery: %v", d)
	}
	if reqs := sink.Requests(); len(reqs) != 1 || !strings.HasPrefix(string(reqs[0].Body), "payload=") {
		t.Fatalf("sink got %d requests", len(reqs))
	}

	// A target that refuses: the delivery fails at once (404 is final),
	// and a retry through the API delivers it once the target is fixed.
	sink.Respond(404, "no such hook")
	e.must(202, "POST", hook, "", push, "X-Gitlab-Event", "Push Hook", "X-Gitlab-Token", tok)
	failed := e.waitDelivery(t, pid, 2, "failed")
	if !strings.Contains(failed["last_error"].(string), "404") {
		t.Fatalf("failed delivery: %v", failed)
	}
	sink.Respond(200, "ok")
	e.must(202, "POST", fmt.Sprintf("/api/v4/projects/%d/services/slack/deliveries/2/retry", pid), e.root, nil)
	e.waitDelivery(t, pid, 2, "delivered")

	// The log pages newest first; other services' and projects' deliveries
	// are not found through this one.
	list := e.must(200, "GET", fmt.Sprintf("/api/v4/projects/%d/services/slack/deliveries?per_page=1", pid), e.root, nil)
	if list.header.Get("X-Total") != "2" || !strings.Contains(string(list.body), `"id":2`) {
		t.Fatalf("list: %s %v", list.body, list.header)
	}
	e.must(404, "GET", fmt.Sprintf("/api/v4/projects/%d/services/asana/deliveries/1", pid), e.root, nil)
	other := e.project("other")
	e.must(404, "GET", fmt.Sprintf("/api/v4/projects/%d/services/slack/deliveries/1", other), e.root, nil)
	e.must(403, "GET", fmt.Sprintf("/api/v4/projects/%d/services/slack/deliveries", pid), devToken, nil)

	// Test settings.
	out := e.must(200, "POST", fmt.Sprintf("/api/v4/projects/%d/services/slack/test", pid), e.root, nil).json(t)
	if out["success"] != true || out["status_code"] != float64(200) {
		t.Fatalf("test: %v", out)
	}
	// No secret in the log: neither tokens nor the webhook's secret path.
	all := string(list.body) + string(e.must(200, "GET", fmt.Sprintf("/api/v4/projects/%d/services/slack/deliveries/2", pid), e.root, nil).body)
	for _, s := range []string{tok, e.root} {
		if strings.Contains(all, s) {
			t.Fatal("delivery log shows a token")
		}
	}
}
