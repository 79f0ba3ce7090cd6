package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/glint-dev/glint/internal/store"
)

// isolationRow is the isolation measure on one database: the healthy
// project's latency (202 to sink) alone, and in the same run beside a
// project whose target hangs with --isolation-events events queued for it.
type isolationRow struct {
	Database     string         `json:"database"`
	SinkLatency  string         `json:"sink_latency"`
	Hanging      int            `json:"hanging_events"`
	RateS        float64        `json:"healthy_events_per_s"`
	Received     int            `json:"healthy_received"`
	AloneP50Ms   float64        `json:"alone_p50_ms"`
	AloneP99Ms   float64        `json:"alone_p99_ms"`
	BesideP50Ms  float64        `json:"beside_p50_ms"`
	BesideP99Ms  float64        `json:"beside_p99_ms"`
	RatioP99     float64        `json:"ratio_p99"` // beside / alone
	HangingAtMax int            `json:"hanging_target_most_at_once"`
	Runs         []isolationRow `json:"runs,omitempty"`
}

// hangingTarget answers nothing until its client gives up (glint's
// attempt timeout), or it is released.
type hangingTarget struct {
	srv     *httptest.Server
	release chan struct{}
	free    func() // closes release, once
	held    atOnce
}

func newHangingTarget() *hangingTarget {
	h := &hangingTarget{release: make(chan struct{})}
	h.free = sync.OnceFunc(func() { close(h.release) })
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer h.held.enter()()
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-h.release:
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	return h
}

// measureIsolation runs the delivery half as serve does, posts healthy
// events open loop at rate for d and takes their latency; then queues n
// events for a project whose Slack target hangs, waits a second, and takes
// the healthy latency again. The hanging project is deleted after (its
// deliveries wait for its circuit to close and would weigh on the other
// measures).
func (e *glintEnv) measureIsolation(ctx context.Context, o deliveryOptions, push []byte, n int, rate float64, d time.Duration, sink *sink, run int) (row isolationRow, err error) {
	row = isolationRow{Database: e.name, SinkLatency: sink.latency.String(), Hanging: n, RateS: rate}
	hang := newHangingTarget()
	defer func() {
		hang.free()
		hang.srv.Close()
	}()
	path := fmt.Sprintf("noisy-%d", run)
	hook, err := e.createProject(ctx, path, map[string]map[string]any{
		"slack": {"webhook": hang.srv.URL + "/services/T/B/X", "branches_to_be_notified": "all"}}, true)
	if err != nil {
		return row, err
	}
	defer func() { err = errors.Join(err, e.deleteProject(path)) }()
	awaitQuiet(ctx)
	dl, err := e.startDelivery(ctx, o)
	if err != nil {
		return row, err
	}
	defer func() {
		hang.free() // the attempts still hanging end now
		err = errors.Join(err, stopDelivery(dl))
	}()
	base, closeSrv, err := e.serve(dl.Pipeline)
	if err != nil {
		return row, err
	}
	defer closeSrv()
	// Warm (connections, prepared statements, River's start) before the
	// first round: a cold start counted in "alone" made the ratio < 1.
	_, _, _ = e.openLoop(ctx, o, base+e.hook, push, rate, o.warmup, sink)
	alone, _, _ := e.openLoop(ctx, o, base+e.hook, push, rate, d, sink)
	t := target{method: "POST", url: base + hook, bodies: [][]byte{push}}
	if err := postN(ctx, e.hooks, t, o.concurrency, n); err != nil {
		return row, fmt.Errorf("queueing the hanging target's events: %w", err)
	}
	time.Sleep(time.Second)
	beside, _, _ := e.openLoop(ctx, o, base+e.hook, push, rate, d, sink)
	row.Received = len(alone) + len(beside)
	row.AloneP50Ms, row.AloneP99Ms = ms(percentile(alone, 50)), ms(percentile(alone, 99))
	row.BesideP50Ms, row.BesideP99Ms = ms(percentile(beside, 50)), ms(percentile(beside, 99))
	row.RatioP99 = div(row.BesideP99Ms, row.AloneP99Ms)
	row.HangingAtMax = hang.held.peak()
	return row, ctx.Err()
}

// deleteProject deletes the project at path (its events, deliveries and
// circuit go with it).
func (e *glintEnv) deleteProject(path string) error {
	ctx := context.Background()
	p, err := e.st.ProjectByFullPath(ctx, "root/"+path)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return e.st.DeleteProject(ctx, p.ID)
}

// medianIsolation takes the median of each figure over the runs.
func medianIsolation(runs []isolationRow) isolationRow {
	r := runs[0]
	r.Received = 0
	for _, x := range runs {
		r.Received += x.Received
	}
	r.AloneP50Ms = median(runs, func(x isolationRow) float64 { return x.AloneP50Ms })
	r.AloneP99Ms = median(runs, func(x isolationRow) float64 { return x.AloneP99Ms })
	r.BesideP50Ms = median(runs, func(x isolationRow) float64 { return x.BesideP50Ms })
	r.BesideP99Ms = median(runs, func(x isolationRow) float64 { return x.BesideP99Ms })
	r.RatioP99 = median(runs, func(x isolationRow) float64 { return x.RatioP99 })
	r.HangingAtMax = int(median(runs, func(x isolationRow) float64 { return float64(x.HangingAtMax) }))
	r.Runs = runs
	return r
}

func printIsolation(rows []isolationRow) {
	if len(rows) == 0 {
		return
	}
	fmt.Println()
	fmt.Println("| isolation, healthy project's latency | sink latency | hanging events | healthy events/s | alone p50 ms | alone p99 ms | beside p50 ms | beside p99 ms | p99 ratio | hanging target at once |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range rows {
		fmt.Printf("| %s | %s | %d | %.0f | %.1f | %.1f | %.1f | %.1f | %.2f | %d |\n", r.Database, r.SinkLatency, r.Hanging, r.RateS,
			r.AloneP50Ms, r.AloneP99Ms, r.BesideP50Ms, r.BesideP99Ms, r.RatioP99, r.HangingAtMax)
	}
}
