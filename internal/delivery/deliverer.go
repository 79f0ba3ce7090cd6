// Package delivery carries out deliveries: for one (event, service) pair it
// builds the integration's requests, sends them through the guarded
// outbound client, records every attempt, and decides whether to try again.
// The durable state is the store's delivery rows; the River queue (queue.go)
// only carries their ids.
package delivery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/registry"
	"github.com/glint-dev/glint/internal/outbound"
	"github.com/glint-dev/glint/internal/settings"
	"github.com/glint-dev/glint/internal/store"
)

// Config holds the retry policy.
type Config struct {
	// MaxAttempts is how many times a delivery is tried before it fails.
	MaxAttempts int
	// Deadline is how long after the event a delivery may still be tried.
	Deadline time.Duration
	// BaseURL is glint's external URL, for project links in messages.
	BaseURL string
	// Email is the instance's email settings, for the email services.
	Email integration.Email
	// TargetLimit is the most attempts one target may run at once on a
	// node (isolation.go).
	TargetLimit int
	// CircuitFailures failed attempts in a row open a target's circuit
	// for CircuitPause, doubling up to CircuitMaxPause (circuit.go).
	CircuitFailures int
	CircuitPause    time.Duration
	CircuitMaxPause time.Duration
	// ProbeTimeout is the longest a probe attempt may run (the attempt
	// timeout): another probe may start after it.
	ProbeTimeout time.Duration
}

// Defaults of the isolation and circuit settings.
const (
	DefaultTargetLimit     = 200
	DefaultCircuitFailures = 5
	DefaultCircuitPause    = 30 * time.Second
	DefaultCircuitMaxPause = 30 * time.Minute
)

// Deliverer carries out deliveries.
type Deliverer struct {
	st      store.Store
	sealer  settings.Sealer
	client  *outbound.Client
	cfg     Config
	log     *slog.Logger
	metrics *Metrics
	now     func() time.Time
	limits  *limiter
	// wake queues a resumed target's pending deliveries (set by the queue).
	wake func(ctx context.Context, projectID int64, service string) error
	// rewake holds the targets resumed lately, woken again by the circuit
	// loop.
	rewakeMu sync.Mutex
	rewake   map[targetKey]time.Time

	mu  sync.Mutex
	rng *rand.Rand
}

// NewDeliverer builds a Deliverer. metrics may be nil.
func NewDeliverer(st store.Store, sealer settings.Sealer, client *outbound.Client, cfg Config, log *slog.Logger, m *Metrics) *Deliverer {
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 10
	}
	if cfg.Deadline <= 0 {
		cfg.Deadline = 24 * time.Hour
	}
	if cfg.TargetLimit <= 0 {
		cfg.TargetLimit = DefaultTargetLimit
	}
	if cfg.CircuitFailures <= 0 {
		cfg.CircuitFailures = DefaultCircuitFailures
	}
	if cfg.CircuitPause <= 0 {
		cfg.CircuitPause = DefaultCircuitPause
	}
	if cfg.CircuitMaxPause < cfg.CircuitPause {
		cfg.CircuitMaxPause = max(DefaultCircuitMaxPause, cfg.CircuitPause)
	}
	if cfg.ProbeTimeout <= 0 {
		cfg.ProbeTimeout = time.Minute
	}
	if log == nil {
		log = slog.Default()
	}
	d := &Deliverer{st: gateStore(st, DefaultStoreSlots), sealer: sealer, client: client, cfg: cfg, log: log, metrics: m, now: time.Now,
		limits: newLimiter(cfg.TargetLimit), rewake: map[targetKey]time.Time{}, rng: rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))}
	m.trackInFlight(d.limits)
	return d
}

// Result of one attempt, as the caller needs it.
type Result struct {
	// Retry asks for another attempt after RetryAfter.
	Retry      bool
	RetryAfter time.Duration
	// Paused: the target's circuit is open; no attempt was made and the
	// delivery waits, pending, for the circuit to close.
	Paused bool
}

// ErrInterrupted: the attempt was cut by the node's shutdown; nothing was
// recorded and the delivery stays pending.
var ErrInterrupted = errors.New("the attempt was cut by the shutdown")

// errFinal marks a failure that no retry can mend.
type errFinal struct{ msg string }

func (e *errFinal) Error() string { return e.msg }

// Attempt tries a pending delivery once and records the outcome. An error
// means the attempt could not even be recorded (the database is out of
// reach): the queue should try again later.
func (d *Deliverer) Attempt(ctx context.Context, deliveryID int64) (Result, error) {
	// One read for all an attempt needs: under load, attempts reach the
	// database in bursts, and five reads each were most of their cost.
	w, err := d.st.DeliveryWork(ctx, deliveryID)
	if errors.Is(err, store.ErrNotFound) {
		return Result{}, nil // pruned or project deleted: nothing to do
	}
	if err != nil {
		return Result{}, err
	}
	dl, target := &w.Delivery, &w.Target
	if dl.Status != store.DeliveryPending {
		return Result{}, nil // already finished (a duplicate job)
	}
	key := targetKey{dl.ProjectID, dl.Service}
	probe := false
	if target.Open() {
		now := d.now()
		if now.Sub(dl.CreatedAt) >= d.cfg.Deadline {
			return Result{}, d.failExpired(ctx, target)
		}
		if !now.Before(target.PausedUntil) {
			// The pause is over: one attempt, on one node, probes.
			if probe, err = d.st.ClaimProbe(ctx, dl.ProjectID, dl.Service, now, now.Add(d.cfg.ProbeTimeout)); err != nil {
				return Result{}, err
			}
		}
		if !probe {
			d.metrics.count(dl.Service, "paused", 1)
			return Result{Paused: true}, nil
		}
	} else if tk := d.limits.acquire(key, d.now()); !tk.ok {
		if tk.turn == nil {
			// The target has its share of attempts running and its turns
			// are not near: wait in the queue, holding no worker.
			d.metrics.waited()
			return Result{Retry: true, RetryAfter: tk.wait}, nil
		}
		hold := time.NewTimer(holdWait)
		select {
		case <-tk.turn:
			hold.Stop()
		case <-hold.C:
			// The turn did not come: wait in the queue instead.
			d.limits.leave(key, tk.turn, d.now())
			d.metrics.waited()
			return Result{Retry: true, RetryAfter: d.limits.queueWait(key, d.now())}, nil
		case <-ctx.Done():
			hold.Stop()
			d.limits.leave(key, tk.turn, d.now())
			return Result{}, ErrInterrupted
		}
	}
	attempt := store.Attempt{DeliveryID: dl.ID, Attempt: dl.Attempts + 1, StartedAt: d.now().UTC()}
	res, sendErr := d.send(ctx, w)
	attempt.Duration = time.Since(attempt.StartedAt)
	if errors.Is(ctx.Err(), context.Canceled) {
		// Cut by the shutdown: not an attempt of the target's.
		if !probe {
			d.limits.release(key, attempt.Duration, false, d.now())
		}
		return Result{}, ErrInterrupted
	}
	if res != nil {
		attempt.StatusCode, attempt.ResponseBody, attempt.Request = res.Status, string(res.Body), res.Request
	}
	// No result and no error: the integration had nothing to send for
	// this event (its filters dropped it), which is done, not a failure.
	var outcome outbound.Outcome
	if res != nil || sendErr != nil {
		outcome = outbound.Classify(res, sendErr)
	}
	var final *errFinal
	if errors.As(sendErr, &final) {
		outcome = outbound.Outcome{Retry: false, Reason: final.msg}
	}
	if sendErr != nil {
		attempt.Error = sendErr.Error()
	} else if outcome.Reason != "" {
		attempt.Error = outcome.Reason
	}
	status := store.DeliveryDelivered
	var next Result
	switch {
	case res == nil && sendErr == nil:
		status = store.DeliverySkipped
	case attempt.Error == "":
	case outcome.Retry && attempt.Attempt < d.cfg.MaxAttempts && d.now().Sub(dl.CreatedAt) < d.cfg.Deadline:
		status = store.DeliveryPending
		next = Result{Retry: true, RetryAfter: d.backoff(attempt.Attempt, outcome.After)}
	default:
		status = store.DeliveryFailed
	}
	failed := counts(status, outcome.Retry)
	if !probe {
		d.limits.release(key, attempt.Duration, failed, d.now())
	}
	if err := d.st.RecordAttempt(ctx, attempt, status, attempt.Error); err != nil {
		return Result{}, err
	}
	d.afterAttempt(ctx, dl, target, probe, failed, attempt.Error)
	d.metrics.observe(dl.Service, status, attempt.Duration)
	d.log.InfoContext(ctx, "delivery attempt", "delivery_id", dl.ID, "service", dl.Service, "attempt", attempt.Attempt,
		"status", status, "http_status", attempt.StatusCode, "error", attempt.Error, "duration", attempt.Duration)
	return next, nil
}

// backoff honours Retry-After when the target sent one, else grows
// exponentially with jitter.
func (d *Deliverer) backoff(attempt int, after time.Duration) time.Duration {
	if after > 0 {
		return after
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return outbound.Backoff(attempt, d.rng)
}

// send builds the delivery's requests and sends them in order; the first
// failure stops it.
func (d *Deliverer) send(ctx context.Context, w *store.Work) (*outbound.Result, error) {
	reqs, err := d.plan(ctx, w)
	if err != nil {
		return nil, err
	}
	return d.sendAll(ctx, reqs)
}

// sendAll walks reqs and the follow-ups their answers ask for
// (outbound.Walk): an answer its follow-up cannot use, or one larger than
// outbound.MaxAnswer, ends the delivery for good.
func (d *Deliverer) sendAll(ctx context.Context, reqs []integration.Request) (*outbound.Result, error) {
	res, err := d.client.Walk(ctx, reqs)
	var followUp *outbound.FollowUpError
	if errors.As(err, &followUp) {
		return res, &errFinal{followUp.Error()}
	}
	return res, err
}

// plan asks the integration what to send for a delivery.
func (d *Deliverer) plan(ctx context.Context, w *store.Work) ([]integration.Request, error) {
	ev, err := event.Parse(w.Event.Header, w.Event.Payload)
	if err != nil {
		return nil, &errFinal{"stored event no longer parses: " + err.Error()}
	}
	return d.build(ctx, &w.Project, w.Delivery.Service, w.Service, ev)
}

// build asks the integration slug what to send for ev, with the
// project's service rec (nil when it has none).
func (d *Deliverer) build(ctx context.Context, p *store.Project, slug string, rec *store.Service, ev *event.Event) ([]integration.Request, error) {
	svc, ok := catalog.Lookup(slug)
	build, acts := registry.Lookup(slug)
	if !ok || !acts {
		return nil, &errFinal{fmt.Sprintf("glint does not act for %s", slug)}
	}
	if rec == nil || !rec.Active {
		return nil, &errFinal{"the service is not active"}
	}
	conf, err := settings.Resolve(svc, rec, d.sealer)
	if err != nil {
		return nil, &errFinal{"cannot open the service's secrets: " + err.Error()}
	}
	info := ProjectInfo(p, d.cfg.BaseURL)
	info.Email = d.cfg.Email
	if err := d.extras(ctx, p, slug, ev, &info); err != nil {
		return nil, err
	}
	reqs, err := build(ev, conf, info)
	if err != nil {
		return nil, &errFinal{err.Error()}
	}
	return reqs, nil
}

// ProjectInfo is what integrations know of a project.
func ProjectInfo(p *store.Project, baseURL string) integration.Project {
	return integration.Project{
		ID: p.ID, Name: p.Name, FullName: p.Namespace.Name + " / " + p.Name, FullPath: p.FullPath(),
		WebURL: baseURL + "/" + p.FullPath(), DefaultBranch: p.DefaultBranch, ProtectedBranches: []string{p.DefaultBranch},
	}
}

// TestOutcome is what POST .../test answers.
type TestOutcome struct {
	Success    bool   `json:"success"`
	Requests   int    `json:"requests"`
	StatusCode int    `json:"status_code,omitempty"`
	Response   string `json:"response,omitempty"`
	Error      string `json:"error,omitempty"`
}

// testSamples are the sample events "Test settings" sends, by the
// catalog's TestEvent (TestTestSamples checks every one is here).
var testSamples = map[catalog.Event]func(integration.Project, string) (string, []byte){
	catalog.Push:     event.SamplePush,
	catalog.Pipeline: event.SamplePipeline,
}

// Test sends a sample push for the service now, as GitLab's "Test
// settings" button, and reports what happened. Nothing is recorded.
func (d *Deliverer) Test(ctx context.Context, p *store.Project, slug string, user string) (TestOutcome, error) {
	if tester, ok := registry.Tester(slug); ok {
		return d.testOwn(ctx, p, slug, tester)
	}
	sample := testSamples[catalog.Push]
	if svc, ok := catalog.Lookup(slug); ok && svc.TestEvent != "" {
		sample = testSamples[svc.TestEvent]
	}
	header, body := sample(ProjectInfo(p, d.cfg.BaseURL), user)
	ev, err := event.Parse(header, body)
	if err != nil {
		return TestOutcome{}, err
	}
	rec, err := d.st.Service(ctx, p.ID, slug)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return TestOutcome{}, err
	}
	reqs, err := d.build(ctx, p, slug, rec, ev)
	var final *errFinal
	if errors.As(err, &final) {
		return TestOutcome{Error: final.msg}, nil
	}
	if err != nil {
		return TestOutcome{}, err
	}
	if len(reqs) == 0 {
		return TestOutcome{Success: true, Error: "nothing to send for this event with these settings"}, nil
	}
	res, err := d.sendAll(ctx, reqs)
	out := TestOutcome{Requests: len(reqs)}
	if res != nil {
		out.StatusCode, out.Response = res.Status, string(res.Body)
	}
	o := outbound.Classify(res, err)
	switch {
	case err != nil:
		out.Error = err.Error()
	case o.Reason != "":
		out.Error = o.Reason
	default:
		out.Success = true
	}
	return out, nil
}
