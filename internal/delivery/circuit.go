package delivery

import (
	"context"
	"fmt"
	"time"

	"github.com/glint-dev/glint/internal/store"
)

// The circuit breaker, per target, with its state in the database
// (delivery_targets) so that every node sees it. After CircuitFailures
// failed attempts in a row (timeout, connection error, 408, 429, 5xx) the
// circuit opens: the target is paused for CircuitPause, then one probe
// attempt is let through; its success closes the circuit, its failure
// pauses the target again for twice as long, up to CircuitMaxPause.
//
// While the circuit is open, a delivery's job ends without an attempt (it
// is "paused"): the delivery stays pending, holds no worker and no job,
// and the sweeper leaves it alone. Each node's circuit loop queues the
// probe (the target's oldest pending delivery) once the pause is over, and
// fails the deliveries whose deadline passed during the pause. When the
// circuit closes (a probe that succeeds, a PUT of the service, a successful
// test, the resume route), the target's pending deliveries are queued
// again, oldest first.

// CircuitState is a target's circuit as the API shows it.
type CircuitState struct {
	// State is "closed", "open" (paused until PausedUntil) or "probing"
	// (the pause is over; one attempt tests the target).
	State string `json:"state"`
	// FailuresInARow counts the failed attempts since the last success.
	FailuresInARow int `json:"failures_in_a_row"`
	// Pauses counts the pauses in a row (each twice the one before).
	Pauses      int        `json:"pauses"`
	OpenedAt    *time.Time `json:"opened_at"`
	PausedUntil *time.Time `json:"paused_until"`
	LastError   string     `json:"last_error"`
}

// Open reports whether the target is paused or being probed.
func (c CircuitState) Open() bool { return c.State != "closed" }

func circuitState(t *store.Target, now time.Time) CircuitState {
	c := CircuitState{State: "closed", FailuresInARow: t.Failures, Pauses: t.Pauses, LastError: t.LastError}
	if !t.Open() {
		return c
	}
	c.State = "open"
	if !now.Before(t.PausedUntil) {
		c.State = "probing"
	}
	opened, until := t.OpenedAt.UTC(), t.PausedUntil.UTC()
	c.OpenedAt, c.PausedUntil = &opened, &until
	return c
}

// pause is the length of the n-th pause in a row.
func (d *Deliverer) pause(n int) time.Duration {
	p := d.cfg.CircuitPause
	for i := 1; i < n && p < d.cfg.CircuitMaxPause; i++ {
		p *= 2
	}
	return min(p, d.cfg.CircuitMaxPause)
}

// counts tells whether an attempt's outcome counts against the target's
// circuit: it did not answer, or answered that it cannot take it now.
func counts(status string, retry bool) bool {
	return status != store.DeliveryDelivered && status != store.DeliverySkipped && retry
}

// afterAttempt updates the target's circuit after an attempt.
func (d *Deliverer) afterAttempt(ctx context.Context, dl *store.Delivery, before *store.Target, probe, failed bool, errText string) {
	log := d.log.With("project_id", dl.ProjectID, "service", dl.Service)
	if failed {
		t, opened, err := d.st.TargetFailed(ctx, dl.ProjectID, dl.Service, store.Failure{
			At: d.now(), Error: errText, Probe: probe, Threshold: d.cfg.CircuitFailures, Pause: d.pause})
		switch {
		case err != nil:
			log.WarnContext(ctx, "recording the target's failure", "err", err)
		case opened:
			d.metrics.circuitChanged(+1)
			log.WarnContext(ctx, "circuit opened: target paused", "failures_in_a_row", t.Failures,
				"paused_until", t.PausedUntil, "pause", t.PausedUntil.Sub(t.OpenedAt), "last_error", errText)
		case probe:
			log.WarnContext(ctx, "circuit stays open: the probe failed", "failures_in_a_row", t.Failures, "pauses", t.Pauses,
				"paused_until", t.PausedUntil, "last_error", errText)
		}
		return
	}
	if before.Failures == 0 && !before.Open() && !probe {
		return // the usual case: nothing to write
	}
	if _, err := d.closeCircuit(ctx, dl.ProjectID, dl.Service, "an attempt succeeded"); err != nil {
		log.WarnContext(ctx, "closing the target's circuit", "err", err)
	}
}

// closeCircuit closes a target's circuit and, if it was open, queues its
// waiting deliveries again.
func (d *Deliverer) closeCircuit(ctx context.Context, projectID int64, service, why string) (*store.Target, error) {
	before, err := d.st.CloseTarget(ctx, projectID, service)
	if err != nil || !before.Open() {
		return before, err
	}
	d.metrics.circuitChanged(-1)
	d.log.InfoContext(ctx, "circuit closed: target resumed", "project_id", projectID, "service", service, "why", why,
		"paused_for", d.now().Sub(before.OpenedAt).Round(time.Millisecond), "pauses", before.Pauses)
	// Again on the circuit loop's next round: a delivery whose paused job
	// River had not yet marked finished was skipped as still queued.
	d.rewakeMu.Lock()
	d.rewake[targetKey{projectID, service}] = d.now()
	d.rewakeMu.Unlock()
	if d.wake != nil {
		if err := d.wake(ctx, projectID, service); err != nil {
			// The sweeper queues them: the circuit is closed.
			d.log.WarnContext(ctx, "queueing the resumed target's deliveries; the sweeper will", "project_id", projectID,
				"service", service, "err", err)
		}
	}
	return before, nil
}

// pausedReason is the error of a delivery whose deadline passed while its
// target was paused.
func (d *Deliverer) pausedReason(t *store.Target) string {
	return fmt.Sprintf("not sent: the delivery deadline (%s after the event) passed while the target was paused by its "+
		"circuit breaker (open since %s after %d failed attempts in a row, paused until %s; last error: %s)",
		d.cfg.Deadline, t.OpenedAt.UTC().Format(time.RFC3339), t.Failures, t.PausedUntil.UTC().Format(time.RFC3339), t.LastError)
}

// failExpired ends the paused target's deliveries whose deadline has
// passed.
func (d *Deliverer) failExpired(ctx context.Context, t *store.Target) error {
	n, err := d.st.FailTargetPending(ctx, t.ProjectID, t.Service, d.now().Add(-d.cfg.Deadline), d.pausedReason(t))
	if err != nil || n == 0 {
		return err
	}
	d.metrics.count(t.Service, store.DeliveryFailed, n)
	d.log.WarnContext(ctx, "deliveries failed: their deadline passed while the target was paused", "project_id", t.ProjectID,
		"service", t.Service, "deliveries", n, "paused_until", t.PausedUntil)
	return nil
}

// Circuit reads a target's circuit.
func (d *Deliverer) Circuit(ctx context.Context, projectID int64, service string) (CircuitState, error) {
	t, err := d.st.Target(ctx, projectID, service)
	if err != nil {
		return CircuitState{}, err
	}
	return circuitState(t, d.now()), nil
}

// Resume closes a target's circuit at once (a PUT of the service, a
// successful test, the resume route): its waiting deliveries are queued
// again, oldest first.
func (d *Deliverer) Resume(ctx context.Context, projectID int64, service, why string) (CircuitState, error) {
	if _, err := d.closeCircuit(ctx, projectID, service, why); err != nil {
		return CircuitState{}, err
	}
	return d.Circuit(ctx, projectID, service)
}

// checkCircuits is one round of a node's circuit loop: it fails the
// deliveries whose deadline passed during a pause, queues the probe of
// each target whose pause is over, and counts the open circuits.
func (d *Deliverer) checkCircuits(ctx context.Context, enqueue func(context.Context, ...int64) error) error {
	open, err := d.st.OpenTargets(ctx)
	if err != nil {
		return err
	}
	d.metrics.setOpenCircuits(len(open))
	now := d.now()
	d.rewakeMu.Lock()
	var again []targetKey
	for k, at := range d.rewake {
		if now.Sub(at) >= 500*time.Millisecond {
			again = append(again, k)
			delete(d.rewake, k)
		}
	}
	d.rewakeMu.Unlock()
	for _, k := range again {
		if d.wake != nil {
			if err := d.wake(ctx, k.project, k.service); err != nil {
				return err
			}
		}
	}
	for i := range open {
		t := &open[i]
		if err := d.failExpired(ctx, t); err != nil {
			return err
		}
		if now.Before(t.PausedUntil) || now.Before(t.ProbeUntil) {
			continue
		}
		first, err := d.st.TargetPending(ctx, t.ProjectID, t.Service, 0, 1)
		if err != nil {
			return err
		}
		if len(first) == 1 {
			// Unique: queued once however many nodes do it.
			if err := enqueue(ctx, first[0].ID); err != nil {
				return err
			}
		}
	}
	return nil
}
