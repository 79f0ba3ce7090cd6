package delivery

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/glint-dev/glint/internal/store"
)

// Metrics are the delivery half's Prometheus metrics.
type Metrics struct {
	outcomes    *prometheus.CounterVec
	latency     *prometheus.HistogramVec
	openCircuit prometheus.Gauge
	transitions *prometheus.CounterVec
	waits       prometheus.Counter
	reg         prometheus.Registerer
}

// NewMetrics registers the delivery metrics, with gauges of the pending
// deliveries read from the store at scrape time.
func NewMetrics(reg prometheus.Registerer, st store.DeliveryStore) *Metrics {
	m := &Metrics{
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "glint_delivery_attempts_total",
			Help: "Delivery attempts by service and the delivery's status after them (delivered, skipped, pending = will retry, " +
				"failed), and paused: a delivery's turn came while its target's circuit was open (no attempt made).",
		}, []string{"service", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "glint_delivery_attempt_duration_seconds",
			Help:    "Time of one delivery attempt, by service.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 16),
		}, []string{"service"}),
	}
	stats := func() (int, time.Time) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		n, oldest, err := st.PendingStats(ctx)
		if err != nil {
			return -1, time.Time{}
		}
		return n, oldest
	}
	depth := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "glint_delivery_queue_depth",
		Help: "Deliveries accepted and not yet finished (-1 if the database is out of reach).",
	}, func() float64 { n, _ := stats(); return float64(n) })
	age := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "glint_delivery_oldest_pending_seconds",
		Help: "Age of the oldest delivery not yet finished.",
	}, func() float64 {
		_, oldest := stats()
		if oldest.IsZero() {
			return 0
		}
		return time.Since(oldest).Seconds()
	})
	m.openCircuit = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "glint_delivery_circuits_open",
		Help: "Targets (a project's service) whose circuit breaker is open: paused or being probed (all nodes).",
	})
	m.transitions = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "glint_delivery_circuit_transitions_total",
		Help: "Circuits this node opened (to=open) or closed (to=closed).",
	}, []string{"to"})
	m.waits = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "glint_delivery_target_waits_total",
		Help: "Deliveries put back in the queue because their target had its most attempts running on this node.",
	})
	m.reg = reg
	reg.MustRegister(m.outcomes, m.latency, depth, age, m.openCircuit, m.transitions, m.waits)
	return m
}

// trackInFlight registers the gauge of the attempts running on this node.
func (m *Metrics) trackInFlight(l *limiter) {
	if m == nil {
		return
	}
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "glint_delivery_in_flight",
		Help: "Delivery attempts running on this node.",
	}, func() float64 { return float64(l.inFlight()) }))
}

func (m *Metrics) count(service, outcome string, n int) {
	if m != nil {
		m.outcomes.WithLabelValues(service, outcome).Add(float64(n))
	}
}

func (m *Metrics) waited() {
	if m != nil {
		m.waits.Inc()
	}
}

func (m *Metrics) circuitChanged(delta int) {
	if m == nil {
		return
	}
	if delta > 0 {
		m.transitions.WithLabelValues("open").Inc()
	} else {
		m.transitions.WithLabelValues("closed").Inc()
	}
	m.openCircuit.Add(float64(delta))
}

func (m *Metrics) setOpenCircuits(n int) {
	if m != nil {
		m.openCircuit.Set(float64(n))
	}
}

func (m *Metrics) observe(service, outcome string, d time.Duration) {
	if m == nil {
		return
	}
	m.outcomes.WithLabelValues(service, outcome).Inc()
	m.latency.WithLabelValues(service).Observe(d.Seconds())
}
