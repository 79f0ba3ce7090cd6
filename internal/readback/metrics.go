package readback

import "github.com/prometheus/client_golang/prometheus"

// metrics of the read-backs; labels are bounded: the catalog's slugs and
// fixed words.
type metrics struct {
	reads   *prometheus.CounterVec // by service, cache: fresh, stale, none
	fetches *prometheus.CounterVec // by service, result: answered, error
}

func newMetrics(reg prometheus.Registerer) *metrics {
	if reg == nil {
		return nil
	}
	m := &metrics{
		reads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "glint_readback_reads_total",
			Help: "Commit status reads by service and what the reactive cache held: fresh, stale (answered and refreshed) or none (pending).",
		}, []string{"service", "cache"}),
		fetches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "glint_readback_fetches_total",
			Help: "Commit status fetches from the CI by service and result: answered (any status but error) or error.",
		}, []string{"service", "result"}),
	}
	reg.MustRegister(m.reads, m.fetches)
	return m
}

func (m *metrics) read(service, cache string) {
	if m != nil {
		m.reads.WithLabelValues(service, cache).Inc()
	}
}

func (m *metrics) fetch(service string, failed bool) {
	if m == nil {
		return
	}
	result := "answered"
	if failed {
		result = "error"
	}
	m.fetches.WithLabelValues(service, result).Inc()
}
