package delivery

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/glint-dev/glint/internal/store"
)

// Metrics are the delivery half's Prometheus metrics.
type Metrics struct {
	outcomes *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

// NewMetrics registers the delivery metrics, with gauges of the pending
// deliveries read from the store at scrape time.
func NewMetrics(reg prometheus.Registerer, st store.DeliveryStore) *Metrics {
	m := &Metrics{
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "glint_delivery_attempts_total",
			Help: "Delivery attempts by service and the delivery's status after them (delivered, pending = will retry, failed).",
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
	reg.MustRegister(m.outcomes, m.latency, depth, age)
	return m
}

func (m *Metrics) observe(service, outcome string, d time.Duration) {
	if m == nil {
		return
	}
	m.outcomes.WithLabelValues(service, outcome).Inc()
	m.latency.WithLabelValues(service).Observe(d.Seconds())
}
