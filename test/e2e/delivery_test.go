package e2e

// Process-level tests of the delivery half: GitLab webhooks in through
// POST /hooks/gitlab/:id, Slack notifications out to sinks on 127.0.0.1,
// the delivery log and its retry API, a SIGKILL in the middle of a burst,
// and the intake's refusals.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/glint-dev/glint/internal/delivery"
	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration/integrationtest"
	"github.com/glint-dev/glint/internal/integration/slack"
	"github.com/glint-dev/glint/internal/store"
	"github.com/glint-dev/glint/internal/store/sqlstore"
	"github.com/glint-dev/glint/internal/store/storetest/pgtest"
)

// webhookPath is the secret part of the Slack webhook the tests use.
const webhookPath = "/services/T/B/X"

// slackFixtures are the fixtures Slack notifies of, with their headers.
var slackFixtures = []struct{ name, header string }{
	{"push", "Push Hook"}, {"tag_push", "Tag Push Hook"}, {"issue", "Issue Hook"},
	{"merge_request", "Merge Request Hook"}, {"note_commit", "Note Hook"}, {"note_issue", "Note Hook"},
	{"note_merge_request", "Note Hook"}, {"note_snippet", "Note Hook"}, {"pipeline", "Pipeline Hook"},
	{"wiki_page", "Wiki Page Hook"}, {"deployment", "Deployment Hook"},
}

// assertNoSecrets fails the test if any text holds one of the secrets.
func assertNoSecrets(t *testing.T, what string, texts [][]byte, secrets ...string) {
	t.Helper()
	for _, secret := range secrets {
		for i, text := range texts {
			if bytes.Contains(text, []byte(secret)) {
				t.Errorf("%s %d holds the secret %q: %s", what, i, secret, text)
			}
		}
	}
}

// TestSlackEndToEnd: every GitLab fixture posted to the intake reaches a
// Slack stand-in as exactly the request slack.Build makes for glint's
// project, whose payload is the golden one; events the service's filters
// drop send nothing; the delivery log shows each delivered after one
// attempt answered 200, and holds no secret.
func TestSlackEndToEnd(t *testing.T) {
	rec := integrationtest.RecordingServer(t)
	webhook := rec.URL + webhookPath
	p := deliveryNode(t, "slack", t.TempDir(), nil)
	token := rootToken(t, p)
	pj := createProject(t, p, token, "demo")
	putSlack(t, p, token, pj.ID, webhook)
	intake := setIntakeToken(t, p, token, pj.ID)

	// The project as the deliverer sees it, rebuilt from the API's entity.
	sp := &store.Project{ID: pj.ID, Name: pj.Name, Path: pj.Path, DefaultBranch: pj.DefaultBranch,
		Namespace: store.Namespace{ID: pj.Namespace.ID, Name: pj.Namespace.Name, Path: pj.Namespace.Path, FullPath: pj.Namespace.FullPath}}
	info := delivery.ProjectInfo(sp, p.url(""))
	if info.WebURL != pj.WebURL || info.FullPath != pj.PathWithNamespace || info.FullName != pj.NameWithNamespace {
		t.Fatalf("ProjectInfo %+v does not match the project entity %+v", info, pj)
	}

	// Events the Slack service drops: a running pipeline, and a job
	// (job_events is on, but GitLab's Slack sends nothing for jobs).
	running := editJSON(t, fixture(t, "pipeline.json"), func(m map[string]any) {
		m["object_attributes"].(map[string]any)["status"] = "running"
	})
	filtered := []struct{ uuid, header string }{{"e2e-pipeline-running", "Pipeline Hook"}, {"e2e-job", "Job Hook"}}
	mustHook(t, p, pj.ID, intake, "Pipeline Hook", filtered[0].uuid, running, 202)
	mustHook(t, p, pj.ID, intake, "Job Hook", filtered[1].uuid, fixture(t, "job.json"), 202)

	// What each fixture must produce, by request body.
	want := map[string]string{} // body -> fixture
	for _, f := range slackFixtures {
		body := fixture(t, f.name+".json")
		ev, err := event.Parse(f.header, body)
		if err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
		reqs, err := slack.Build(ev, slackSettings(webhook), info)
		if err != nil || len(reqs) != 1 {
			t.Fatalf("%s: slack.Build made %d requests, %v", f.name, len(reqs), err)
		}
		want[string(reqs[0].Body)] = f.name
		r := mustHook(t, p, pj.ID, intake, f.header, "e2e-"+f.name, body, 202)
		var acc struct {
			Deliveries int `json:"deliveries"`
		}
		if err := json.Unmarshal(r.body, &acc); err != nil || acc.Deliveries != 1 {
			t.Errorf("%s: intake answered %s, want 1 delivery", f.name, r)
		}
	}
	if len(want) != len(slackFixtures) {
		t.Fatalf("two fixtures build the same request")
	}

	total := len(slackFixtures) + len(filtered)
	var dels []deliveryJSON
	waitFor(t, 20*time.Second, "every delivery to finish", func() (bool, string) {
		dels, _ = listDeliveries(t, p, token, pj.ID)
		pending := 0
		for _, d := range dels {
			if d.Status == "pending" {
				pending++
			}
		}
		return len(dels) == total && pending == 0 && len(rec.Requests()) >= len(slackFixtures),
			fmt.Sprintf("%d deliveries, %d pending, %d requests received", len(dels), pending, len(rec.Requests()))
	})

	// Every delivery is finished, so nothing more will come.
	got := rec.Requests()
	if len(got) != len(slackFixtures) {
		t.Errorf("the sink received %d requests, want %d (one per fixture, none for the filtered events)", len(got), len(slackFixtures))
	}
	seen := map[string]bool{}
	for i, r := range got {
		name, ok := want[string(r.Body)]
		if !ok {
			t.Errorf("request %d: %s %s is none of the expected bodies: %s", i, r.Method, r.Path, r.Body)
			continue
		}
		if seen[name] {
			t.Errorf("request %d: %s received twice", i, name)
		}
		seen[name] = true
		if r.Method != "POST" || r.Path != webhookPath || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
			t.Errorf("%s: received %s %s (Content-Type %q), want POST %s form", name, r.Method, r.Path, r.Header.Get("Content-Type"), webhookPath)
		}
		if ua := r.Header.Get("User-Agent"); !strings.HasPrefix(ua, "glint/") {
			t.Errorf("%s: User-Agent %q", name, ua)
		}
		pl, err := slackPayload(r.Body)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		golden := goldenPayload(t, name)
		if name == "push" {
			golden["channel"] = "pushes" // push_channel; the golden was made with channel only
		}
		if !reflect.DeepEqual(pl, golden) {
			gj, _ := json.MarshalIndent(golden, "", "  ")
			pj, _ := json.MarshalIndent(pl, "", "  ")
			t.Errorf("%s: payload differs from %s.golden\n got %s\nwant %s", name, name, pj, gj)
		}
	}

	// The delivery log: one delivered attempt answered 200 per fixture.
	_, pages := listDeliveries(t, p, token, pj.ID)
	texts := pages
	byKind := map[string]int{}
	for _, d := range dels {
		full, raw := getDelivery(t, p, token, pj.ID, d.ID)
		texts = append(texts, raw)
		byKind[full.EventKind]++
		if full.Service != "slack" || full.Event == nil {
			t.Errorf("delivery %d: service %q, event %s", d.ID, full.Service, full.Event)
		}
		isFiltered := full.EventKind == "job" || (full.EventKind == "pipeline" && bytes.Contains(full.Event, []byte(`"running"`)))
		if isFiltered {
			// Nothing to send is not a failure: the delivery is done.
			if full.Status != "skipped" || full.LastError != "" {
				t.Errorf("filtered %s event: delivery %s, last_error %q; want skipped without error", full.EventKind, full.Status, full.LastError)
			}
			continue
		}
		if full.Status != "delivered" || full.Attempts != 1 || full.LastError != "" || len(full.History) != 1 {
			t.Errorf("%s: delivery %s after %d attempts (%d in the history), last_error %q; want delivered after 1",
				full.EventKind, full.Status, full.Attempts, len(full.History), full.LastError)
			continue
		}
		if a := full.History[0]; a.Attempt != 1 || a.StatusCode != 200 || a.Error != "" || a.ResponseBody != "ok" {
			t.Errorf("%s: attempt %+v, want 1 answered 200 ok", full.EventKind, a)
		}
	}
	wantKinds := map[string]int{"push": 1, "tag_push": 1, "issue": 1, "merge_request": 1, "note": 4, "pipeline": 2, "wiki_page": 1, "deployment": 1, "job": 1}
	if !reflect.DeepEqual(byKind, wantKinds) {
		t.Errorf("deliveries by event kind %v, want %v", byKind, wantKinds)
	}
	assertNoSecrets(t, "delivery JSON", texts, intake, token, "T/B/X")
	t.Logf("%d events in, %d Slack requests received matching slack.Build and the goldens, %d deliveries (by kind %v)",
		total, len(got), len(dels), byKind)
	p.stop()
}

// marker carries a push event's index through its first commit's message,
// into the Slack text (the form encoding leaves it as it is).
var markerRE = regexp.MustCompile(`glint-marker-(\d{5})`)

func markerOf(b []byte) (int, bool) {
	ms := markerRE.FindAllSubmatch(b, -1)
	if len(ms) == 0 {
		return 0, false
	}
	n, _ := strconv.Atoi(string(ms[0][1]))
	for _, m := range ms[1:] {
		if k, _ := strconv.Atoi(string(m[1])); k != n {
			return -1, false
		}
	}
	return n, true
}

// queueDepth reads glint_delivery_queue_depth from /metrics (-1 if it
// cannot).
func queueDepth(p *proc) int {
	r, err := do(httpClient, "GET", p.url("/metrics"), "", nil)
	if err != nil || r.status != 200 {
		return -1
	}
	for line := range strings.SplitSeq(string(r.body), "\n") {
		if v, ok := strings.CutPrefix(line, "glint_delivery_queue_depth "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				return -1
			}
			return int(f)
		}
	}
	return -1
}

// TestCrashDurability: 8 senders post 2,000 push events; after 500 are
// accepted glint is SIGKILLed. Restarted on the same data it delivers
// every accepted event, leaves nothing pending, and its log agrees with
// what the sink received; an event that got no answer is there whole
// (with its delivery) or not at all.
func TestCrashDurability(t *testing.T) {
	// After a SIGKILL the restart waits for the dead node's River
	// leadership to expire before jobs it left running are rescued
	// (about 20 s): the two databases wait side by side.
	t.Run("sqlite", func(t *testing.T) { t.Parallel(); crashDurability(t, "") })
	t.Run("postgres", func(t *testing.T) { t.Parallel(); crashDurability(t, pgtest.Postgres(t)) })
}

func crashDurability(t *testing.T, dsn string) {
	const total, killAfter, senders = 2000, 500, 8
	began := time.Now()
	key := newSecretKey(t)
	env := []string{"GLINT_SECRET_KEY=" + key}
	dir := t.TempDir()
	extra := []string{"--queue-sweep", "1s", "--delivery-timeout", "1s"}
	if dsn != "" {
		extra = append(extra, "--database", dsn)
	}

	// The sink answers 200 ok; snapshot counts the markers it received.
	sink := newSink(t, nil)
	snapshot := func() (counts map[int]int, unmarked int) {
		counts = map[int]int{}
		for _, r := range sink.requests() {
			if m, ok := markerOf(r.Body); ok {
				counts[m]++
			} else {
				unmarked++
			}
		}
		return counts, unmarked
	}

	a := deliveryNode(t, "crash A", dir, env, extra...)
	token := rootToken(t, a)
	pj := createProject(t, a, token, "burst")
	putSlack(t, a, token, pj.ID, sink.URL+webhookPath)
	intake := setIntakeToken(t, a, token, pj.ID)

	push := fixture(t, "push.json")
	bodies := make([][]byte, total)
	for i := range total {
		bodies[i] = editJSON(t, push, func(m map[string]any) {
			c := m["commits"].([]any)[0].(map[string]any)
			c["message"] = fmt.Sprintf("glint-marker-%05d\n\nevent %d of the burst", i, i)
		})
	}
	uuid := func(i int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", i) }

	type outcome struct {
		sent   bool
		status int // 0: no answer
		err    error
	}
	outcomes := make([]outcome, total)
	var next, accepted atomic.Int64
	var killed atomic.Bool
	var killOnce sync.Once
	var killedAt time.Time
	kill := func() {
		killOnce.Do(func() {
			killed.Store(true)
			killedAt = time.Now()
			if err := a.cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Errorf("SIGKILL: %v", err)
			}
		})
	}
	client := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: senders}}
	var wg sync.WaitGroup
	burst := time.Now()
	for range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !killed.Load() {
				i := int(next.Add(1) - 1)
				if i >= total {
					return
				}
				outcomes[i].sent = true
				r, err := postHook(client, a, pj.ID, intake, "Push Hook", uuid(i), bodies[i])
				if err != nil {
					outcomes[i].err = err
					continue
				}
				outcomes[i].status = r.status
				if r.status/100 == 2 && accepted.Add(1) == killAfter {
					kill()
				}
			}
		}()
	}
	waitGroup(t, &wg, 40*time.Second, "the senders")
	kill() // in case fewer than killAfter were accepted
	select {
	case <-a.done:
	case <-time.After(10 * time.Second):
		t.Fatal("glint did not die of SIGKILL")
	}
	client.CloseIdleConnections()

	var ok2xx, noAnswer, otherStatus, unsent []int
	for i, o := range outcomes {
		switch {
		case !o.sent:
			unsent = append(unsent, i)
		case o.status/100 == 2:
			ok2xx = append(ok2xx, i)
		case o.status == 0:
			noAnswer = append(noAnswer, i)
		default:
			otherStatus = append(otherStatus, i)
		}
	}
	t.Logf("burst: %d sent in %s, %d answered 2xx, %d no answer, %d other status, %d never sent",
		total-len(unsent), killedAt.Sub(burst).Round(time.Millisecond), len(ok2xx), len(noAnswer), len(otherStatus), len(unsent))
	for _, i := range otherStatus {
		t.Logf("event %d answered %d", i, outcomes[i].status)
	}
	if len(ok2xx) < killAfter {
		t.Fatalf("only %d events were accepted before the kill", len(ok2xx))
	}
	before, _ := snapshot()

	b := deliveryNode(t, "crash B", dir, env, extra...)
	restarted := time.Now()
	// Jobs the dead node left running come back once River's rescuer,
	// which runs on the leader when it is elected and then every 30 s,
	// finds them older than the attempt timeout + 5 s: after the dead
	// leader's lease lapses (up to ~15 s), the first pass may come too
	// early, and the next is 30 s on. Usually 17-21 s; 75 s is the bound.
	const drainWithin = 75 * time.Second
	ok, state := waitUntil(drainWithin, func() (bool, string) {
		counts, _ := snapshot()
		missing := 0
		for _, i := range ok2xx {
			if counts[i] == 0 {
				missing++
			}
		}
		depth := queueDepth(b)
		return depth == 0 && missing == 0, fmt.Sprintf("queue depth %d, %d accepted events not received", depth, missing)
	})
	if !ok {
		t.Logf("River's jobs of the pending deliveries: %s", riverJobsOfPending(t, dir, dsn))
		t.Fatalf("timed out after %s waiting for the restarted node to drain: %s", drainWithin, state)
	}
	drained := time.Since(restarted)

	// The log: every delivery finished, one per event, each delivered one
	// received.
	dels, pages := listDeliveries(t, b, token, pj.ID)
	assertNoSecrets(t, "delivery list page", pages, intake, token, "T/B/X")
	logged := map[int]deliveryJSON{} // by marker
	byStatus := map[string]int{}
	var lmu sync.Mutex
	jobs := make(chan deliveryJSON)
	var gw sync.WaitGroup
	for range 8 {
		gw.Add(1)
		go func() {
			defer gw.Done()
			for d := range jobs {
				r, err := do(httpClient, "GET", b.url(fmt.Sprintf("%s/%d", deliveriesPath(pj.ID), d.ID)), token, nil)
				if err != nil || r.status != 200 {
					t.Errorf("GET delivery %d: %v %v", d.ID, r, err)
					continue
				}
				var full deliveryJSON
				if err := json.Unmarshal(r.body, &full); err != nil {
					t.Errorf("delivery %d: %v", d.ID, err)
					continue
				}
				m, ok := markerOfEvent(full.Event)
				lmu.Lock()
				switch {
				case !ok:
					t.Errorf("delivery %d: no marker in its event", d.ID)
				case logged[m].ID != 0:
					t.Errorf("event %d has two deliveries: %d and %d", m, logged[m].ID, d.ID)
				default:
					logged[m] = full
				}
				lmu.Unlock()
				if bytes.Contains(r.body, []byte(intake)) || bytes.Contains(r.body, []byte(token)) || bytes.Contains(r.body, []byte("T/B/X")) {
					t.Errorf("delivery %d holds a secret: %s", d.ID, r.body)
				}
			}
		}()
	}
	for _, d := range dels {
		byStatus[d.Status]++
		jobs <- d
	}
	close(jobs)
	waitGroup(t, &gw, 30*time.Second, "reading the deliveries")

	counts, bad := snapshot()
	if bad > 0 {
		t.Errorf("the sink received %d requests without a marker", bad)
	}
	if byStatus["delivered"] != len(dels) {
		t.Errorf("deliveries by status %v after draining, want all %d delivered", byStatus, len(dels))
	}
	for _, i := range ok2xx {
		if _, ok := logged[i]; !ok {
			t.Errorf("event %d was answered %d but has no delivery", i, outcomes[i].status)
		}
		if counts[i] == 0 {
			t.Errorf("event %d was answered %d but never reached the sink", i, outcomes[i].status)
		}
	}
	delivered := 0
	for m, d := range logged {
		if d.Status == "delivered" {
			delivered++
			if counts[m] == 0 {
				t.Errorf("delivery %d (event %d) is marked delivered but the sink never received it", d.ID, m)
			}
		}
	}
	if delivered != len(counts) {
		t.Errorf("%d deliveries are marked delivered, the sink received %d distinct events", delivered, len(counts))
	}
	duplicates, dupEvents, dupAcrossCrash := 0, 0, 0
	for m, n := range counts {
		if _, ok := logged[m]; !ok {
			t.Errorf("the sink received event %d, which has no delivery", m)
		}
		if n > 1 {
			duplicates += n - 1
			dupEvents++
			if before[m] > 0 {
				dupAcrossCrash++
			}
		}
	}
	var present, absent []int
	for _, i := range append(append([]int(nil), noAnswer...), otherStatus...) {
		if _, ok := logged[i]; ok {
			present = append(present, i)
		} else {
			absent = append(absent, i)
			if counts[i] > 0 {
				t.Errorf("event %d got no answer, has no delivery, yet reached the sink", i)
			}
		}
	}
	if len(logged) != len(ok2xx)+len(present) {
		t.Errorf("%d events in the log, want the %d accepted plus the %d unanswered present", len(logged), len(ok2xx), len(present))
	}
	t.Logf("restart drained in %s: %d deliveries (%v), sink: %d distinct events received (%d before the kill), "+
		"%d duplicate requests over %d events (%d of them received before the kill); unanswered: %d present, %d absent",
		drained.Round(time.Millisecond), len(dels), byStatus, len(counts), len(before), duplicates, dupEvents, dupAcrossCrash, len(present), len(absent))

	// GitLab sending an unanswered event again finds it exactly once: a
	// duplicate if it was committed, accepted anew if not.
	for _, i := range append(append([]int(nil), noAnswer...), otherStatus...) {
		r, err := postHook(hookClient, b, pj.ID, intake, "Push Hook", uuid(i), bodies[i])
		_, wasThere := logged[i]
		switch {
		case err != nil:
			t.Errorf("resending event %d: %v", i, err)
		case wasThere && r.status != 200, !wasThere && r.status != 202:
			t.Errorf("resending event %d (present before: %v): %s", i, wasThere, r)
		}
	}
	waitFor(t, 20*time.Second, "the resent events to be delivered", func() (bool, string) {
		counts, _ := snapshot()
		missing := 0
		for _, i := range absent {
			if counts[i] == 0 {
				missing++
			}
		}
		depth := queueDepth(b)
		return depth == 0 && missing == 0, fmt.Sprintf("queue depth %d, %d resent events not received", depth, missing)
	})
	b.stop()

	// At rest: no event without its delivery, nothing pending.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	st := openStore(t, ctx, dir, dsn)
	defer st.Close()
	var events, orphans, deliveries, pending int
	db := st.SQL()
	for q, dst := range map[string]*int{
		`SELECT COUNT(*) FROM events`: &events,
		`SELECT COUNT(*) FROM events e WHERE NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id)`: &orphans,
		`SELECT COUNT(*) FROM deliveries`:                             &deliveries,
		`SELECT COUNT(*) FROM deliveries WHERE status <> 'delivered'`: &pending,
	} {
		if err := db.QueryRowContext(ctx, q).Scan(dst); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	wantEvents := len(ok2xx) + len(present) + len(absent)
	if events != wantEvents || deliveries != wantEvents || orphans != 0 || pending != 0 {
		t.Errorf("at rest: %d events (%d without a delivery), %d deliveries (%d not delivered); want %d of each, all delivered",
			events, orphans, deliveries, pending, wantEvents)
	}
	t.Logf("%s: %d/%d answered 2xx before the kill; %d duplicate deliveries; whole test %s",
		map[bool]string{true: "SQLite", false: "PostgreSQL"}[dsn == ""], len(ok2xx), total, duplicates, time.Since(began).Round(time.Millisecond))
}

// openStore opens the database of a node directly: the SQLite file in
// dir, or PostgreSQL at dsn.
func openStore(t *testing.T, ctx context.Context, dir, dsn string) *sqlstore.DB {
	t.Helper()
	var st *sqlstore.DB
	var err error
	if dsn == "" {
		st, err = sqlstore.OpenSQLite(filepath.Join(dir, "glint.db"))
	} else {
		st, err = sqlstore.OpenPostgres(ctx, dsn, 2)
	}
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// riverJobsOfPending describes the River jobs of the pending deliveries,
// to tell a lost job from a stuck one when the drain times out.
func riverJobsOfPending(t *testing.T, dir, dsn string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st := openStore(t, ctx, dir, dsn)
	defer st.Close()
	rows, err := st.SQL().QueryContext(ctx, `SELECT id, status FROM deliveries WHERE status = 'pending' ORDER BY id`)
	if err != nil {
		return err.Error()
	}
	pending := map[int64]bool{}
	for rows.Next() {
		var id int64
		var status string
		if err := rows.Scan(&id, &status); err != nil {
			rows.Close()
			return err.Error()
		}
		pending[id] = true
	}
	rows.Close()
	q := `SELECT id, state, CAST(args AS text), attempt FROM river_job ORDER BY id`
	if dsn == "" {
		q = `SELECT id, state, json(args), attempt FROM river_job ORDER BY id` // River keeps JSONB in SQLite
	}
	rows, err = st.SQL().QueryContext(ctx, q)
	if err != nil {
		return err.Error()
	}
	defer rows.Close()
	states, all := map[string]int{}, map[string]int{}
	var out []string
	for rows.Next() {
		var id int64
		var state, args string
		var attempt int
		if err := rows.Scan(&id, &state, &args, &attempt); err != nil {
			return err.Error()
		}
		var a struct {
			DeliveryID int64 `json:"delivery_id"`
		}
		if err := json.Unmarshal([]byte(args), &a); err != nil {
			return fmt.Sprintf("job %d: args %q: %v", id, args, err)
		}
		all[state]++
		if pending[a.DeliveryID] {
			states[state]++
			out = append(out, fmt.Sprintf("job %d of delivery %d: %s (attempt %d)", id, a.DeliveryID, state, attempt))
		}
	}
	return fmt.Sprintf("%d pending deliveries; all jobs by state %v; those of the pending deliveries by state %v: %s",
		len(pending), all, states, strings.Join(out, "; "))
}

// waitUntil polls cond until it reports true or timeout passes, and
// returns cond's last answer.
func waitUntil(timeout time.Duration, cond func() (bool, string)) (bool, string) {
	deadline := time.Now().Add(timeout)
	for {
		ok, state := cond()
		if ok || time.Now().After(deadline) {
			return ok, state
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// markerOfEvent finds the marker in a delivery's event payload.
func markerOfEvent(ev json.RawMessage) (int, bool) {
	var push struct {
		Commits []struct {
			Message string `json:"message"`
		} `json:"commits"`
	}
	if err := json.Unmarshal(ev, &push); err != nil || len(push.Commits) == 0 {
		return 0, false
	}
	return markerOf([]byte(push.Commits[0].Message))
}

// TestDeliveryFaults: a sink failing three times with 500, one hanging
// past --delivery-timeout once, one answering 429 Retry-After: 1 once: each
// delivery ends delivered with the attempts it took in its history, spaced
// by the backoff or the Retry-After. A 404 fails at once; retrying it
// through the API delivers it.
func TestDeliveryFaults(t *testing.T) {
	flaky := newSink(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n <= 3 {
			answer(w, 500, "boom")
			return
		}
		answer(w, 200, "ok")
	})
	hang := newSink(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}
		answer(w, 200, "ok")
	})
	limited := newSink(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			w.Header().Set("Retry-After", "1")
			answer(w, 429, "slow down")
			return
		}
		answer(w, 200, "ok")
	})
	gone := newSink(t, func(n int, w http.ResponseWriter, r *http.Request) { answer(w, 404, "no such hook") })

	p := deliveryNode(t, "faults", t.TempDir(), nil, "--delivery-timeout", "1s")
	token := rootToken(t, p)
	type target struct {
		name    string
		sink    *sink
		project projectJSON
		intake  string
		id      int64 // the delivery
	}
	targets := []*target{{name: "flaky", sink: flaky}, {name: "hang", sink: hang}, {name: "limited", sink: limited}, {name: "gone", sink: gone}}
	push := fixture(t, "push.json")
	for _, tg := range targets {
		tg.project = createProject(t, p, token, tg.name)
		putSlack(t, p, token, tg.project.ID, tg.sink.URL+webhookPath)
		tg.intake = setIntakeToken(t, p, token, tg.project.ID)
	}
	sent := time.Now()
	for _, tg := range targets {
		mustHook(t, p, tg.project.ID, tg.intake, "Push Hook", "fault-"+tg.name, push, 202)
	}
	for _, tg := range targets {
		var list []deliveryJSON
		call(t, "GET", p.url(deliveriesPath(tg.project.ID)), token, nil, 200, &list)
		if len(list) != 1 {
			t.Fatalf("%s: %d deliveries, want 1", tg.name, len(list))
		}
		tg.id = list[0].ID
	}

	final := map[string]string{"flaky": "delivered", "hang": "delivered", "limited": "delivered", "gone": "failed"}
	got := map[string]deliveryJSON{}
	var texts [][]byte
	waitFor(t, 30*time.Second, "every delivery to finish", func() (bool, string) {
		done := true
		var state []string
		texts = texts[:0]
		for _, tg := range targets {
			d, raw := getDelivery(t, p, token, tg.project.ID, tg.id)
			got[tg.name] = d
			texts = append(texts, raw)
			state = append(state, fmt.Sprintf("%s: %s after %d", tg.name, d.Status, d.Attempts))
			done = done && d.Status == final[tg.name]
		}
		return done, strings.Join(state, ", ")
	})
	t.Logf("all finished %s after sending", time.Since(sent).Round(time.Millisecond))
	for _, tg := range targets {
		for _, a := range got[tg.name].History {
			t.Logf("%s attempt %d at %s: %d %q (%.0f ms)", tg.name, a.Attempt, a.StartedAt, a.StatusCode, a.Error, a.DurationMS)
		}
	}
	assertNoSecrets(t, "delivery JSON", texts, token, "T/B/X", targets[0].intake, targets[1].intake, targets[2].intake, targets[3].intake)

	history := func(name string, codes ...int) []attemptJSON {
		t.Helper()
		d := got[name]
		var have []int
		for _, a := range d.History {
			have = append(have, a.StatusCode)
		}
		if d.Attempts != len(codes) || !slices.Equal(have, codes) {
			t.Errorf("%s: %d attempts with status codes %v, want %v", name, d.Attempts, have, codes)
			return nil
		}
		for i, a := range d.History {
			if a.Attempt != i+1 {
				t.Errorf("%s: attempt %d numbered %d", name, i+1, a.Attempt)
			}
		}
		return d.History
	}

	// 500, 500, 500, 200: each retry after the backoff, 1 s doubling with
	// jitter in [d/2, d].
	if h := history("flaky", 500, 500, 500, 200); h != nil {
		for i, a := range h[:3] {
			if a.Error != "HTTP 500 Internal Server Error" || a.ResponseBody != "boom" {
				t.Errorf("flaky attempt %d: error %q, body %q", a.Attempt, a.Error, a.ResponseBody)
			}
			gap := h[i+1].started(t).Sub(a.started(t))
			if min := time.Duration(500<<i) * time.Millisecond; gap < min-2*time.Millisecond {
				t.Errorf("flaky: attempt %d came %s after attempt %d, want at least the backoff's %s", i+2, gap, i+1, min)
			}
		}
		if h[3].Error != "" || got["flaky"].LastError != "" {
			t.Errorf("flaky: last attempt error %q, last_error %q", h[3].Error, got["flaky"].LastError)
		}
	}
	// A timeout, then 200.
	if h := history("hang", 0, 200); h != nil {
		if e := strings.ToLower(h[0].Error); !strings.Contains(e, "timeout") && !strings.Contains(e, "deadline exceeded") {
			t.Errorf("hang: first attempt's error %q does not say it timed out", h[0].Error)
		}
		if d := time.Duration(h[0].DurationMS * float64(time.Millisecond)); d < 900*time.Millisecond || d > 4*time.Second {
			t.Errorf("hang: first attempt took %s, want about the 1s --delivery-timeout", d)
		}
		if h[1].Error != "" {
			t.Errorf("hang: second attempt error %q", h[1].Error)
		}
	}
	// 429 Retry-After: 1, then 200 at least 1 s later.
	if h := history("limited", 429, 200); h != nil {
		if h[0].Error != "HTTP 429 Too Many Requests" {
			t.Errorf("limited: first attempt's error %q", h[0].Error)
		}
		first := h[0].started(t).Add(time.Duration(h[0].DurationMS * float64(time.Millisecond)))
		if gap := h[1].started(t).Sub(first); gap < time.Second-2*time.Millisecond {
			t.Errorf("limited: the retry came %s after the 429, want at least Retry-After's 1s", gap)
		}
	}
	// 404 is final.
	if h := history("gone", 404); h != nil {
		if g := got["gone"]; !strings.Contains(g.LastError, "404") || h[0].ResponseBody != "no such hook" {
			t.Errorf("gone: last_error %q, response %q", g.LastError, h[0].ResponseBody)
		}
	}
	for _, tg := range targets {
		want := map[string]int{"flaky": 4, "hang": 2, "limited": 2, "gone": 1}[tg.name]
		if n := tg.sink.count(); n != want {
			t.Errorf("%s: the sink received %d requests, want %d", tg.name, n, want)
		}
	}

	// Retry: the failed delivery is pending again, then delivered. The
	// sink now answers 200 after a pause, so the answer to the retry
	// cannot come after the attempt.
	gone.setRespond(func(n int, w http.ResponseWriter, r *http.Request) {
		time.Sleep(300 * time.Millisecond)
		answer(w, 200, "ok")
	})
	g := targets[3]
	var retried deliveryJSON
	call(t, "POST", p.url(fmt.Sprintf("%s/%d/retry", deliveriesPath(g.project.ID), g.id)), token, nil, 202, &retried)
	if retried.ID != g.id || retried.Status != "pending" {
		t.Errorf("retry answered %+v, want the delivery pending", retried)
	}
	var after deliveryJSON
	waitFor(t, 10*time.Second, "the retried delivery", func() (bool, string) {
		after, _ = getDelivery(t, p, token, g.project.ID, g.id)
		return after.Status == "delivered", after.Status
	})
	codes := []int{}
	for _, a := range after.History {
		codes = append(codes, a.StatusCode)
	}
	if after.Attempts != 2 || !slices.Equal(codes, []int{404, 200}) || after.LastError != "" {
		t.Errorf("after the retry: %d attempts %v, last_error %q; want 404 then 200", after.Attempts, codes, after.LastError)
	}
	if n := gone.count(); n != 2 {
		t.Errorf("the 404 sink received %d requests in all, want 2", n)
	}
	// Retrying an unknown delivery, or one of another project, is a 404.
	call(t, "POST", p.url(fmt.Sprintf("%s/%d/retry", deliveriesPath(g.project.ID), 999999)), token, nil, 404, nil)
	call(t, "POST", p.url(fmt.Sprintf("%s/%d/retry", deliveriesPath(targets[0].project.ID), g.id)), token, nil, 404, nil)
	p.stop()
}

// TestIntakeErrors: the intake refuses what it cannot take with GitLab's
// statuses and a message naming the problem, and stores nothing for it; a
// UUID seen before is answered 200 and stored once.
func TestIntakeErrors(t *testing.T) {
	rec := integrationtest.RecordingServer(t)
	p := deliveryNode(t, "intake", t.TempDir(), nil)
	token := rootToken(t, p)
	pa := createProject(t, p, token, "alpha")
	pb := createProject(t, p, token, "beta")
	putSlack(t, p, token, pa.ID, rec.URL+webhookPath)
	putSlack(t, p, token, pb.ID, rec.URL+webhookPath)
	ta := setIntakeToken(t, p, token, pa.ID)
	tb := setIntakeToken(t, p, token, pb.ID)

	push := fixture(t, "push.json")
	drop := func(path ...string) []byte {
		return editJSON(t, push, func(m map[string]any) {
			for _, p := range path[:len(path)-1] {
				m = m[p].(map[string]any)
			}
			delete(m, path[len(path)-1])
		})
	}
	huge := make([]byte, 25<<20+1)
	for i := range huge {
		huge[i] = ' '
	}
	cases := []struct {
		name      string
		project   any
		token     string
		header    string
		body      []byte
		status    int
		message   string // a part of the answer's message
		errorForm bool   // the answer is {"error": ...}
	}{
		{"no token", pa.ID, "", "Push Hook", push, 401, "401 Unauthorized", false},
		{"wrong token", pa.ID, ta + "x", "Push Hook", push, 401, "401 Unauthorized", false},
		{"another project's token", pa.ID, tb, "Push Hook", push, 401, "401 Unauthorized", false},
		{"root's API token", pa.ID, token, "Push Hook", push, 401, "401 Unauthorized", false},
		{"unknown project", 999, ta, "Push Hook", push, 404, "404 Project Not Found", false},
		{"unknown project path", "root%2Fnope", ta, "Push Hook", push, 404, "404 Project Not Found", false},
		{"project by path", "root%2Falpha", ta, "Push Hook", []byte(`{"object_kind":`), 400, "malformed JSON", false},
		{"malformed JSON", pa.ID, ta, "Push Hook", []byte(`{"object_kind": "push",`), 400, "malformed JSON", false},
		{"not an object", pa.ID, ta, "Push Hook", []byte(`["push"]`), 400, "malformed JSON: the body is not an object", false},
		{"unknown event", pa.ID, ta, "Bogus Hook", push, 400, `unknown event "Bogus Hook"`, false},
		{"no event header", pa.ID, ta, "", push, 400, "missing X-Gitlab-Event header", false},
		{"object_kind mismatch", pa.ID, ta, "Push Hook", fixture(t, "issue.json"), 400, `object_kind "issue" does not match X-Gitlab-Event "Push Hook"`, false},
		{"missing object_kind", pa.ID, ta, "Push Hook", drop("object_kind"), 400, "missing object_kind", false},
		{"missing ref", pa.ID, ta, "Push Hook", drop("ref"), 400, "missing ref", false},
		{"missing nested field", pa.ID, ta, "Issue Hook", editJSON(t, fixture(t, "issue.json"), func(m map[string]any) {
			delete(m["object_attributes"].(map[string]any), "title")
		}), 400, "missing object_attributes.title", false},
		{"wrong type", pa.ID, ta, "Push Hook", editJSON(t, push, func(m map[string]any) { m["ref"] = 5 }), 400, "ref", false},
		{"over 25 MiB", pa.ID, ta, "Push Hook", huge, 413, "413 Request Entity Too Large", false},
	}
	for _, c := range cases {
		r, err := postHook(hookClient, p, c.project, c.token, c.header, "", c.body)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		var msg struct {
			Message any    `json:"message"`
			Error   string `json:"error"`
		}
		if err := json.Unmarshal(r.body, &msg); err != nil {
			t.Errorf("%s: answer %s is not JSON: %v", c.name, r, err)
		}
		text := fmt.Sprint(msg.Message)
		if r.status != c.status || !strings.Contains(text, c.message) {
			t.Errorf("%s: got %s, want %d with a message containing %q", c.name, r, c.status, c.message)
		}
		if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("%s: Content-Type %q", c.name, ct)
		}
		assertNoSecrets(t, c.name+": answer", [][]byte{r.body}, ta, tb, token)
	}

	// A UUID seen before: 200 and nothing new, whatever the body; another
	// project may use the same UUID.
	const uuid = "5e6e1c2a-0d5e-4c1e-9d7b-000000000001"
	r := mustHook(t, p, pa.ID, ta, "Push Hook", uuid, push, 202)
	if !strings.Contains(string(r.body), `"deliveries":1`) {
		t.Errorf("first event: %s", r)
	}
	for _, body := range [][]byte{push, fixture(t, "tag_push.json")} {
		header := map[bool]string{true: "Push Hook", false: "Tag Push Hook"}[bytes.Equal(body, push)]
		r = mustHook(t, p, pa.ID, ta, header, uuid, body, 200)
		var dup struct {
			Message    string `json:"message"`
			Deliveries int    `json:"deliveries"`
		}
		if err := json.Unmarshal(r.body, &dup); err != nil || !strings.Contains(dup.Message, "duplicate") || dup.Deliveries != 0 {
			t.Errorf("duplicate %s: %s", header, r)
		}
	}
	mustHook(t, p, pb.ID, tb, "Push Hook", uuid, push, 202)

	var la, lb []deliveryJSON
	waitFor(t, 10*time.Second, "the two events to be delivered", func() (bool, string) {
		la, _ = listDeliveries(t, p, token, pa.ID)
		lb, _ = listDeliveries(t, p, token, pb.ID)
		done := len(la) == 1 && len(lb) == 1 && la[0].Status == "delivered" && lb[0].Status == "delivered"
		return done && len(rec.Requests()) == 2, fmt.Sprintf("alpha %+v, beta %+v, %d requests", la, lb, len(rec.Requests()))
	})
	// Nothing refused left a trace.
	time.Sleep(300 * time.Millisecond)
	la, _ = listDeliveries(t, p, token, pa.ID)
	if len(la) != 1 || la[0].EventKind != "" && la[0].EventKind != "push" {
		t.Errorf("alpha's delivery log: %+v, want the one push", la)
	}
	if n := len(rec.Requests()); n != 2 {
		t.Errorf("the sink received %d requests, want 2", n)
	}

	// The log is the API's: it needs a token with access.
	call(t, "GET", p.url(deliveriesPath(pa.ID)), "", nil, 401, nil)
	p.stop()
}
