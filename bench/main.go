// Command bench measures glint's throughput, start-up and memory under load.
//
//	go run ./bench all --admin-database postgres://... [--runs 3] [--duration 3s] [--warmup 1s]
//	                   [--events 1000] [--out-dir bench/out] [--report bench/out/report.md]
//	go run ./bench api [--concurrency 16] [--duration 5s] [--warmup 1s] [--runs 3]
//	                   [--database postgres://... [--nodes N]] [--compare --admin-database postgres://...]
//	                   [--out bench/out/api.json]
//	go run ./bench delivery [--concurrency 16] [--duration 5s] [--warmup 1s] [--runs 3]
//	                   [--events 2000] [--workers 16] [--queue-poll 200ms] [--timeout 2m]
//	                   [--database postgres://... | --admin-database postgres://...]
//	                   [--latency-duration 10s] [--latency-polls 200ms,20ms] [--latency-rate 0]
//	                   [--scale 1000,10000,100000] [--scale-max-create 1m]
//	                   [--memory-in-flight 1000] [--memory-events 4000] [--memory-hold 5s]
//	                   [--memory-timeout 5m] [--only intake,deliveries,...,memory]
//	                   [--out bench/out/delivery.json]
//	go run ./bench startup [--runs 5] [--load 3s] [--concurrency 16]
//	                   [--admin-database postgres://...] [--out bench/out/startup.json]
//	go run ./bench profile [--duration 5s] [--warmup 1s] [--concurrency 16] [--targets get,put,intake]
//	                   [--nodecount 15] [--admin-database postgres://...] [--out-dir bench/out]
//
// all runs api --compare, delivery, startup and profile in turn with
// shared settings, and writes their tables as one Markdown report headed
// by the machine and the revision (also printed), besides each one's JSON.
//
// The api benchmark starts glint in this process on 127.0.0.1 (SQLite in
// a temporary directory, or the given empty PostgreSQL database),
// bootstraps root, creates a project and configures its Slack service.
// With --nodes N (PostgreSQL only) it starts N glint servers on the same
// database, each with its own data directory (holding the same secret
// key), store pool and API handler, as separate nodes would have, and
// spreads the load round-robin over them, request by request. Beside
// them, a bare net/http handler answers the same bytes as glint's GET:
// the ceiling. Each target then gets a closed-loop load of --concurrency
// workers for --duration after --warmup, --runs times, the targets taking
// turns within each run; the median of each figure is printed as a
// Markdown table and written as JSON to --out, with the cores busy on
// average meanwhile, in this process and on the whole machine. Client and
// servers share this process and its CPUs.
//
// With --compare, one run measures glint on SQLite, on PostgreSQL with one
// node, and on PostgreSQL with max(--nodes, 2) nodes, each PostgreSQL
// set-up on an empty database of its own, created through
// --admin-database (a role that may create databases; default --database)
// and dropped at the end. Every figure is also given as a ratio to the
// same load against SQLite.
//
// The delivery benchmark runs on SQLite in a temporary directory and, given
// --database (an empty PostgreSQL database) or --admin-database (to create
// one, dropped at the end), on PostgreSQL too. glint is set up as for api,
// plus a Slack service posting to a sink (an httptest server on 127.0.0.1
// answering 200), an intake secret, and local targets allowed. Each run
// measures, per database:
//
//   - intake: GitLab push events posted to /hooks/gitlab/:id (each with an
//     X-Gitlab-Event-UUID of its own) and answered 202 after their commit,
//     closed-loop as for api, with the delivery half running as serve runs
//     it; then it waits until every accepted event has been delivered.
//     Baseline: a bare handler that reads the body and answers 202.
//
//   - deliveries: --events events posted to the intake while River's
//     workers are stopped, then app.StartDelivery timed until the sink has
//     received every delivery (deliveries/s); the posting is timed too,
//     as the intake with the workers stopped. Baselines: River alone on
//     the same kind of database (a fresh SQLite file, or its own
//     PostgreSQL schema) with a no-op worker, the same worker count and
//     fetch poll, working as many jobs inserted beforehand (jobs/s); and
//     the network, a closed loop of POSTs of one delivery's body to the
//     sink from --concurrency clients (posts/s).
//
//   - fan-out: as deliveries, with 1, 4 and 16 active services on one
//     project: Slack; + Mattermost, Microsoft Teams, Hangouts Chat; +
//     HipChat, Flowdock, Pushover, Bamboo, Buildkite, Drone CI, TeamCity,
//     Jenkins, Jenkins (deprecated), Packagist, Assembla, PivotalTracker
//     (fanoutServices). Each reaches the sink by its URL setting or, for
//     a fixed host, an endpoint override. One event is delivered first
//     to count the requests it makes (some services send one per
//     commit); the measure then waits for --events times that many.
//     The projects and services are created through the store
//     (settings.Apply, as the API does). Baseline: River alone's jobs/s.
//
// The table gives each measure's median over --runs for glint and its
// baseline, and their ratio (glint / baseline); the JSON has every run.
// The fan-out table follows (medians), then, after the runs, each
// measured --runs times and reported as medians too:
//
//   - latency: the delivery half running with each of --latency-polls as
//     its queue poll, events posted open loop (a time.Ticker, one
//     goroutine per event) at --latency-rate events/s (by default half
//     the 1-service fan-out deliveries/s) for
//     --latency-duration, each with an after SHA of its own that the
//     Slack message carries to the sink; per event, the time from the
//     intake's 202 to the sink's receiving it (0 if the delivery arrived
//     before the client read the 202). p50, p99 and max (each the
//     median over the runs; sent and received are summed).
//   - scale: projects with Slack active created through the store, 16 at
//     a time, up to each of --scale, then the intake measure above
//     against the last one created, --runs times. Baseline: the intake
//     measure (1 project, in the first run). A count whose creation is
//     projected, from the rate so far, to take longer than
//     --scale-max-create is reported as not measured.
//   - memory (SQLite; memory.go): glint built once (go build ./cmd/glint,
//     without -race) and exec'd as `glint serve --allow-local-requests
//     --delivery-workers N --delivery-target-limit N` (N:
//     --memory-in-flight) on a fresh data directory, a project's Slack
//     service posting to a sink that holds each request --memory-hold
//     then answers 200 "ok"; --memory-events push events posted to the
//     intake. The process's VmRSS is sampled every 100 ms from the first
//     post until every event has reached the sink: the peak, the RSS of
//     the sample that saw the sink hold the most requests, the most the
//     sink held at once, VmHWM at the end; then SIGTERM, exit 0 expected.
//     Baseline: the same without --delivery-workers (serve's default
//     workers). The main table gets the peak RSS row; the JSON's
//     "memory" every figure.
//
// The startup benchmark builds glint (go build ./cmd/glint) and a trivial
// Go server that answers /-/readiness at once (the baseline), then, --runs
// times each, execs `glint serve` on a fresh data directory, then again on
// that data directory (a restart: migrated, root created), likewise on a
// fresh PostgreSQL database given --admin-database, and the baseline. It
// measures the time from exec to the first 200 from /-/readiness, the
// resident memory (VmRSS of /proc/<pid>/status) 1 s after that, and the
// peak resident memory while a GET load as api's runs against the server
// for --load (glint: the project's Slack service, set up through the API
// first). It reports medians, minima and maxima, and glint's ratio to the
// baseline.
//
// The profile benchmark runs, for each of --targets, api's GET or PUT
// load or delivery's intake load against glint in this process on SQLite
// (and PostgreSQL, given --admin-database) for --duration under the CPU
// profiler (runtime/pprof), writes --out-dir/<target>[.postgres].cpu.pprof
// and prints `go tool pprof -top` of the whole process, how the samples
// split between the load generator (side=client), the server
// (side=server), the delivery workers (side=delivery) and the runtime
// (no label), the top of the server's samples alone, and a table of the
// CPU time of glint's parts (SQLite and its statement preparation, pgx,
// token authentication, JSON, the access log, River, ...) as shares of
// each side's samples. The profile sees this process only: the cores the
// machine had busy besides (PostgreSQL's server) are printed beside it.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/glint-dev/glint/internal/api"
	"github.com/glint-dev/glint/internal/app"
	"github.com/glint-dev/glint/internal/store"
)

func main() {
	commands := map[string]func(context.Context, []string) error{
		"all": runAll, "api": runAPI, "delivery": runDelivery, "startup": runStartup, "profile": runProfile,
	}
	var run func(context.Context, []string) error
	if len(os.Args) >= 2 {
		run = commands[os.Args[1]]
	}
	if run == nil {
		fmt.Fprintln(os.Stderr, "usage: go run ./bench all|api|delivery|startup|profile [flags]  (<command> -h lists the flags)")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[2:]); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type config struct {
	Database    string `json:"database"`
	Nodes       int    `json:"nodes,omitempty"`
	Concurrency int    `json:"concurrency"`
	Duration    string `json:"duration"`
	Warmup      string `json:"warmup"`
	Runs        int    `json:"runs"`
	GOMAXPROCS  int    `json:"gomaxprocs"`
	GoVersion   string `json:"go_version"`
}

// target is one kind of request under load.
type target struct {
	Name   string
	method string
	url    string
	urls   []string // if set, request i goes to urls[i%len(urls)] instead of url
	token  string   // sent as PRIVATE-TOKEN
	bodies [][]byte // request i sends bodies[i%len(bodies)]
}

func (t target) urlFor(i int) string {
	if len(t.urls) > 0 {
		return t.urls[i%len(t.urls)]
	}
	return t.url
}

// sample is one run's figures.
type sample struct {
	Requests  int     `json:"requests"`
	Errors    int     `json:"errors"`
	ReqPerSec float64 `json:"req_per_s"`
	P50Ms     float64 `json:"p50_ms"`
	P99Ms     float64 `json:"p99_ms"`
	// Cores busy on average during the run: this process (load generator
	// and in-process servers), the PostgreSQL backends serving the bench's
	// databases (glint_bench_*), and the whole machine. What the machine
	// had busy beyond the two is other load (a server under test in a
	// process of its own, or someone else's).
	SelfCores    float64 `json:"self_cores"`
	PGCores      float64 `json:"pg_cores"`
	MachineCores float64 `json:"machine_cores"`
}

// OtherCores is what the machine had busy besides this process and the
// bench's PostgreSQL backends.
func (s sample) OtherCores() float64 { return max(s.MachineCores-s.SelfCores-s.PGCores, 0) }

type result struct {
	Target    string   `json:"target"`
	ReqPerSec float64  `json:"req_per_s"` // medians over the runs
	P50Ms     float64  `json:"p50_ms"`
	P99Ms     float64  `json:"p99_ms"`
	Errors    int      `json:"errors"`     // total over the runs
	SelfCores float64  `json:"self_cores"` // medians over the runs
	PGCores   float64  `json:"pg_cores"`
	Other     float64  `json:"other_cores"`
	Ratio     float64  `json:"ratio_to_ceiling"`
	VsSQLite  *ratios  `json:"ratio_to_sqlite,omitempty"` // the same load against SQLite
	Runs      []sample `json:"runs"`
}

// ratios are a result's figures divided by its baseline's.
type ratios struct {
	ReqPerSec float64 `json:"req_per_s"`
	P50       float64 `json:"p50"`
	P99       float64 `json:"p99"`
}

// engine is one set-up the api benchmark loads: glint on nodes servers
// sharing one database.
type engine struct {
	cfg   app.Config
	nodes int
}

func runAPI(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("api", flag.ContinueOnError)
	database := fs.String("database", "", "an empty PostgreSQL database (postgres://...); default SQLite in a temp dir")
	adminDB := fs.String("admin-database", "", "PostgreSQL admin URL to create (and drop) the empty databases --compare needs; "+
		"without --compare and --database, the one PostgreSQL database measured")
	nodes := fs.Int("nodes", 1, "glint servers on the --database, the load spread round-robin (>1 needs PostgreSQL); with --compare, the many-node count (at least 2)")
	compare := fs.Bool("compare", false, "measure SQLite, PostgreSQL with 1 node and PostgreSQL with max(--nodes,2) nodes in one run, as ratios to SQLite")
	concurrency := fs.Int("concurrency", 16, "concurrent workers")
	duration := fs.Duration("duration", 5*time.Second, "measured time per run and target")
	warmup := fs.Duration("warmup", time.Second, "unmeasured load before each run")
	runs := fs.Int("runs", 3, "runs per target; the median is reported")
	out := fs.String("out", "bench/out/api.json", "JSON output file")
	quietFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *concurrency < 1 || *runs < 1 || *duration <= 0 || *nodes < 1 {
		return errors.New("--concurrency, --runs, --duration and --nodes must be positive")
	}

	tmp, err := os.MkdirTemp("", "glint-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	var admin *pgAdmin
	if *compare || (*database == "" && *adminDB != "") {
		url := *adminDB
		if url == "" {
			url = *database
		}
		if url == "" {
			return errors.New("--compare needs PostgreSQL: give --admin-database (a role that may create databases)")
		}
		if admin, err = newPGAdmin(ctx, url); err != nil {
			return fmt.Errorf("--admin-database: %w", err)
		}
		defer func() {
			if err := admin.dropAll(); err != nil {
				fmt.Fprintln(os.Stderr, "bench:", err)
			}
		}()
	}
	var engines []engine
	switch {
	case *compare:
		many := max(*nodes, 2)
		one, err := admin.create(ctx, "1node")
		if err != nil {
			return err
		}
		several, err := admin.create(ctx, fmt.Sprintf("%dnodes", many))
		if err != nil {
			return err
		}
		engines = []engine{
			{app.Config{DataDir: filepath.Join(tmp, "sqlite")}, 1},
			{app.Config{DataDir: filepath.Join(tmp, "pg1"), Database: one}, 1},
			{app.Config{DataDir: filepath.Join(tmp, "pgn"), Database: several}, many},
		}
	default:
		db := *database
		if db == "" && admin != nil {
			if db, err = admin.create(ctx, "api"); err != nil {
				return err
			}
		}
		if db == "" && *nodes > 1 {
			return errors.New("--nodes > 1 needs PostgreSQL: give --database (or --admin-database)")
		}
		engines = []engine{{app.Config{DataDir: tmp, Database: db}, *nodes}}
	}

	client := &http.Client{
		Transport: &http.Transport{MaxIdleConnsPerHost: *concurrency},
		Timeout:   30 * time.Second,
	}
	putBody := func(push bool) []byte {
		return fmt.Appendf(nil, `{"webhook":"https://hooks.slack.com/services/x","push_events":%t}`, push)
	}
	var targets []target
	var dbNames []string
	var ceilingBody []byte
	var ceilingToken string // sent as glint's GET sends it
	for _, eng := range engines {
		eng.cfg.PoolSize = 10 // serve's default --db-pool-size, per node
		c, err := startGlint(ctx, eng.cfg, eng.nodes)
		if err != nil {
			return err
		}
		defer c.close()
		label := c.dbName
		if c.dbName == "postgres" {
			label = fmt.Sprintf("PostgreSQL, %d node", len(c.urls))
			if len(c.urls) > 1 {
				label += "s"
			}
		} else if c.dbName == "sqlite" {
			label = "SQLite"
		}
		dbNames = append(dbNames, label)
		get := target{Name: "GET " + label, method: http.MethodGet, urls: c.urls, token: c.token}
		put := target{Name: "PUT " + label, method: http.MethodPut, urls: c.urls, token: c.token,
			bodies: [][]byte{putBody(true), putBody(false)}}
		if _, err := do(client, put, 0); err != nil {
			return fmt.Errorf("%s: configuring the slack service: %w", label, err)
		}
		for i := range c.urls { // every node answers
			body, err := do(client, get, i)
			if err != nil {
				return fmt.Errorf("%s: reading the slack service: %w", label, err)
			}
			if ceilingBody == nil {
				ceilingBody, ceilingToken = body, c.token
			}
		}
		targets = append(targets, get, put)
	}
	ceilingURL, closeCeiling, err := startCeiling(ceilingBody)
	if err != nil {
		return err
	}
	defer closeCeiling()
	targets = append(targets, target{Name: "GET ceiling (bare handler)", method: http.MethodGet, url: ceilingURL, token: ceilingToken})

	samples := make([][]sample, len(targets))
	for r := 1; r <= *runs; r++ {
		for i, t := range targets {
			awaitQuiet(ctx)
			fmt.Fprintf(os.Stderr, "run %d/%d %s: warmup %s, measuring %s\n", r, *runs, t.Name, *warmup, *duration)
			load(ctx, client, t, *concurrency, *warmup)
			s := load(ctx, client, t, *concurrency, *duration)
			if err := ctx.Err(); err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "run %d/%d %s: %.0f req/s, p50 %.3f ms, p99 %.3f ms, %d errors\n",
				r, *runs, t.Name, s.ReqPerSec, s.P50Ms, s.P99Ms, s.Errors)
			samples[i] = append(samples[i], s)
		}
	}

	results := make([]result, len(targets))
	for i, t := range targets {
		res := result{Target: t.Name, Runs: samples[i]}
		res.ReqPerSec = median(samples[i], func(s sample) float64 { return s.ReqPerSec })
		res.P50Ms = median(samples[i], func(s sample) float64 { return s.P50Ms })
		res.P99Ms = median(samples[i], func(s sample) float64 { return s.P99Ms })
		res.SelfCores = median(samples[i], func(s sample) float64 { return s.SelfCores })
		res.PGCores = median(samples[i], func(s sample) float64 { return s.PGCores })
		res.Other = median(samples[i], sample.OtherCores)
		for _, s := range samples[i] {
			res.Errors += s.Errors
		}
		results[i] = res
	}
	ceiling := results[len(results)-1].ReqPerSec
	for i := range results {
		if ceiling > 0 {
			results[i].Ratio = results[i].ReqPerSec / ceiling
		}
	}
	// The first engine's GET and PUT are SQLite's when comparing: every
	// engine's GET and PUT are divided by them.
	if *compare {
		for i := range len(targets) - 1 {
			base := results[i%2]
			results[i].VsSQLite = &ratios{
				ReqPerSec: div(results[i].ReqPerSec, base.ReqPerSec),
				P50:       div(results[i].P50Ms, base.P50Ms),
				P99:       div(results[i].P99Ms, base.P99Ms),
			}
		}
		fmt.Println("| target | req/s | p50 | p99 | req/s ÷ SQLite | p50 ÷ SQLite | p99 ÷ SQLite | req/s ÷ ceiling | cores: bench / PG / other | errors |")
		fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	} else {
		fmt.Println("| target | req/s | p50 | p99 | req/s ÷ ceiling | cores: bench / PG / other | errors |")
		fmt.Println("|---|---:|---:|---:|---:|---:|---:|")
	}
	for _, r := range results {
		fmt.Printf("| %s | %.0f | %.3f ms | %.3f ms |", r.Target, r.ReqPerSec, r.P50Ms, r.P99Ms)
		if *compare {
			if v := r.VsSQLite; v != nil {
				fmt.Printf(" %.3f | %.3f | %.3f |", v.ReqPerSec, v.P50, v.P99)
			} else {
				fmt.Print(" | | |")
			}
		}
		fmt.Printf(" %.3f | %.2f / %.2f / %.2f | %d |\n", r.Ratio, r.SelfCores, r.PGCores, r.Other, r.Errors)
	}

	report := struct {
		Config  config   `json:"config"`
		Results []result `json:"results"`
	}{
		Config: config{Database: strings.Join(dbNames, "; "), Nodes: *nodes, Concurrency: *concurrency, Duration: duration.String(),
			Warmup: warmup.String(), Runs: *runs, GOMAXPROCS: runtime.GOMAXPROCS(0), GoVersion: runtime.Version()},
		Results: results,
	}
	return writeJSON(*out, report)
}

func div(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// writeJSON writes v, indented, to path, making its directory.
func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

// cluster is glint serving one database from one or more nodes.
type cluster struct {
	urls    []string // the project's Slack service, on each node
	token   string   // root's
	dbName  string   // the database kind
	closers []func()
}

func (c *cluster) close() {
	for _, f := range slices.Backward(c.closers) {
		f()
	}
}

// startGlint opens the store, bootstraps root, creates a project and
// serves glint on 127.0.0.1, from nodes servers. Node 1 lives in
// cfg.DataDir; node k > 1 in cfg.DataDir/node<k> with a copy of node 1's
// secret key (every node of a cluster needs the same key), and has a
// store pool and an API handler of its own.
func startGlint(ctx context.Context, cfg app.Config, nodes int) (_ *cluster, err error) {
	c := &cluster{}
	defer func() {
		if err != nil {
			c.close()
		}
	}()
	var project int64
	for n := 1; n <= nodes; n++ {
		ncfg := cfg
		if n > 1 {
			ncfg.DataDir = filepath.Join(cfg.DataDir, fmt.Sprintf("node%d", n))
			if err := copyFile(cfg.KeyFile(), ncfg.KeyFile()); err != nil {
				return nil, err
			}
		}
		st, err := app.OpenStore(ctx, ncfg)
		if err != nil {
			return nil, err
		}
		c.closers = append(c.closers, func() { st.Close() })
		keys, err := app.LoadKeys(ctx, ncfg, st)
		if err != nil {
			return nil, err
		}
		if n == 1 {
			c.dbName = st.DialectName()
			if c.token, err = app.Bootstrap(ctx, ncfg, st); err != nil {
				return nil, err
			}
			if c.token == "" {
				return nil, errors.New("the database already has users: give an empty database")
			}
			root, err := st.UserByUsername(ctx, "root")
			if err != nil {
				return nil, err
			}
			p := &store.Project{Name: "bench", Path: "bench", NamespaceID: root.NamespaceID, CreatorID: root.ID}
			if err := st.CreateProject(ctx, p); err != nil {
				return nil, err
			}
			project = p.ID
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		// The access log is formatted as serve's default (JSON), then discarded.
		log := slog.New(slog.NewJSONHandler(io.Discard, nil))
		base := "http://" + ln.Addr().String()
		srv := &http.Server{
			Handler:           api.New(api.Options{Store: st, Sealer: keys, Logger: log, BaseURL: base}),
			ReadHeaderTimeout: 10 * time.Second,
		}
		serveLabeled(srv, ln, "server")
		c.closers = append(c.closers, func() { srv.Close() })
		c.urls = append(c.urls, fmt.Sprintf("%s/api/v4/projects/%d/services/slack", base, project))
	}
	return c, nil
}

// copyFile copies src to dst (mode 0600), making dst's directory.
func copyFile(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	return os.WriteFile(dst, data, 0o600)
}

// serveLabeled serves srv on ln from a goroutine labeled side=side. The
// goroutines serving its connections inherit the label, and CPU profiles
// record it: bench profile splits the samples by it.
func serveLabeled(srv *http.Server, ln net.Listener, side string) {
	go pprof.Do(context.Background(), pprof.Labels("side", side), func(context.Context) { _ = srv.Serve(ln) })
}

// startCeiling serves body to every request on 127.0.0.1.
func startCeiling(body []byte) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(body)
		}),
		ReadHeaderTimeout: 10 * time.Second,
	}
	serveLabeled(srv, ln, "server")
	return "http://" + ln.Addr().String() + "/api/v4/projects/1/services/slack", func() { srv.Close() }, nil
}

// do sends target's i-th request and returns the body; a non-2xx answer is
// an error.
func do(client *http.Client, t target, i int) ([]byte, error) {
	var body io.Reader
	if len(t.bodies) > 0 {
		body = bytes.NewReader(t.bodies[i%len(t.bodies)])
	}
	req, err := http.NewRequest(t.method, t.urlFor(i), body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("PRIVATE-TOKEN", t.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body) // read to the end so the connection is reused
	if err == nil && (resp.StatusCode < 200 || resp.StatusCode > 299) {
		err = fmt.Errorf("%s: %s", resp.Status, bytes.TrimSpace(data))
	}
	return data, err
}

// load runs workers closed-loop against t for d: each sends its next
// request when the previous one is answered. Every latency is recorded;
// req/s counts 2xx answers. The workers' goroutines are labeled
// side=client for CPU profiles.
func load(ctx context.Context, client *http.Client, t target, workers int, d time.Duration) sample {
	lats := make([][]time.Duration, workers)
	errs := make([]int, workers)
	var wg sync.WaitGroup
	cpu0 := readCPU()
	start := time.Now()
	end := start.Add(d)
	for w := range workers {
		wg.Go(func() {
			pprof.Do(ctx, pprof.Labels("side", "client"), func(context.Context) {
				lats[w] = make([]time.Duration, 0, 1<<14)
				for i := w; time.Now().Before(end) && ctx.Err() == nil; i++ {
					t0 := time.Now()
					_, err := do(client, t, i)
					lats[w] = append(lats[w], time.Since(t0))
					if err != nil {
						errs[w]++
					}
				}
			})
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu := readCPU().since(cpu0)

	all := slices.Concat(lats...)
	slices.Sort(all)
	s := sample{Requests: len(all)}
	for _, e := range errs {
		s.Errors += e
	}
	s.ReqPerSec = float64(s.Requests-s.Errors) / elapsed.Seconds()
	s.P50Ms = ms(percentile(all, 50))
	s.P99Ms = ms(percentile(all, 99))
	s.SelfCores = cpu.self.Seconds() / elapsed.Seconds()
	s.PGCores = cpu.pgTotal().Seconds() / elapsed.Seconds()
	s.MachineCores = cpu.machine.Seconds() / elapsed.Seconds()
	return s
}

// quietWait is the longest awaitQuiet waits (every command's
// --quiet-wait).
var quietWait = 30 * time.Second

func quietFlag(fs *flag.FlagSet) {
	fs.DurationVar(&quietWait, "quiet-wait", quietWait, "before each measure, wait up to this long for the machine to be idle "+
		"(other processes' load distorts the figures; 0: don't wait)")
}

// awaitQuiet waits, up to quietWait, until the machine is nearly idle:
// under a quarter of a core busy over 300 ms, while the bench itself
// waits. It is best effort: the tables give the other load measured
// during each run.
func awaitQuiet(ctx context.Context) {
	start := time.Now()
	for time.Since(start) < quietWait && ctx.Err() == nil {
		c0, t0 := readCPU(), time.Now()
		time.Sleep(300 * time.Millisecond)
		if readCPU().since(c0).machine.Seconds()/time.Since(t0).Seconds() < 0.25 {
			if waited := time.Since(start); waited > time.Second {
				fmt.Fprintf(os.Stderr, "waited %.1fs for the machine to be idle\n", waited.Seconds())
			}
			return
		}
	}
	if quietWait > 0 {
		fmt.Fprintf(os.Stderr, "the machine is still busy after %s: measuring anyway\n", quietWait)
	}
}

// cpuTimes are CPU times consumed so far: by this process (getrusage);
// by each PostgreSQL backend connected to one of the bench's databases
// (utime+stime of /proc/<pid>/stat, for the processes whose title, in
// /proc/<pid>/cmdline, is "postgres: ... glint_bench_..."); and by the
// whole machine (/proc/stat: every state but idle and iowait). /proc
// counts in USER_HZ ticks of 10 ms. Each is zero where it cannot be read.
type cpuTimes struct {
	self, machine time.Duration
	pg            map[int]time.Duration
}

const userHZTick = 10 * time.Millisecond

func readCPU() cpuTimes {
	c := cpuTimes{pg: pgBackendCPU()}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		c.self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return c
	}
	line, _, _ := strings.Cut(string(data), "\n")
	fields := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal guest guest_nice
	if len(fields) < 9 || fields[0] != "cpu" {
		return c
	}
	var busy int64
	for i, f := range fields[1:9] {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return c
		}
		if i != 3 && i != 4 { // idle, iowait
			busy += n
		}
	}
	c.machine = time.Duration(busy) * userHZTick
	return c
}

// since is the CPU time consumed from old to c. A backend that started
// meanwhile counts from zero; one that ended meanwhile is lost.
func (c cpuTimes) since(old cpuTimes) cpuTimes {
	d := cpuTimes{self: c.self - old.self, machine: c.machine - old.machine, pg: map[int]time.Duration{}}
	for pid, t := range c.pg {
		d.pg[pid] = t - old.pg[pid]
	}
	return d
}

func (c cpuTimes) pgTotal() time.Duration {
	var t time.Duration
	for _, d := range c.pg {
		t += d
	}
	return t
}

// pgBackendCPU is the CPU time of each PostgreSQL backend serving a
// glint_bench_* database, by pid.
func pgBackendCPU() map[int]time.Duration {
	out := map[int]time.Duration{}
	dirs, err := os.ReadDir("/proc")
	if err != nil {
		return out
	}
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		title, err := os.ReadFile("/proc/" + d.Name() + "/cmdline")
		if err != nil || !bytes.HasPrefix(title, []byte("postgres: ")) || !bytes.Contains(title, []byte(" glint_bench_")) {
			continue
		}
		if t, err := procCPU(pid); err == nil {
			out[pid] = t
		}
	}
	return out
}

// procCPU is the CPU time process pid has consumed (utime+stime).
func procCPU(pid int) (time.Duration, error) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// pid (comm) state ppid ...: utime and stime are the 14th and 15th
	// fields, the 12th and 13th after the comm's ')'.
	var f []string
	if i := bytes.LastIndexByte(stat, ')'); i >= 0 {
		f = strings.Fields(string(stat[i+1:]))
	}
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("/proc/%d/stat: %w", pid, err)
	}
	return time.Duration(ut+st) * userHZTick, nil
}

// percentile is the nearest-rank percentile of sorted durations.
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p + 99) / 100
	return sorted[max(i-1, 0)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// median is the median of f over rows (0 for none).
func median[T any](rows []T, f func(T) float64) float64 {
	if len(rows) == 0 {
		return 0
	}
	v := make([]float64, len(rows))
	for i, r := range rows {
		v[i] = f(r)
	}
	slices.Sort(v)
	if n := len(v); n%2 == 0 {
		return (v[n/2-1] + v[n/2]) / 2
	}
	return v[len(v)/2]
}
