package e2e

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/glint-dev/glint/internal/store/storetest/pgtest"
)

// Isolation, the circuit breaker and clean shutdown, with real glint
// processes and real HTTP servers on 127.0.0.1, on SQLite and PostgreSQL.

// circuitJSON is GET .../services/:slug/circuit.
type circuitJSON struct {
	State          string     `json:"state"`
	FailuresInARow int        `json:"failures_in_a_row"`
	Pauses         int        `json:"pauses"`
	OpenedAt       *time.Time `json:"opened_at"`
	PausedUntil    *time.Time `json:"paused_until"`
	LastError      string     `json:"last_error"`
}

func circuitOf(t *testing.T, p *proc, token string, projectID int64) circuitJSON {
	t.Helper()
	var c circuitJSON
	call(t, "GET", p.url(fmt.Sprintf("/api/v4/projects/%d/services/slack/circuit", projectID)), token, nil, 200, &c)
	return c
}

// slackTarget is a project whose Slack service posts to webhook, with its
// intake secret.
type slackTarget struct {
	project projectJSON
	intake  string
}

func newSlackTarget(t *testing.T, p *proc, token, name, webhook string) slackTarget {
	t.Helper()
	pj := createProject(t, p, token, name)
	putSlack(t, p, token, pj.ID, webhook)
	return slackTarget{project: pj, intake: setIntakeToken(t, p, token, pj.ID)}
}

// markedPush is the push fixture carrying marker i in its commit message.
func markedPush(t *testing.T, i int) []byte {
	return editJSON(t, fixture(t, "push.json"), func(m map[string]any) {
		m["commits"].([]any)[0].(map[string]any)["message"] = fmt.Sprintf("glint-marker-%05d\n\nevent %d", i, i)
	})
}

func (s slackTarget) post(t *testing.T, p *proc, i int) {
	t.Helper()
	mustHook(t, p, s.project.ID, s.intake, "Push Hook", fmt.Sprintf("00000000-0000-4000-8000-%012d", i), markedPush(t, i), 202)
}

// hangingServer accepts requests and answers none of them before the
// client gives up (or the test ends). It counts the requests, and the
// most it held at once.
type hangingServer struct {
	*sink
	mu      sync.Mutex
	now     int
	most    int
	release chan struct{}
}

func newHangingServer(t *testing.T, clientTimeout time.Duration) *hangingServer {
	h := &hangingServer{release: make(chan struct{})}
	h.sink = newSink(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		h.now++
		h.most = max(h.most, h.now)
		h.mu.Unlock()
		// A request counts as held until its handler ends or, at the
		// latest, until just before glint's client gives up on it: the
		// server learns of that only when the connection closes, a moment
		// after glint has already given the slot to its next attempt.
		counted := time.NewTimer(clientTimeout - 250*time.Millisecond)
		defer counted.Stop()
		uncount := sync.OnceFunc(func() { h.mu.Lock(); h.now--; h.mu.Unlock() })
		defer uncount()
		giveUp := time.After(time.Minute)
		for {
			select {
			case <-r.Context().Done():
				return
			case <-h.release:
				return
			case <-giveUp:
				return
			case <-counted.C:
				uncount()
			}
		}
	})
	// Registered after the sink's Close: runs first, so Close does not
	// wait for the hanging handlers.
	t.Cleanup(func() { close(h.release) })
	return h
}

func (h *hangingServer) mostAtOnce() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.most
}

// healthyRound posts n marked events (from first) to a healthy target,
// one every 20 ms, and returns each one's time from its 202 to its arrival
// at the sink.
func healthyRound(t *testing.T, p *proc, target slackTarget, s *sink, first, n int) []time.Duration {
	t.Helper()
	sent := map[int]time.Time{}
	for i := first; i < first+n; i++ {
		sent[i] = time.Now()
		target.post(t, p, i)
		time.Sleep(20 * time.Millisecond)
	}
	var lat []time.Duration
	waitFor(t, 60*time.Second, "the healthy project's deliveries", func() (bool, string) {
		lat = lat[:0]
		for _, r := range s.requests() {
			if m, ok := markerOf(r.Body); ok && m >= first && m < first+n {
				lat = append(lat, r.At.Sub(sent[m]))
			}
		}
		return len(lat) == n, fmt.Sprintf("%d of %d arrived", len(lat), n)
	})
	slices.Sort(lat)
	return lat
}

func p99(lat []time.Duration) time.Duration { return lat[(len(lat)*99+99)/100-1] }

// TestNoisyNeighbour: project A's Slack target never answers in time and
// has 100 events queued; project B's deliveries reach their fast target as
// quickly as in the same run with no hanging target. A holds at most the
// per-target share of the workers (16 at first, of 32 here), and its
// circuit opens; its deliveries stay pending. On SQLite, PostgreSQL, and
// two PostgreSQL nodes.
func TestNoisyNeighbour(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { t.Parallel(); noisyNeighbour(t, "", 1) })
	t.Run("postgres", func(t *testing.T) { t.Parallel(); noisyNeighbour(t, pgtest.Postgres(t), 1) })
	t.Run("postgres-two-nodes", func(t *testing.T) { t.Parallel(); noisyNeighbour(t, pgtest.Postgres(t), 2) })
}

func noisyNeighbour(t *testing.T, dsn string, nodes int) {
	key := newSecretKey(t)
	// Few workers, so that a target holding them all would show.
	flags := []string{"--delivery-workers", "32", "--delivery-timeout", "3s"}
	var ps []*proc
	for i := range nodes {
		extra := flags
		if dsn != "" {
			extra = append(extra, "--database", dsn, "--db-pool-size", "8")
		}
		ps = append(ps, deliveryNode(t, fmt.Sprintf("node%d", i+1), t.TempDir(), []string{"GLINT_SECRET_KEY=" + key}, extra...))
	}
	p := ps[0]
	token := rootToken(t, p)
	hang := newHangingServer(t, 3*time.Second) // the --delivery-timeout below
	fast := newSink(t, nil)
	a := newSlackTarget(t, p, token, "noisy", hang.URL+"/services/T/B/X")
	b := newSlackTarget(t, p, token, "healthy", fast.URL+"/services/T/B/X")

	// Warm up, then the healthy project alone.
	healthyRound(t, p, b, fast, 0, 5)
	alone := healthyRound(t, p, b, fast, 100, 20)

	// 100 events for the hanging target, then the healthy ones 1 s later.
	for i := range 100 {
		a.post(t, ps[i%len(ps)], 1000+i)
	}
	time.Sleep(time.Second)
	beside := healthyRound(t, p, b, fast, 200, 20)
	t.Logf("healthy project p50/p99: alone %v/%v, beside a hanging target %v/%v; the hanging target held %d requests at once",
		alone[len(alone)/2], p99(alone), beside[len(beside)/2], p99(beside), hang.mostAtOnce())
	// Within 2x of alone, plus 250 ms for a shared machine's noise (the
	// failure this guards against costs the attempt timeout, 3 s, or more).
	if limit := 2*p99(alone) + 250*time.Millisecond; p99(beside) > limit {
		t.Errorf("healthy p99 beside a hanging target %v, want <= %v (alone: %v)", p99(beside), limit, p99(alone))
	}
	if most := hang.mostAtOnce(); most > 16*nodes {
		t.Errorf("the hanging target held %d attempts at once, want <= %d (16 per node)", most, 16*nodes)
	}
	// Its circuit opens; its deliveries stay pending.
	waitFor(t, 20*time.Second, "the hanging target's circuit to open", func() (bool, string) {
		c := circuitOf(t, ps[len(ps)-1], token, a.project.ID)
		// Go words the client's timeout "context deadline exceeded" or
		// "timeout awaiting response headers", by which timer fires first.
		last := strings.ToLower(c.LastError)
		timedOut := strings.Contains(last, "deadline exceeded") || strings.Contains(last, "timeout")
		return c.State == "open" && c.FailuresInARow >= 5 && timedOut, fmt.Sprintf("%+v", c)
	})
	list, _ := listDeliveries(t, p, token, a.project.ID)
	for _, d := range list {
		if d.Status != "pending" {
			t.Errorf("delivery %d of the paused target is %s (%s), want pending", d.ID, d.Status, d.LastError)
		}
	}
	if !strings.Contains(p.stderr.String()+ps[len(ps)-1].stderr.String(), "circuit opened") {
		t.Error("no log line for the circuit opening")
	}
	for _, n := range ps {
		n.stop()
	}
}

// TestCircuitBreaker: failures open the circuit; while it is open nothing
// is sent and deliveries wait; the probe after the pause resumes the
// target and the waiting deliveries are delivered (the probe being the
// oldest); a successful test and a PUT of the service resume it at once; a
// delivery whose deadline passes during a pause fails naming the pause.
func TestCircuitBreaker(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { t.Parallel(); circuitBreaker(t, "") })
	t.Run("postgres", func(t *testing.T) { t.Parallel(); circuitBreaker(t, pgtest.Postgres(t)) })
}

func circuitBreaker(t *testing.T, dsn string) {
	dir := t.TempDir()
	env := []string{"GLINT_SECRET_KEY=" + newSecretKey(t)}
	flags := func(pause, deadline string) []string {
		f := []string{"--delivery-circuit-failures", "3", "--delivery-circuit-pause", pause, "--delivery-deadline", deadline}
		if dsn != "" {
			f = append(f, "--database", dsn)
		}
		return f
	}
	p := deliveryNode(t, "circuit", dir, env, flags("2s", "1h")...)
	token := rootToken(t, p)
	var mu sync.Mutex
	status := 503
	setStatus := func(s int) { mu.Lock(); status = s; mu.Unlock() }
	s := newSink(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		st := status
		mu.Unlock()
		answer(w, st, http.StatusText(st))
	})
	target := newSlackTarget(t, p, token, "flaky", s.URL+"/services/T/B/X")
	marker := 0
	// open fails three deliveries and waits for the circuit to open.
	open := func(p *proc) circuitJSON {
		t.Helper()
		setStatus(503)
		for range 3 {
			target.post(t, p, marker)
			marker++
		}
		var c circuitJSON
		waitFor(t, 15*time.Second, "the circuit to open", func() (bool, string) {
			c = circuitOf(t, p, token, target.project.ID)
			return c.State == "open", fmt.Sprintf("%+v", c)
		})
		if c.FailuresInARow < 3 || c.PausedUntil == nil || c.OpenedAt == nil || c.LastError != "HTTP 503 Service Unavailable" {
			t.Fatalf("open circuit: %+v", c)
		}
		return c
	}
	delivered := func(p *proc, markers ...int) func() (bool, string) {
		return func() (bool, string) {
			list, _ := listDeliveries(t, p, token, target.project.ID)
			byMarker := map[int]deliveryJSON{}
			for _, d := range list {
				full, _ := getDelivery(t, p, token, target.project.ID, d.ID)
				if m, ok := markerOfEvent(full.Event); ok {
					byMarker[m] = full
				}
			}
			for _, m := range markers {
				if byMarker[m].Status != "delivered" {
					return false, fmt.Sprintf("marker %d: %+v", m, byMarker[m].Status)
				}
			}
			return true, ""
		}
	}

	// 1. The probe after the pause.
	c := open(p)
	sentAtOpen := s.count()
	waiting := []int{marker, marker + 1, marker + 2}
	for range 3 {
		target.post(t, p, marker)
		marker++
	}
	setStatus(200)
	time.Sleep(time.Until(c.PausedUntil.Add(-300 * time.Millisecond)))
	if n := s.count(); n != sentAtOpen {
		t.Errorf("%d requests sent during the pause", n-sentAtOpen)
	}
	waitFor(t, 15*time.Second, "the waiting deliveries after the probe", delivered(p, waiting...))
	var probe sinkRequest
	for _, r := range s.requests()[sentAtOpen:] {
		if probe.At.IsZero() || r.At.Before(probe.At) {
			probe = r
		}
	}
	if m, _ := markerOf(probe.Body); m != 0 || probe.At.Before(*c.PausedUntil) {
		t.Errorf("the probe carried marker %d at %v, want the oldest pending (0) after %v", m, probe.At, *c.PausedUntil)
	}
	if c := circuitOf(t, p, token, target.project.ID); c.State != "closed" || c.FailuresInARow != 0 || c.PausedUntil != nil {
		t.Errorf("after the probe: %+v", c)
	}
	if !strings.Contains(p.stderr.String(), "circuit closed") {
		t.Error("no log line for the circuit closing")
	}
	p.stop()

	// A long pause from now on: only a resume or the deadline end it.
	p = deliveryNode(t, "circuit-2", dir, env, flags("1m", "8s")...)

	// 2. A successful test resumes at once.
	open(p)
	w := marker
	target.post(t, p, w)
	marker++
	setStatus(200)
	if out, raw := testService(t, p, token, target.project.ID, "slack"); !out.Success {
		t.Fatalf("test: %s", raw)
	}
	waitFor(t, 5*time.Second, "the waiting delivery after a successful test", delivered(p, w))

	// 3. So does a PUT of the service.
	open(p)
	w = marker
	target.post(t, p, w)
	marker++
	setStatus(200)
	putSlack(t, p, token, target.project.ID, s.URL+"/services/T/B/X")
	waitFor(t, 5*time.Second, "the waiting delivery after a PUT", delivered(p, w))
	if c := circuitOf(t, p, token, target.project.ID); c.State != "closed" {
		t.Errorf("after the PUT: %+v", c)
	}

	// 4. The deadline passes during a pause.
	open(p)
	w = marker
	target.post(t, p, w)
	var failed deliveryJSON
	waitFor(t, 20*time.Second, "the paused delivery to fail at its deadline", func() (bool, string) {
		list, _ := listDeliveries(t, p, token, target.project.ID)
		for _, d := range list {
			if full, _ := getDelivery(t, p, token, target.project.ID, d.ID); func() bool { m, ok := markerOfEvent(full.Event); return ok && m == w }() {
				failed = full
			}
		}
		return failed.Status == "failed", failed.Status
	})
	if !strings.Contains(failed.LastError, "paused by its circuit breaker") || !strings.Contains(failed.LastError, "paused until") ||
		failed.Attempts != 0 {
		t.Errorf("the delivery failed after %d attempts with %q, want none and a reason naming the pause", failed.Attempts, failed.LastError)
	}
	r, err := do(httpClient, "GET", p.url("/metrics"), "", nil)
	if err != nil || !strings.Contains(string(r.body), `glint_delivery_attempts_total{outcome="paused",service="slack"}`) ||
		!strings.Contains(string(r.body), "glint_delivery_circuits_open 1") {
		t.Errorf("metrics lack the paused outcome or the open circuit: %v", err)
	}
	p.stop()
}

// TestTwoNodesPausedTarget: two nodes on one PostgreSQL database share a
// target's circuit: once it opens neither sends to it during the pause,
// and after the pause exactly one probe is sent, by one of them.
func TestTwoNodesPausedTarget(t *testing.T) {
	dsn := pgtest.Postgres(t)
	key := newSecretKey(t)
	flags := []string{"--database", dsn, "--db-pool-size", "8", "--delivery-circuit-failures", "3", "--delivery-circuit-pause", "3s"}
	a := deliveryNode(t, "node-a", t.TempDir(), []string{"GLINT_SECRET_KEY=" + key}, flags...)
	b := deliveryNode(t, "node-b", t.TempDir(), []string{"GLINT_SECRET_KEY=" + key}, flags...)
	token := rootToken(t, a)
	s := newSink(t, func(_ int, w http.ResponseWriter, _ *http.Request) { answer(w, 503, "down") })
	target := newSlackTarget(t, a, token, "down", s.URL+"/services/T/B/X")
	for i := range 20 {
		target.post(t, []*proc{a, b}[i%2], i)
	}
	var c circuitJSON
	waitFor(t, 15*time.Second, "the circuit to open", func() (bool, string) {
		c = circuitOf(t, b, token, target.project.ID)
		return c.State == "open", fmt.Sprintf("%+v", c)
	})
	// Wait through the pause and the probe's answer.
	time.Sleep(time.Until(c.PausedUntil.Add(2 * time.Second)))
	var during, probes int
	for _, r := range s.requests() {
		switch {
		case r.At.After(c.OpenedAt.Add(500*time.Millisecond)) && r.At.Before(*c.PausedUntil):
			during++
		case !r.At.Before(*c.PausedUntil):
			probes++
		}
	}
	if during != 0 || probes != 1 {
		t.Errorf("%d requests during the pause (want 0), %d after it (want 1 probe)", during, probes)
	}
	after := circuitOf(t, a, token, target.project.ID)
	if after.State != "open" || after.Pauses != 2 || !after.PausedUntil.After(*c.PausedUntil) {
		t.Errorf("after the failed probe: %+v, want open for a second, longer pause", after)
	}
	a.stop()
	b.stop()
}

// TestShutdownInFlight: SIGTERM stops fetching at once; an attempt still
// running at --shutdown-timeout is cut, stays pending, and is sent after
// the restart; the process exits 0 and its last log line comes after the
// queue has stopped. An attempt that ends within the timeout is recorded.
func TestShutdownInFlight(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { t.Parallel(); shutdownInFlight(t, "") })
	t.Run("postgres", func(t *testing.T) { t.Parallel(); shutdownInFlight(t, pgtest.Postgres(t)) })
}

func shutdownInFlight(t *testing.T, dsn string) {
	dir := t.TempDir()
	env := []string{"GLINT_SECRET_KEY=" + newSecretKey(t)}
	flags := func(timeout string) []string {
		f := []string{"--shutdown-timeout", timeout}
		if dsn != "" {
			f = append(f, "--database", dsn)
		}
		return f
	}
	var mu sync.Mutex
	hold := map[int]time.Duration{} // by marker: how long to take
	var s *sink
	s = newSink(t, func(n int, w http.ResponseWriter, r *http.Request) {
		m, _ := markerOf(s.requests()[n-1].Body)
		mu.Lock()
		d := hold[m]
		mu.Unlock()
		if d < 0 { // 503: retried later
			answer(w, 503, "busy")
			return
		}
		select {
		case <-time.After(d):
		case <-r.Context().Done():
			return
		}
		answer(w, 200, "ok")
	})
	p := deliveryNode(t, "shutdown", dir, env, flags("2s")...)
	token := rootToken(t, p)
	target := newSlackTarget(t, p, token, "slow", s.URL+"/services/T/B/X")

	// Marker 0 hangs past the shutdown timeout; marker 1 is refused once,
	// so that its retry is due during the shutdown.
	mu.Lock()
	hold[0], hold[1] = time.Minute, -1
	mu.Unlock()
	target.post(t, p, 0)
	target.post(t, p, 1)
	waitFor(t, 10*time.Second, "both requests", func() (bool, string) { return s.count() == 2, strconv.Itoa(s.count()) })
	signalled := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.exitCode(15 * time.Second); code != 0 {
		t.Fatalf("exit code %d after SIGTERM", code)
	}
	took := time.Since(signalled)
	if n := s.count(); n != 2 {
		t.Errorf("%d requests started after the signal", n-2)
	}
	if took < 2*time.Second || took > 6*time.Second {
		t.Errorf("exited %v after the signal, want the 2 s shutdown timeout and little more", took)
	}
	lines := strings.Split(strings.TrimSpace(p.stderr.String()), "\n")
	if last := lines[len(lines)-1]; !strings.Contains(last, `msg=stopped`) {
		t.Errorf("last log line %q, want the stop", last)
	}
	if i, j := strings.LastIndex(p.stderr.String(), "River client stopped"), strings.LastIndex(p.stderr.String(), "msg=stopped"); i < 0 || i > j {
		t.Errorf("the stop was logged before the queue had stopped:\n%s", tail(p.stderr.String(), 2000))
	}

	// After the restart both are delivered; the cut attempt left no trace.
	mu.Lock()
	hold[0], hold[1] = 0, 0
	mu.Unlock()
	p = deliveryNode(t, "shutdown-2", dir, env, flags("10s")...)
	waitFor(t, 20*time.Second, "both delivered after the restart", func() (bool, string) {
		list, _ := listDeliveries(t, p, token, target.project.ID)
		done := 0
		for _, d := range list {
			if d.Status == "delivered" {
				done++
			}
		}
		return done == 2, fmt.Sprintf("%d of 2 delivered", done)
	})
	list, _ := listDeliveries(t, p, token, target.project.ID)
	for _, d := range list {
		full, _ := getDelivery(t, p, token, target.project.ID, d.ID)
		for _, a := range full.History {
			if strings.Contains(a.Error, "canceled") {
				t.Errorf("delivery %d recorded the cut attempt: %+v", d.ID, a)
			}
		}
	}

	// An attempt that ends within the timeout is waited for and recorded.
	mu.Lock()
	hold[2] = 1500 * time.Millisecond
	mu.Unlock()
	target.post(t, p, 2)
	waitFor(t, 10*time.Second, "the third request", func() (bool, string) { return s.count() >= 5, strconv.Itoa(s.count()) })
	p.stop()
	p = deliveryNode(t, "shutdown-3", dir, env, flags("10s")...)
	list, _ = listDeliveries(t, p, token, target.project.ID)
	for _, d := range list {
		full, _ := getDelivery(t, p, token, target.project.ID, d.ID)
		m, _ := markerOfEvent(full.Event)
		want := 1 // the cut attempt of 0 is not one; 1 was refused once
		if m == 1 {
			want = 2
		}
		if d.Status != "delivered" || d.Attempts != want {
			t.Errorf("marker %d: %s after %d attempts, want delivered after %d", m, d.Status, d.Attempts, want)
		}
	}
	p.stop()
}
