package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// memoryOptions are the memory measure's flags.
type memoryOptions struct {
	inFlight, events int
	hold, timeout    time.Duration
}

// memoryFigures are one `glint serve` process's figures under the memory
// load (or their medians over the runs).
type memoryFigures struct {
	Workers     string  `json:"workers"`     // --delivery-workers, or "default"
	PeakRSSMB   float64 `json:"peak_rss_mb"` // the highest VmRSS sampled, every 100 ms from the first post until every event reached the sink
	RSSAtMostMB float64 `json:"rss_at_most_mb"`
	// MostAtOnce is the most requests the sink held at once; RSSAtMostMB
	// the VmRSS of the sample that saw the sink hold the most (the
	// highest such sample on a tie).
	MostAtOnce int     `json:"most_at_once"`
	HWMMB      float64 `json:"rss_high_mb"` // VmHWM at the end: the peak of the process's life
	DeliveredS float64 `json:"delivered_s"` // first post to the last event at the sink
	ExitMs     float64 `json:"shutdown_ms"` // SIGTERM to exit (0 expected)
}

// memoryRow is the memory measure: `glint serve` on SQLite with
// --delivery-workers and --delivery-target-limit at InFlight, beside the
// same with the default workers (the baseline), medians over the runs.
type memoryRow struct {
	Database    string          `json:"database"`
	InFlight    int             `json:"in_flight"`
	Events      int             `json:"events"`
	Hold        string          `json:"hold"`
	Glint       memoryFigures   `json:"glint"`
	Baseline    memoryFigures   `json:"baseline"`
	RatioPeak   float64         `json:"ratio_peak_rss"` // Glint.PeakRSSMB / Baseline.PeakRSSMB
	GlintRuns   []memoryFigures `json:"glint_runs"`
	DefaultRuns []memoryFigures `json:"baseline_runs"`
}

// memoryBench is what the memory measure's runs share: the built binary,
// the sink holding every request, the pushes' unique UUIDs.
type memoryBench struct {
	o     memoryOptions
	glint string
	tmp   string
	push  []byte
	sink  *sink
	posts int // concurrent intake clients
	uuids *atomic.Uint64
}

// newMemoryBench builds glint (without -race, whatever GOFLAGS says) into
// tmp and starts a sink that holds each request for o.hold.
func newMemoryBench(ctx context.Context, o memoryOptions, tmp string, push []byte, posts int, uuids *atomic.Uint64) (*memoryBench, error) {
	m := &memoryBench{o: o, glint: filepath.Join(tmp, "glint"), tmp: tmp, push: push, posts: posts, uuids: uuids}
	fmt.Fprintln(os.Stderr, "memory: building glint (go build -o", m.glint, "./cmd/glint)")
	goflags := slices.DeleteFunc(strings.Fields(os.Getenv("GOFLAGS")), func(f string) bool { return f == "-race" || f == "-race=true" })
	if err := goBuild(ctx, ".", m.glint, "./cmd/glint", []string{"GOFLAGS=" + strings.Join(goflags, " ")}); err != nil {
		return nil, err
	}
	m.sink = newSink(o.hold)
	return m, nil
}

func (m *memoryBench) close() { m.sink.srv.Close() }

// measure runs one `glint serve` on a fresh SQLite data dir with
// --delivery-workers workers (0: serve's default) and the target limit at
// --memory-in-flight, configures a project's Slack service to post to the
// sink, posts --memory-events push events to its intake, and samples the
// process's VmRSS every 100 ms until the sink has received every event.
// It then stops the process with SIGTERM, which must exit 0.
func (m *memoryBench) measure(ctx context.Context, run, workers int) (res memoryFigures, err error) {
	res.Workers = "default"
	if workers > 0 {
		res.Workers = strconv.Itoa(workers)
	}
	dir := filepath.Join(m.tmp, fmt.Sprintf("memory-%d-%s", run, res.Workers))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return res, err
	}
	addr, err := freeAddr()
	if err != nil {
		return res, err
	}
	argv := []string{m.glint, "serve", "--data-dir", dir, "--listen", addr, "--database=", "--allow-local-requests",
		"--delivery-target-limit", strconv.Itoa(m.o.inFlight)}
	if workers > 0 {
		argv = append(argv, "--delivery-workers", strconv.Itoa(workers))
	}
	transport := &http.Transport{MaxIdleConnsPerHost: m.posts}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: 30 * time.Second}
	base := "http://" + addr
	proc, err := startServer(ctx, argv, filepath.Join(dir, "serve.log"), client, base)
	if err != nil {
		return res, err
	}
	defer proc.log.Close()
	failed := func(err error) (memoryFigures, error) { return res, proc.fail(err) }
	p, err := createSlackProject(base, dir, fmt.Sprintf(`{"webhook":%q,"branches_to_be_notified":"all"}`, m.sink.srv.URL+"/services/T/B/X"))
	if err != nil {
		return failed(err)
	}
	token, err := setIntakeToken(client, base, p.id, p.token)
	if err != nil {
		return failed(err)
	}
	hooks := &http.Client{Transport: gitlabHeaders{base: transport, token: token, seq: m.uuids}, Timeout: 30 * time.Second}
	pid := proc.cmd.Process.Pid

	arrived := m.sink.expect(m.o.events)
	var bestHeld int
	stop := sampleRSS(pid, 100*time.Millisecond, func(v float64) {
		held := m.sink.held.current() // at the sample's time
		res.PeakRSSMB = max(res.PeakRSSMB, v)
		if held > bestHeld || (held == bestHeld && v > res.RSSAtMostMB) {
			bestHeld, res.RSSAtMostMB = held, v
		}
	})
	t0 := time.Now()
	posted := make(chan error, 1)
	go func() {
		posted <- postN(ctx, hooks, target{method: http.MethodPost, url: fmt.Sprintf("%s/hooks/gitlab/%d", base, p.id), bodies: [][]byte{m.push}},
			m.posts, m.o.events)
	}()
	var end time.Time
	for end.IsZero() && err == nil {
		select {
		case end = <-arrived:
		case err = <-posted:
			posted = nil // all posted: wait for the sink
			if err != nil {
				err = fmt.Errorf("posting the events: %w", err)
			}
		case <-time.After(time.Until(t0.Add(m.o.timeout))):
			err = fmt.Errorf("%d of %d events at the sink after %s", m.sink.received(), m.o.events, m.o.timeout)
		case err = <-proc.exited:
			proc.exited <- err
			err = fmt.Errorf("exited under load: %v", err)
		case <-ctx.Done():
			err = ctx.Err()
		}
	}
	stop()
	if err != nil {
		return failed(err)
	}
	res.DeliveredS = end.Sub(t0).Seconds()
	res.MostAtOnce = m.sink.mostAtOnce()
	if res.HWMMB, err = procStatusMB(pid, "VmHWM"); err != nil {
		return failed(err)
	}
	if posted != nil { // every event reached the sink: the posts are answered
		if err := <-posted; err != nil {
			return failed(fmt.Errorf("posting the events: %w", err))
		}
	}
	transport.CloseIdleConnections()
	took, exit, err := proc.terminate(serveShutdown + 10*time.Second)
	if err != nil {
		return failed(err)
	}
	if exit != nil {
		return res, fmt.Errorf("exit after SIGTERM: %v; its log:\n%s", exit, tail(proc.logPath))
	}
	res.ExitMs = ms(took)
	return res, nil
}

// run measures run r with --memory-in-flight workers, then with the
// default workers.
func (m *memoryBench) run(ctx context.Context, r int, progress func(string, ...any)) (inFlight, def memoryFigures, err error) {
	for i, workers := range []int{m.o.inFlight, 0} {
		awaitQuiet(ctx)
		label := fmt.Sprintf("%d workers", workers)
		if workers == 0 {
			label = "default workers"
		}
		progress("memory, %s: glint serve, SQLite, target limit %d, %d events to a target holding each request %s",
			label, m.o.inFlight, m.o.events, m.o.hold)
		f, err := m.measure(ctx, r, workers)
		if err != nil {
			return inFlight, def, fmt.Errorf("memory, %s: %w", label, err)
		}
		progress("memory, %s: peak RSS %.1f MB, %.1f MB while the sink held the most, %d at once at most; VmHWM %.1f MB; "+
			"every event at the sink in %.1fs; exit in %.0f ms", label, f.PeakRSSMB, f.RSSAtMostMB, f.MostAtOnce, f.HWMMB, f.DeliveredS, f.ExitMs)
		if i == 0 {
			inFlight = f
		} else {
			def = f
		}
	}
	return inFlight, def, nil
}

// row is the report's memory figures: each the median over the runs.
func (m *memoryBench) row(glint, def []memoryFigures) *memoryRow {
	if len(glint) == 0 {
		return nil
	}
	r := &memoryRow{Database: "sqlite", InFlight: m.o.inFlight, Events: m.o.events, Hold: m.o.hold.String(),
		Glint: medianMemory(glint), Baseline: medianMemory(def), GlintRuns: glint, DefaultRuns: def}
	r.RatioPeak = div(r.Glint.PeakRSSMB, r.Baseline.PeakRSSMB)
	return r
}

func (r *memoryRow) comparison() comparison {
	return comparison{Measure: fmt.Sprintf("memory: peak RSS MB with %d in flight (baseline: default workers)", r.InFlight),
		Glint: r.Glint.PeakRSSMB, Baseline: r.Baseline.PeakRSSMB, Ratio: r.RatioPeak, prec: 1}
}

// medianMemory takes the median of each figure over the runs.
func medianMemory(runs []memoryFigures) memoryFigures {
	if len(runs) == 0 {
		return memoryFigures{}
	}
	return memoryFigures{
		Workers:     runs[0].Workers,
		PeakRSSMB:   median(runs, func(f memoryFigures) float64 { return f.PeakRSSMB }),
		RSSAtMostMB: median(runs, func(f memoryFigures) float64 { return f.RSSAtMostMB }),
		MostAtOnce:  int(median(runs, func(f memoryFigures) float64 { return float64(f.MostAtOnce) })),
		HWMMB:       median(runs, func(f memoryFigures) float64 { return f.HWMMB }),
		DeliveredS:  median(runs, func(f memoryFigures) float64 { return f.DeliveredS }),
		ExitMs:      median(runs, func(f memoryFigures) float64 { return f.ExitMs }),
	}
}

// checkMemoryOptions validates the memory measure's flags.
func checkMemoryOptions(o memoryOptions) error {
	if o.inFlight < 1 || o.events < 1 || o.hold <= 0 || o.timeout <= 0 {
		return errors.New("--memory-in-flight, --memory-events, --memory-hold and --memory-timeout must be positive")
	}
	return nil
}
