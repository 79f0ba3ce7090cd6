package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/glint-dev/glint/internal/api"
	"github.com/glint-dev/glint/internal/app"
	"github.com/glint-dev/glint/internal/delivery"
	"github.com/glint-dev/glint/internal/outbound"
	"github.com/glint-dev/glint/internal/secret"
	"github.com/glint-dev/glint/internal/settings"
	"github.com/glint-dev/glint/internal/store"
	"github.com/glint-dev/glint/internal/store/sqlstore"
)

const (
	// pushFixture is the event posted to the intake, relative to the
	// repository root.
	pushFixture = "internal/event/testdata/push.json"
	// benchBaseURL is glint's external URL, for links in messages.
	benchBaseURL = "http://glint.bench"
	// riverSchema holds River alone's tables on PostgreSQL, apart from
	// glint's.
	riverSchema = "glint_bench_river"
	// riverFetchCooldown is glint's (internal/delivery's riverConfig).
	riverFetchCooldown = 10 * time.Millisecond
	// serveShutdown is serve's default --shutdown-timeout.
	serveShutdown = 30 * time.Second
)

// deliveryOptions are the delivery benchmark's flags.
type deliveryOptions struct {
	concurrency, workers, events int
	targetLimit                  int
	duration, warmup, poll       time.Duration
	timeout                      time.Duration
}

// comparison is one row of the report: glint's figure beside its
// baseline's, both medians over the runs.
type comparison struct {
	Measure  string  `json:"measure"`
	Glint    float64 `json:"glint"`
	Baseline float64 `json:"baseline"`
	Ratio    float64 `json:"ratio"` // glint / baseline
	prec     int     // decimals in the table
}

func runDelivery(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("delivery", flag.ContinueOnError)
	database := fs.String("database", "", "also measure on this empty PostgreSQL database (postgres://...); SQLite in a temp dir always")
	adminDB := fs.String("admin-database", "", "without --database: PostgreSQL admin URL to create (and drop) the empty database measured")
	var o deliveryOptions
	fs.IntVar(&o.concurrency, "concurrency", 16, "concurrent intake clients, and of the network ceiling")
	fs.IntVar(&o.workers, "workers", delivery.DefaultWorkers, "delivery workers of glint and of River alone (serve's --delivery-workers)")
	fs.IntVar(&o.targetLimit, "target-limit", delivery.DefaultTargetLimit, "most attempts per target (serve's --delivery-target-limit)")
	sinkLatency := fs.Duration("sink-latency", 0, "how long the sink (the services' target) takes to answer each request")
	isoEvents := fs.Int("isolation-events", 100, "isolation measure: events queued for the hanging neighbour (0: skip the measure)")
	isoRate := fs.Float64("isolation-rate", 50, "isolation measure: the healthy project's events/s, open loop")
	isoFor := fs.Duration("isolation-duration", 4*time.Second, "isolation measure: sending time of each healthy round")
	var mo memoryOptions
	fs.IntVar(&mo.inFlight, "memory-in-flight", 1000, "memory measure: glint serve's --delivery-workers and --delivery-target-limit")
	fs.IntVar(&mo.events, "memory-events", 4000, "memory measure: events posted for the one target")
	fs.DurationVar(&mo.hold, "memory-hold", 5*time.Second, "memory measure: how long the target holds each request before it answers")
	fs.DurationVar(&mo.timeout, "memory-timeout", 5*time.Minute, "memory measure: longest wait from the first post until every event reached the target")
	onlyFlag := fs.String("only", "", "comma-separated measures to run, of intake, deliveries, fanout, ceilings, latency, scale, isolation, memory (empty: all)")
	fs.DurationVar(&o.poll, "queue-poll", 200*time.Millisecond, "River's fetch poll interval (serve's --queue-poll)")
	fs.DurationVar(&o.duration, "duration", 5*time.Second, "measured intake time per run and target")
	fs.DurationVar(&o.warmup, "warmup", time.Second, "unmeasured intake before each run")
	fs.IntVar(&o.events, "events", 2000, "events pre-loaded for the delivery measure (and River alone's jobs)")
	fs.DurationVar(&o.timeout, "timeout", 2*time.Minute, "longest wait for a backlog to be delivered")
	runs := fs.Int("runs", 3, "runs; the median is reported")
	latencyFor := fs.Duration("latency-duration", 10*time.Second, "open-loop latency measure's sending time per queue poll (0: skip)")
	latencyRate := fs.Float64("latency-rate", 0, "latency measure's events/s (0: half the 1-service fan-out deliveries/s)")
	latencyPolls := fs.String("latency-polls", "200ms,20ms", "queue polls the latency measure compares")
	scaleCounts := fs.String("scale", "1000,10000,100000", "project counts of the scale measure (empty: skip)")
	scaleMax := fs.Duration("scale-max-create", time.Minute, "skip a scale count whose project creation is projected to take longer")
	out := fs.String("out", "bench/out/delivery.json", "JSON output file")
	quietFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.concurrency < 1 || o.workers < 1 || o.events < 1 || *runs < 1 || o.duration <= 0 || o.poll <= 0 || o.timeout <= 0 {
		return errors.New("--concurrency, --workers, --events, --runs, --duration, --queue-poll and --timeout must be positive")
	}
	var polls []time.Duration
	for _, f := range strings.Split(*latencyPolls, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		d, err := time.ParseDuration(f)
		if err != nil || d <= 0 {
			return fmt.Errorf("--latency-polls: %q", f)
		}
		polls = append(polls, d)
	}
	var counts []int
	for _, f := range strings.Split(*scaleCounts, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 2 {
			return fmt.Errorf("--scale: %q", f)
		}
		counts = append(counts, n)
	}
	only := map[string]bool{}
	for m := range strings.SplitSeq(*onlyFlag, ",") {
		if m = strings.TrimSpace(m); m != "" {
			only[m] = true
		}
	}
	want := func(measure string) bool { return len(only) == 0 || only[measure] }
	if !want("scale") {
		counts = nil
	}
	if !want("latency") {
		*latencyFor = 0
	}
	if !want("isolation") {
		*isoEvents = 0
	}
	if want("memory") {
		if err := checkMemoryOptions(mo); err != nil {
			return err
		}
	}
	push, err := os.ReadFile(pushFixture)
	if err != nil {
		return fmt.Errorf("%w (run the bench from the repository root)", err)
	}

	tmp, err := os.MkdirTemp("", "glint-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	sink := newSink(*sinkLatency)
	defer sink.srv.Close()
	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, `{"message":"202 Accepted","deliveries":1}`)
	}))
	defer bare.Close()

	transport := &http.Transport{MaxIdleConnsPerHost: o.concurrency}
	plain := &http.Client{Transport: transport, Timeout: 30 * time.Second}
	var uuids atomic.Uint64 // shared: no two requests of the process carry the same UUID
	if *database == "" && *adminDB != "" {
		admin, err := newPGAdmin(ctx, *adminDB)
		if err != nil {
			return fmt.Errorf("--admin-database: %w", err)
		}
		defer func() {
			if err := admin.dropAll(); err != nil {
				fmt.Fprintln(os.Stderr, "bench:", err)
			}
		}()
		if *database, err = admin.create(ctx, "delivery"); err != nil {
			return err
		}
	}
	configs := []app.Config{{DataDir: filepath.Join(tmp, "sqlite")}}
	if *database != "" {
		configs = append(configs, app.Config{DataDir: filepath.Join(tmp, "postgres"), Database: *database})
	}
	var envs []*glintEnv
	for _, cfg := range configs {
		cfg.PoolSize = 10 // serve's default --db-pool-size
		e, err := openEnv(ctx, cfg, plain, sink.srv.URL+"/services/T/B/X")
		if err != nil {
			return err
		}
		defer e.st.Close()
		e.hooks = &http.Client{Transport: gitlabHeaders{base: transport, token: e.token, seq: &uuids}, Timeout: 30 * time.Second}
		if e.overrides, err = sinkOverrides(sink.srv.URL); err != nil {
			return err
		}
		envs = append(envs, e)
	}

	var mem *memoryBench
	if want("memory") {
		if mem, err = newMemoryBench(ctx, mo, tmp, push, o.concurrency, &uuids); err != nil {
			return err
		}
		defer mem.close()
	}
	var memGlint, memDefault []memoryFigures

	samples := map[string][]sample{}
	isolation := map[string][]isolationRow{}
	for r := 1; r <= *runs; r++ {
		progress := func(format string, a ...any) {
			fmt.Fprintf(os.Stderr, "run %d/%d %s\n", r, *runs, fmt.Sprintf(format, a...))
		}
		for _, e := range envs {
			if want("intake") {
				intake, err := e.measureIntake(ctx, o, push, progress)
				if err != nil {
					return fmt.Errorf("%s intake: %w", e.name, err)
				}
				samples[e.name+" intake"] = append(samples[e.name+" intake"], intake)
			}
			if want("deliveries") {
				preload, deliveries, err := e.measureDeliveries(ctx, o, push, sink, progress)
				if err != nil {
					return fmt.Errorf("%s deliveries: %w", e.name, err)
				}
				alone, err := e.measureRiver(ctx, o, progress)
				if err != nil {
					return fmt.Errorf("%s River alone: %w", e.name, err)
				}
				samples[e.name+" intake, workers stopped"] = append(samples[e.name+" intake, workers stopped"], preload)
				samples[e.name+" deliveries"] = append(samples[e.name+" deliveries"], deliveries)
				samples[e.name+" river"] = append(samples[e.name+" river"], alone)
			}
			if *isoEvents > 0 {
				progress("%s isolation: healthy events at %.0f/s for %s, alone and beside %d events for a hanging target", e.name, *isoRate, *isoFor, *isoEvents)
				row, err := e.measureIsolation(ctx, o, push, *isoEvents, *isoRate, *isoFor, sink, r)
				if err != nil {
					return fmt.Errorf("%s isolation: %w", e.name, err)
				}
				progress("%s isolation: healthy p99 %.1f ms alone, %.1f ms beside the hanging target (ratio %.2f); it held %d at once",
					e.name, row.AloneP99Ms, row.BesideP99Ms, row.RatioP99, row.HangingAtMax)
				isolation[e.name] = append(isolation[e.name], row)
			}
			if !want("fanout") {
				continue
			}
			cases, err := e.fanoutCases(ctx, o, push, sink)
			if err != nil {
				return fmt.Errorf("%s fan-out set-up: %w", e.name, err)
			}
			for _, c := range cases {
				progress("%s fan-out %s: %d events, %d deliveries, %d requests", e.name, c.Name, o.events, o.events*c.perEvent, o.events*c.requests)
				s, err := e.measureBacklog(ctx, o, push, c.hooks, o.events*c.perEvent, o.events*c.requests, sink)
				if err != nil {
					return fmt.Errorf("%s fan-out %s: %w", e.name, c.Name, err)
				}
				progress("%s fan-out %s: %.0f deliveries/s", e.name, c.Name, s.ReqPerSec)
				key := e.name + " fanout " + c.Name
				samples[key] = append(samples[key], s)
			}
		}
		ceiling := target{Name: "intake ceiling", method: http.MethodPost, url: bare.URL + "/hooks/gitlab/1", bodies: [][]byte{push}}
		network := target{Name: "network ceiling", method: http.MethodPost, url: sink.srv.URL + "/services/T/B/X", bodies: [][]byte{sink.firstBody()}}
		for _, c := range []struct {
			t      target
			client *http.Client
		}{{ceiling, envs[0].hooks}, {network, plain}} {
			if !want("ceilings") || (c.t.Name == "network ceiling" && len(c.t.bodies[0]) == 0) {
				continue // the network ceiling posts a delivery the sink received
			}
			awaitQuiet(ctx)
			progress("%s: warmup %s, measuring %s", c.t.Name, o.warmup, o.duration)
			load(ctx, c.client, c.t, o.concurrency, o.warmup)
			s := load(ctx, c.client, c.t, o.concurrency, o.duration)
			if err := ctx.Err(); err != nil {
				return err
			}
			progress("%s: %.0f req/s, p50 %.3f ms, p99 %.3f ms, %d errors", c.t.Name, s.ReqPerSec, s.P50Ms, s.P99Ms, s.Errors)
			samples[c.t.Name] = append(samples[c.t.Name], s)
		}
		if mem != nil {
			g, d, err := mem.run(ctx, r, progress)
			if err != nil {
				return err
			}
			memGlint, memDefault = append(memGlint, g), append(memDefault, d)
		}
	}

	rate := func(s sample) float64 { return s.ReqPerSec }
	p50 := func(s sample) float64 { return s.P50Ms }
	p99 := func(s sample) float64 { return s.P99Ms }
	compare := func(measure, glint, baseline string, f func(sample) float64, prec int) comparison {
		c := comparison{Measure: measure, Glint: median(samples[glint], f), Baseline: median(samples[baseline], f), prec: prec}
		if c.Baseline > 0 {
			c.Ratio = c.Glint / c.Baseline
		}
		return c
	}
	var results []comparison
	for _, e := range envs {
		n := e.name
		if len(samples[n+" intake"]) == 0 || len(samples[n+" deliveries"]) == 0 {
			// A measure left out: the deliveries/s alone.
			if len(samples[n+" deliveries"]) > 0 {
				results = append(results, compare(n+": deliveries/s (baseline: River alone, no-op jobs/s)", n+" deliveries", n+" river", rate, 0))
			}
			continue
		}
		results = append(results,
			compare(n+": intake events/s (baseline: bare 202 handler)", n+" intake", "intake ceiling", rate, 0),
			compare(n+": intake p50 ms (baseline: bare 202 handler)", n+" intake", "intake ceiling", p50, 3),
			compare(n+": intake p99 ms (baseline: bare 202 handler)", n+" intake", "intake ceiling", p99, 3),
			compare(n+": intake events/s, workers stopped (baseline: bare 202 handler)", n+" intake, workers stopped", "intake ceiling", rate, 0),
			compare(n+": deliveries/s (baseline: River alone, no-op jobs/s)", n+" deliveries", n+" river", rate, 0),
			compare(n+": deliveries/s (baseline: network, HTTP posts/s to the sink)", n+" deliveries", "network ceiling", rate, 0),
		)
	}
	var memory *memoryRow
	if mem != nil {
		memory = mem.row(memGlint, memDefault)
		results = append(results, memory.comparison())
	}
	fmt.Println("| measure | glint | baseline | ratio |")
	fmt.Println("|---|---:|---:|---:|")
	for _, c := range results {
		fmt.Printf("| %s | %.*f | %.*f | %.3f |\n", c.Measure, c.prec, c.Glint, c.prec, c.Baseline, c.Ratio)
	}

	var fanout []fanoutRow
	var latency []latencyRow
	var scale []scaleRow
	var isoRows []isolationRow
	for _, e := range envs {
		if rows := isolation[e.name]; len(rows) > 0 {
			isoRows = append(isoRows, medianIsolation(rows))
		}
	}
	for _, e := range envs {
		riverRate := median(samples[e.name+" river"], rate)
		for _, c := range e.fanout {
			ds := median(samples[e.name+" fanout "+c.Name], rate)
			r := fanoutRow{Database: e.name, Case: c.Name, Events: o.events, Deliveries: o.events * c.perEvent, Requests: o.events * c.requests,
				DeliveriesS: ds, EventsS: ds / float64(c.perEvent), RiverJobsS: riverRate}
			if riverRate > 0 {
				r.Ratio = ds / riverRate
			}
			fanout = append(fanout, r)
		}
	}
	for _, e := range envs {
		if *latencyFor <= 0 || (len(e.fanout) == 0 && *latencyRate <= 0) {
			break
		}
		// Half the 1-service deliveries/s just measured.
		half := median(samples[e.name+" fanout "+e.fanout[0].Name], rate) / 2
		if *latencyRate > 0 {
			half = *latencyRate
		}
		for _, poll := range polls {
			var rows []latencyRow
			for r := 1; r <= *runs; r++ {
				fmt.Fprintf(os.Stderr, "run %d/%d %s latency: queue poll %s, %.0f events/s open loop for %s\n", r, *runs, e.name, poll, half, *latencyFor)
				row, err := e.measureLatency(ctx, o, push, poll, half, *latencyFor, sink)
				if err != nil {
					return fmt.Errorf("%s latency: %w", e.name, err)
				}
				fmt.Fprintf(os.Stderr, "%s latency: %d sent, %d received, p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
					e.name, row.Sent, row.Received, row.P50Ms, row.P99Ms, row.MaxMs)
				rows = append(rows, row)
			}
			latency = append(latency, medianLatency(rows))
		}
	}
	for _, e := range envs {
		if len(counts) == 0 {
			break
		}
		progress := func(format string, a ...any) { fmt.Fprintf(os.Stderr, format+"\n", a...) }
		rows, err := e.measureScale(ctx, o, push, sink.srv.URL+"/services/T/B/X", counts, *runs, *scaleMax,
			median(samples[e.name+" intake"], rate), progress)
		scale = append(scale, rows...)
		if err != nil {
			return fmt.Errorf("%s scale: %w", e.name, err)
		}
	}
	printExtras(fanout, latency, scale)
	printIsolation(isoRows)

	names := envs[0].name
	if len(envs) > 1 {
		names += "," + envs[1].name
	}
	type deliveryConfig struct {
		config
		Workers     int    `json:"workers"`
		TargetLimit int    `json:"target_limit"`
		QueuePoll   string `json:"queue_poll"`
		Events      int    `json:"events"`
		SinkLatency string `json:"sink_latency"`
	}
	report := struct {
		Config    deliveryConfig      `json:"config"`
		Results   []comparison        `json:"results"`
		Fanout    []fanoutRow         `json:"fanout"`
		Latency   []latencyRow        `json:"latency"`
		Scale     []scaleRow          `json:"scale"`
		Isolation []isolationRow      `json:"isolation"`
		Memory    *memoryRow          `json:"memory,omitempty"`
		Runs      map[string][]sample `json:"runs"`
	}{
		Config: deliveryConfig{
			config: config{Database: names, Concurrency: o.concurrency, Duration: o.duration.String(), Warmup: o.warmup.String(),
				Runs: *runs, GOMAXPROCS: runtime.GOMAXPROCS(0), GoVersion: runtime.Version()},
			Workers: o.workers, TargetLimit: o.targetLimit, QueuePoll: o.poll.String(), Events: o.events,
			SinkLatency: sinkLatency.String(),
		},
		Results:   results,
		Fanout:    fanout,
		Latency:   latency,
		Scale:     scale,
		Isolation: isoRows,
		Memory:    memory,
		Runs:      samples,
	}
	return writeJSON(*out, report)
}

// glintEnv is glint's store on one database, with a project whose Slack
// service posts to the sink and whose intake secret is set.
type glintEnv struct {
	name  string // the database kind
	cfg   app.Config
	st    *sqlstore.DB
	keys  *secret.Keyring
	hook  string       // the project's intake path
	token string       // its intake secret
	hooks *http.Client // sends GitLab's headers with this env's secret
	log   *slog.Logger
	// projects counts the projects created; fanout is the fan-out
	// measure's set-up, created on first use.
	projects int
	fanout   []fanoutCase
	// overrides send the fixed hosts of the fan-out's services to the sink.
	overrides []outbound.Override
}

// openEnv opens the store, bootstraps root, creates a project, and
// configures its Slack service and intake secret through the API.
func openEnv(ctx context.Context, cfg app.Config, client *http.Client, webhook string) (*glintEnv, error) {
	st, err := app.OpenStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	// The logs are formatted as serve's default (JSON), then discarded.
	e := &glintEnv{name: st.DialectName(), cfg: cfg, st: st, log: slog.New(slog.NewJSONHandler(io.Discard, nil)), projects: 1}
	if err := e.setUp(ctx, client, webhook); err != nil {
		st.Close()
		return nil, err
	}
	return e, nil
}

func (e *glintEnv) setUp(ctx context.Context, client *http.Client, webhook string) error {
	var err error
	if e.keys, err = app.LoadKeys(ctx, e.cfg, e.st); err != nil {
		return err
	}
	root, err := app.Bootstrap(ctx, e.cfg, e.st)
	if err != nil {
		return err
	}
	if root == "" {
		return errors.New("the database already has users: give an empty database")
	}
	u, err := e.st.UserByUsername(ctx, "root")
	if err != nil {
		return err
	}
	p := &store.Project{Name: "bench", Path: "bench", NamespaceID: u.NamespaceID, CreatorID: u.ID}
	if err := e.st.CreateProject(ctx, p); err != nil {
		return err
	}
	e.hook = fmt.Sprintf("/hooks/gitlab/%d", p.ID)
	base, closeSrv, err := e.serve(nil)
	if err != nil {
		return err
	}
	defer closeSrv()
	slack := fmt.Appendf(nil, `{"webhook":%q,"branches_to_be_notified":"all"}`, webhook)
	if _, err := do(client, target{method: http.MethodPut, url: fmt.Sprintf("%s/api/v4/projects/%d/services/slack", base, p.ID),
		token: root, bodies: [][]byte{slack}}, 0); err != nil {
		return fmt.Errorf("configuring the slack service: %w", err)
	}
	e.token, err = setIntakeToken(client, base, p.ID, root)
	return err
}

// setIntakeToken sets a new intake secret for project through the API
// served at base, and returns it.
func setIntakeToken(client *http.Client, base string, project int64, root string) (string, error) {
	body, err := do(client, target{method: http.MethodPut, url: fmt.Sprintf("%s/api/v4/projects/%d/intake_token", base, project), token: root}, 0)
	if err != nil {
		return "", fmt.Errorf("setting the intake secret: %w", err)
	}
	var intake struct{ Token string }
	if err := json.Unmarshal(body, &intake); err != nil || intake.Token == "" {
		return "", fmt.Errorf("setting the intake secret: %v: %s", err, body)
	}
	return intake.Token, nil
}

// serve serves glint's API on 127.0.0.1 with events as its delivery half,
// local targets allowed (serve's --allow-local-requests).
func (e *glintEnv) serve(events api.Events) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{
		Handler: api.New(api.Options{Store: e.st, Sealer: e.keys, Policy: settings.Policy{AllowLocal: true}, Events: events,
			Logger: e.log, BaseURL: benchBaseURL}),
		ReadHeaderTimeout: 10 * time.Second,
	}
	serveLabeled(srv, ln, "server")
	return "http://" + ln.Addr().String(), func() { srv.Close() }, nil
}

// startDelivery starts glint's delivery half as serve does with its
// default flags, but for --workers and --queue-poll.
func (e *glintEnv) startDelivery(ctx context.Context, o deliveryOptions) (*app.Delivery, error) {
	dc := app.DeliveryConfig{Workers: o.workers, TargetLimit: o.targetLimit, MaxAttempts: 10, Deadline: 24 * time.Hour, AttemptTimeout: 10 * time.Second,
		FetchPoll: o.poll, Sweep: 30 * time.Second, Retention: 30 * 24 * time.Hour, AllowLocal: true,
		BaseURL: benchBaseURL, UserAgent: "glint-bench", Overrides: e.overrides}
	return app.StartDelivery(ctx, e.cfg, e.st, e.keys, dc, e.log, prometheus.NewRegistry())
}

func stopDelivery(dl *app.Delivery) error {
	ctx, cancel := context.WithTimeout(context.Background(), serveShutdown)
	defer cancel()
	return dl.Stop(ctx)
}

// measureIntake loads glint's intake as served, the delivery half
// running, and then waits for every accepted event to be delivered.
func (e *glintEnv) measureIntake(ctx context.Context, o deliveryOptions, push []byte, progress func(string, ...any)) (s sample, err error) {
	awaitQuiet(ctx)
	dl, err := e.startDelivery(ctx, o)
	if err != nil {
		return s, err
	}
	defer func() { err = errors.Join(err, stopDelivery(dl)) }()
	base, closeSrv, err := e.serve(dl.Pipeline)
	if err != nil {
		return s, err
	}
	t := target{Name: e.name + " intake", method: http.MethodPost, url: base + e.hook, bodies: [][]byte{push}}
	progress("%s: warmup %s, measuring %s", t.Name, o.warmup, o.duration)
	load(ctx, e.hooks, t, o.concurrency, o.warmup)
	s = load(ctx, e.hooks, t, o.concurrency, o.duration)
	closeSrv()
	if err := ctx.Err(); err != nil {
		return s, err
	}
	progress("%s: %.0f events/s, p50 %.3f ms, p99 %.3f ms, %d errors", t.Name, s.ReqPerSec, s.P50Ms, s.P99Ms, s.Errors)
	start := time.Now()
	n, err := e.pending(ctx)
	if err != nil {
		return s, err
	}
	progress("%s: delivering the %d deliveries still pending", t.Name, n)
	for n > 0 {
		if time.Since(start) > o.timeout {
			return s, fmt.Errorf("%d deliveries still pending after %s", n, o.timeout)
		}
		select {
		case <-ctx.Done():
			return s, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
		if n, err = e.pending(ctx); err != nil {
			return s, err
		}
	}
	progress("%s: backlog delivered in %.2fs", t.Name, time.Since(start).Seconds())
	return s, nil
}

func (e *glintEnv) pending(ctx context.Context) (int, error) {
	n, _, err := e.st.PendingStats(ctx)
	return n, err
}

// measureDeliveries posts --events events to the intake while River's
// workers are stopped (timed: the intake alone), then starts the delivery
// half as serve does and times it until the sink has received every
// delivery.
func (e *glintEnv) measureDeliveries(ctx context.Context, o deliveryOptions, push []byte, sink *sink, progress func(string, ...any)) (preload, s sample, err error) {
	awaitQuiet(ctx)
	progress("%s deliveries: pre-loading %d events, workers stopped", e.name, o.events)
	posting, err := e.preload(ctx, o, push, []string{e.hook})
	if err != nil {
		return preload, s, err
	}
	preload = sample{Requests: o.events, ReqPerSec: float64(o.events) / posting.Seconds()}
	if n, err := e.pending(ctx); err != nil || n != o.events {
		return preload, s, errors.Join(err, fmt.Errorf("%d deliveries pending after pre-loading %d events", n, o.events))
	}
	progress("%s deliveries: pre-loaded at %.0f events/s", e.name, preload.ReqPerSec)
	awaitQuiet(ctx)
	arrived := sink.expect(o.events)
	start := time.Now()
	dl, err := e.startDelivery(ctx, o)
	if err != nil {
		return preload, s, err
	}
	var end time.Time
	select {
	case end = <-arrived:
	case <-time.After(o.timeout):
		err = fmt.Errorf("not all of %d deliveries received within %s", o.events, o.timeout)
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err := errors.Join(err, stopDelivery(dl)); err != nil {
		return preload, s, err
	}
	elapsed := end.Sub(start)
	s = sample{Requests: o.events, ReqPerSec: float64(o.events) / elapsed.Seconds()}
	progress("%s deliveries: %d in %.2fs, %.0f deliveries/s, at most %d at once at the target", e.name, o.events, elapsed.Seconds(), s.ReqPerSec, sink.mostAtOnce())
	return preload, s, nil
}

// preload posts --events events to glint's intake with a queue that is
// never started: each accepted event's job waits in River. It returns how
// long the posting took.
func (e *glintEnv) preload(ctx context.Context, o deliveryOptions, push []byte, hooks []string) (time.Duration, error) {
	db, err := openRiverDB(ctx, e.cfg, e.cfg.SQLitePath())
	if err != nil {
		return 0, err
	}
	defer db.close()
	d := delivery.NewDeliverer(e.st, e.keys, nil, delivery.Config{}, e.log, nil)
	qc := delivery.QueueConfig{Logger: e.log}
	var q *delivery.Queue
	if db.pool != nil {
		q, err = delivery.NewPostgresQueue(ctx, db.pool, d, qc)
	} else {
		q, err = delivery.NewSQLiteQueue(ctx, db.sql, d, qc)
	}
	if err != nil {
		return 0, err
	}
	base, closeSrv, err := e.serve(delivery.NewPipeline(e.st, q, d))
	if err != nil {
		return 0, err
	}
	defer closeSrv()
	t := target{method: http.MethodPost, bodies: [][]byte{push}}
	for _, h := range hooks {
		t.urls = append(t.urls, base+h)
	}
	start := time.Now()
	err = postN(ctx, e.hooks, t, o.concurrency, o.events)
	return time.Since(start), err
}

// measureRiver is the delivery baseline: River alone on the same kind of
// database (a fresh SQLite file, or its own PostgreSQL schema), working
// --events no-op jobs inserted beforehand, with glint's River settings.
func (e *glintEnv) measureRiver(ctx context.Context, o deliveryOptions, progress func(string, ...any)) (sample, error) {
	dir, err := os.MkdirTemp(e.cfg.DataDir, "river-") // SQLite's file, unused on PostgreSQL
	if err != nil {
		return sample{}, err
	}
	defer os.RemoveAll(dir)
	db, err := openRiverDB(ctx, e.cfg, filepath.Join(dir, "river.db"))
	if err != nil {
		return sample{}, err
	}
	defer db.close()
	awaitQuiet(ctx)
	progress("%s River alone: %d no-op jobs", e.name, o.events)
	var s sample
	if db.pool != nil {
		reset := `DROP SCHEMA IF EXISTS ` + riverSchema + ` CASCADE; CREATE SCHEMA ` + riverSchema
		if _, err := db.pool.Exec(ctx, reset); err != nil {
			return sample{}, err
		}
		defer db.pool.Exec(context.WithoutCancel(ctx), `DROP SCHEMA `+riverSchema+` CASCADE`) //nolint:errcheck
		s, err = runRiver(ctx, riverpgxv5.New(db.pool), riverSchema, e.log, o)
	} else {
		s, err = runRiver(ctx, riversqlite.New(db.sql), "", e.log, o)
	}
	if err != nil {
		return sample{}, err
	}
	progress("%s River alone: %.0f jobs/s", e.name, s.ReqPerSec)
	return s, nil
}

// riverDB is a database handle for River, as app.StartDelivery opens it:
// a pgx pool on PostgreSQL, one connection on SQLite.
type riverDB struct {
	pool *pgxpool.Pool
	sql  *sql.DB
}

func openRiverDB(ctx context.Context, cfg app.Config, sqlitePath string) (riverDB, error) {
	if cfg.Database != "" {
		pcfg, err := pgxpool.ParseConfig(cfg.Database)
		if err != nil {
			return riverDB{}, err
		}
		pcfg.MaxConns = int32(max(cfg.PoolSize/2, 4))
		pool, err := pgxpool.NewWithConfig(ctx, pcfg)
		return riverDB{pool: pool}, err
	}
	db, err := sql.Open("sqlite", sqlstore.SQLiteDSN(sqlitePath))
	if err != nil {
		return riverDB{}, err
	}
	db.SetMaxOpenConns(1)
	return riverDB{sql: db}, nil
}

func (db riverDB) close() {
	if db.pool != nil {
		db.pool.Close()
	} else {
		db.sql.Close()
	}
}

// noopArgs is River alone's job, the size of glint's.
type noopArgs struct {
	ID int64 `json:"id"`
}

func (noopArgs) Kind() string { return "bench_noop" }

// runRiver migrates River into schema, inserts --events no-op jobs, then
// starts --workers workers and times them until every job has been worked.
func runRiver[TTx any](ctx context.Context, driver riverdriver.Driver[TTx], schema string, log *slog.Logger, o deliveryOptions) (sample, error) {
	m, err := rivermigrate.New(driver, &rivermigrate.Config{Schema: schema, Logger: log})
	if err != nil {
		return sample{}, err
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return sample{}, err
	}
	var worked atomic.Int64
	done := make(chan time.Time, 1)
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(context.Context, *river.Job[noopArgs]) error {
		if worked.Add(1) == int64(o.events) {
			done <- time.Now()
		}
		return nil
	}))
	client, err := river.NewClient(driver, &river.Config{
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: o.workers}},
		Workers:           workers,
		FetchPollInterval: o.poll,
		FetchCooldown:     riverFetchCooldown,
		Logger:            log,
		Schema:            schema,
	})
	if err != nil {
		return sample{}, err
	}
	params := make([]river.InsertManyParams, o.events)
	for i := range params {
		params[i] = river.InsertManyParams{Args: noopArgs{ID: int64(i + 1)}}
	}
	if _, err := client.InsertMany(ctx, params); err != nil {
		return sample{}, err
	}
	start := time.Now()
	if err := client.Start(ctx); err != nil {
		return sample{}, err
	}
	var end time.Time
	select {
	case end = <-done:
	case <-time.After(o.timeout):
		err = fmt.Errorf("%d of %d jobs worked within %s", worked.Load(), o.events, o.timeout)
	case <-ctx.Done():
		err = ctx.Err()
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), serveShutdown)
	defer cancel()
	if err := errors.Join(err, client.Stop(sctx)); err != nil {
		return sample{}, err
	}
	return sample{Requests: o.events, ReqPerSec: float64(o.events) / end.Sub(start).Seconds()}, nil
}

// sink is the Slack webhook on 127.0.0.1: it answers 200 "ok" to every
// request (after --sink-latency), counts them, and keeps the first body.
type sink struct {
	srv     *httptest.Server
	latency time.Duration // each answer's delay
	mu      sync.Mutex
	count   int
	want    int
	done    chan time.Time
	first   []byte
	marks   *markSet // if set, the markers seen (the latency measure)
	// held counts the requests being answered, and the most at once since
	// the last expect: the concurrency glint reached.
	held atOnce
}

// atOnce counts the requests a stand-in target is answering, and the
// most at once.
type atOnce struct {
	mu        sync.Mutex
	now, most int
}

// enter counts a request in; the function it returns counts it out.
func (a *atOnce) enter() (leave func()) {
	a.mu.Lock()
	a.now++
	a.most = max(a.most, a.now)
	a.mu.Unlock()
	return func() { a.mu.Lock(); a.now--; a.mu.Unlock() }
}

// current is the requests being answered; peak the most at once.
func (a *atOnce) current() int { a.mu.Lock(); defer a.mu.Unlock(); return a.now }
func (a *atOnce) peak() int    { a.mu.Lock(); defer a.mu.Unlock(); return a.most }

// restart makes the most at once the requests being answered now.
func (a *atOnce) restart() { a.mu.Lock(); a.most = a.now; a.mu.Unlock() }

func newSink(latency time.Duration) *sink {
	s := &sink{latency: latency}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		if s.first == nil {
			s.first = body
		}
		now := time.Now()
		leave := s.held.enter()
		s.count++
		if s.count == s.want {
			s.done <- now
		}
		marks := s.marks
		s.mu.Unlock()
		if marks != nil {
			marks.add(body, now)
		}
		if s.latency > 0 {
			time.Sleep(s.latency) // the request counts as received; the answer takes this long
		}
		leave()
		_, _ = io.WriteString(w, "ok")
	}))
	return s
}

// expect restarts the count; the channel gets the time the n-th request
// from now arrived.
func (s *sink) expect(n int) <-chan time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.count, s.want, s.done = 0, n, make(chan time.Time, 1)
	s.held.restart()
	return s.done
}

// mostAtOnce is the most requests answered at once since the last expect.
func (s *sink) mostAtOnce() int { return s.held.peak() }

// firstBody is the first delivery received: the network ceiling posts it.
// received is the count of requests since the last expect.
func (s *sink) received() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count
}

func (s *sink) firstBody() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.first
}

// gitlabHeaders makes each request a GitLab push hook carrying the intake
// secret and an X-Gitlab-Event-UUID of its own, so that none is ignored
// as a duplicate.
type gitlabHeaders struct {
	base  http.RoundTripper
	token string
	seq   *atomic.Uint64
}

func (g gitlabHeaders) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Del("PRIVATE-TOKEN")
	r.Header.Set("X-Gitlab-Event", "Push Hook")
	r.Header.Set("X-Gitlab-Token", g.token)
	r.Header.Set("X-Gitlab-Event-UUID", fmt.Sprintf("00000000-0000-4000-8000-%012x", g.seq.Add(1)))
	return g.base.RoundTrip(r)
}

// postN sends target's requests 0 to n-1 from workers goroutines; any
// failure is an error.
func postN(ctx context.Context, client *http.Client, t target, workers, n int) error {
	var next atomic.Int64
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n && ctx.Err() == nil; i = int(next.Add(1)) - 1 {
				if _, err := do(client, t, i); err != nil {
					errs[w] = err
					return
				}
			}
		})
	}
	wg.Wait()
	return errors.Join(ctx.Err(), errors.Join(errs...))
}
