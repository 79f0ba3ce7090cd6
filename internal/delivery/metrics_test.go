package delivery

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestMetrics(t *testing.T) {
	f := newFixture(t, Config{MaxAttempts: 5})
	reg := prometheus.NewRegistry()
	f.d.metrics = NewMetrics(reg, f.st)
	f.event(t) // stays pending: the gauges see it
	depth := `
# HELP glint_delivery_queue_depth Deliveries accepted and not yet finished (-1 if the database is out of reach).
# TYPE glint_delivery_queue_depth gauge
glint_delivery_queue_depth 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(depth), "glint_delivery_queue_depth"); err != nil {
		t.Fatal(err)
	}
	f.sink.Respond(500, "")
	f.attempt(t, f.event(t))
	f.sink.Respond(200, "")
	f.attempt(t, f.event(t))
	attempts := `
# HELP glint_delivery_attempts_total Delivery attempts by service and the delivery's status after them (delivered, skipped, pending = will retry, failed), and paused: a delivery's turn came while its target's circuit was open (no attempt made).
# TYPE glint_delivery_attempts_total counter
glint_delivery_attempts_total{outcome="delivered",service="slack"} 1
glint_delivery_attempts_total{outcome="pending",service="slack"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(attempts), "glint_delivery_attempts_total"); err != nil {
		t.Fatal(err)
	}
	if n := testutil.CollectAndCount(f.d.metrics.latency); n != 1 {
		t.Fatalf("latency histogram has %d series", n)
	}
	mfs, _ := reg.Gather()
	for _, mf := range mfs {
		if mf.GetName() == "glint_delivery_oldest_pending_seconds" && mf.GetMetric()[0].GetGauge().GetValue() <= 0 {
			t.Fatal("oldest pending age is not positive")
		}
	}
}

func TestMetricsCircuit(t *testing.T) {
	f := newFixture(t, Config{MaxAttempts: 5, CircuitFailures: 1})
	reg := prometheus.NewRegistry()
	f.d.metrics = NewMetrics(reg, f.st)
	f.d.metrics.trackInFlight(f.d.limits)
	f.sink.Respond(503, "")
	f.attempt(t, f.event(t))
	f.attempt(t, f.event(t)) // paused
	want := `
# HELP glint_delivery_circuits_open Targets (a project's service) whose circuit breaker is open: paused or being probed (all nodes).
# TYPE glint_delivery_circuits_open gauge
glint_delivery_circuits_open 1
# HELP glint_delivery_in_flight Delivery attempts running on this node.
# TYPE glint_delivery_in_flight gauge
glint_delivery_in_flight 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "glint_delivery_circuits_open", "glint_delivery_in_flight"); err != nil {
		t.Fatal(err)
	}
	if got := testutil.ToFloat64(f.d.metrics.outcomes.WithLabelValues("slack", "paused")); got != 1 {
		t.Fatalf("paused outcomes: %v", got)
	}
	if got := testutil.ToFloat64(f.d.metrics.transitions.WithLabelValues("open")); got != 1 {
		t.Fatalf("circuits opened: %v", got)
	}
}
