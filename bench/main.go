// Command bench measures glint's throughput under load.
//
//	go run ./bench api [--concurrency 16] [--duration 5s] [--warmup 1s] [--runs 3]
//	                   [--database postgres://...] [--out bench/out/api.json]
//	go run ./bench delivery [--concurrency 16] [--duration 5s] [--warmup 1s] [--runs 3]
//	                   [--events 2000] [--workers 16] [--queue-poll 200ms] [--timeout 2m]
//	                   [--database postgres://...] [--out bench/out/delivery.json]
//
// The api benchmark starts a glint server in this process on 127.0.0.1
// (SQLite in a temporary directory, or the given empty PostgreSQL
// database), bootstraps root, creates a project and configures its Slack
// service. Beside it, a bare net/http handler answers the same bytes as
// glint's GET: the ceiling. Each target then gets a closed-loop load of
// --concurrency workers for --duration after --warmup, --runs times; the
// median of each figure is printed as a Markdown table and written as JSON
// to --out. Client and server share this process and its CPUs.
//
// The delivery benchmark runs on SQLite in a temporary directory and, given
// --database (an empty PostgreSQL database), on PostgreSQL too. glint is
// set up as for api, plus a Slack service posting to a sink (an httptest
// server on 127.0.0.1 answering 200), an intake secret, and local targets
// allowed. Each run measures, per database:
//
//   - intake: GitLab push events posted to /hooks/gitlab/:id (each with an
//     X-Gitlab-Event-UUID of its own) and answered 202 after their commit,
//     closed-loop as for api, with the delivery half running as serve runs
//     it; then it waits until every accepted event has been delivered.
//     Baseline: a bare handler that reads the body and answers 202.
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
// The table gives each measure's median over --runs for glint and its
// baseline, and their ratio (glint / baseline); the JSON has every run.
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
	"slices"
	"sync"
	"time"

	"github.com/glint-dev/glint/internal/api"
	"github.com/glint-dev/glint/internal/app"
	"github.com/glint-dev/glint/internal/store"
)

func main() {
	commands := map[string]func(context.Context, []string) error{"api": runAPI, "delivery": runDelivery}
	var run func(context.Context, []string) error
	if len(os.Args) >= 2 {
		run = commands[os.Args[1]]
	}
	if run == nil {
		fmt.Fprintln(os.Stderr, "usage: go run ./bench api|delivery [flags]  (api -h, delivery -h list the flags)")
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
	token  string   // sent as PRIVATE-TOKEN
	bodies [][]byte // request i sends bodies[i%len(bodies)]
}

// sample is one run's figures.
type sample struct {
	Requests  int     `json:"requests"`
	Errors    int     `json:"errors"`
	ReqPerSec float64 `json:"req_per_s"`
	P50Ms     float64 `json:"p50_ms"`
	P99Ms     float64 `json:"p99_ms"`
}

type result struct {
	Target    string   `json:"target"`
	ReqPerSec float64  `json:"req_per_s"` // medians over the runs
	P50Ms     float64  `json:"p50_ms"`
	P99Ms     float64  `json:"p99_ms"`
	Errors    int      `json:"errors"` // total over the runs
	Ratio     float64  `json:"ratio_to_ceiling"`
	Runs      []sample `json:"runs"`
}

func runAPI(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("api", flag.ContinueOnError)
	database := fs.String("database", "", "an empty PostgreSQL database (postgres://...); default SQLite in a temp dir")
	concurrency := fs.Int("concurrency", 16, "concurrent workers")
	duration := fs.Duration("duration", 5*time.Second, "measured time per run and target")
	warmup := fs.Duration("warmup", time.Second, "unmeasured load before each run")
	runs := fs.Int("runs", 3, "runs per target; the median is reported")
	out := fs.String("out", "bench/out/api.json", "JSON output file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *concurrency < 1 || *runs < 1 || *duration <= 0 {
		return errors.New("--concurrency, --runs and --duration must be positive")
	}

	tmp, err := os.MkdirTemp("", "glint-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	cfg := app.Config{DataDir: tmp, Database: *database}
	glintURL, token, dbName, closeGlint, err := startGlint(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeGlint()

	client := &http.Client{
		Transport: &http.Transport{MaxIdleConnsPerHost: *concurrency},
		Timeout:   30 * time.Second,
	}
	putBody := func(push bool) []byte {
		return fmt.Appendf(nil, `{"webhook":"https://hooks.slack.com/services/x","push_events":%t}`, push)
	}
	get := target{Name: "GET glint", method: http.MethodGet, url: glintURL, token: token}
	put := target{Name: "PUT glint", method: http.MethodPut, url: glintURL, token: token,
		bodies: [][]byte{putBody(true), putBody(false)}}
	if _, err := do(client, put, 0); err != nil {
		return fmt.Errorf("configuring the slack service: %w", err)
	}
	body, err := do(client, get, 0)
	if err != nil {
		return fmt.Errorf("reading the slack service: %w", err)
	}
	ceilingURL, closeCeiling, err := startCeiling(body)
	if err != nil {
		return err
	}
	defer closeCeiling()
	targets := []target{get, put, {Name: "GET ceiling", method: http.MethodGet, url: ceilingURL, token: token}}

	samples := make([][]sample, len(targets))
	for r := 1; r <= *runs; r++ {
		for i, t := range targets {
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
		for _, s := range samples[i] {
			res.Errors += s.Errors
		}
		results[i] = res
	}
	ceiling := results[len(results)-1].ReqPerSec
	fmt.Println("| target | req/s | p50 | p99 | ratio to ceiling | errors |")
	fmt.Println("|---|---:|---:|---:|---:|---:|")
	for i := range results {
		if ceiling > 0 {
			results[i].Ratio = results[i].ReqPerSec / ceiling
		}
		r := results[i]
		fmt.Printf("| %s | %.0f | %.3f ms | %.3f ms | %.3f | %d |\n", r.Target, r.ReqPerSec, r.P50Ms, r.P99Ms, r.Ratio, r.Errors)
	}

	report := struct {
		Config  config   `json:"config"`
		Results []result `json:"results"`
	}{
		Config: config{Database: dbName, Concurrency: *concurrency, Duration: duration.String(), Warmup: warmup.String(),
			Runs: *runs, GOMAXPROCS: runtime.GOMAXPROCS(0), GoVersion: runtime.Version()},
		Results: results,
	}
	data, err := json.MarshalIndent(report, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
		return err
	}
	return os.WriteFile(*out, append(data, '\n'), 0o644)
}

// startGlint opens the store, bootstraps root, creates a project and
// serves glint on 127.0.0.1. It returns the URL of the project's Slack
// service, root's token, the database kind, and a closer.
func startGlint(ctx context.Context, cfg app.Config) (url, token, dbName string, closer func(), err error) {
	st, err := app.OpenStore(ctx, cfg)
	if err != nil {
		return "", "", "", nil, err
	}
	fail := func(err error) (string, string, string, func(), error) { st.Close(); return "", "", "", nil, err }
	keys, err := app.LoadKeys(ctx, cfg, st)
	if err != nil {
		return fail(err)
	}
	token, err = app.Bootstrap(ctx, cfg, st)
	if err != nil {
		return fail(err)
	}
	if token == "" {
		return fail(errors.New("the database already has users: give an empty database"))
	}
	root, err := st.UserByUsername(ctx, "root")
	if err != nil {
		return fail(err)
	}
	p := &store.Project{Name: "bench", Path: "bench", NamespaceID: root.NamespaceID, CreatorID: root.ID}
	if err := st.CreateProject(ctx, p); err != nil {
		return fail(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fail(err)
	}
	// The access log is formatted as serve's default (JSON), then discarded.
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	base := "http://" + ln.Addr().String()
	srv := &http.Server{
		Handler:           api.New(api.Options{Store: st, Sealer: keys, Logger: log, BaseURL: base}),
		ReadHeaderTimeout: 10 * time.Second,
	}
	go srv.Serve(ln)
	url = fmt.Sprintf("%s/api/v4/projects/%d/services/slack", base, p.ID)
	return url, token, st.DialectName(), func() { srv.Close(); st.Close() }, nil
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
	go srv.Serve(ln)
	return "http://" + ln.Addr().String() + "/api/v4/projects/1/services/slack", func() { srv.Close() }, nil
}

// do sends target's i-th request and returns the body; a non-2xx answer is
// an error.
func do(client *http.Client, t target, i int) ([]byte, error) {
	var body io.Reader
	if len(t.bodies) > 0 {
		body = bytes.NewReader(t.bodies[i%len(t.bodies)])
	}
	req, err := http.NewRequest(t.method, t.url, body)
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
// req/s counts 2xx answers.
func load(ctx context.Context, client *http.Client, t target, workers int, d time.Duration) sample {
	lats := make([][]time.Duration, workers)
	errs := make([]int, workers)
	var wg sync.WaitGroup
	start := time.Now()
	end := start.Add(d)
	for w := range workers {
		wg.Go(func() {
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
	}
	wg.Wait()
	elapsed := time.Since(start)

	all := slices.Concat(lats...)
	slices.Sort(all)
	s := sample{Requests: len(all)}
	for _, e := range errs {
		s.Errors += e
	}
	s.ReqPerSec = float64(s.Requests-s.Errors) / elapsed.Seconds()
	s.P50Ms = ms(percentile(all, 50))
	s.P99Ms = ms(percentile(all, 99))
	return s
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

func median(samples []sample, f func(sample) float64) float64 {
	v := make([]float64, len(samples))
	for i, s := range samples {
		v[i] = f(s)
	}
	slices.Sort(v)
	if n := len(v); n%2 == 0 {
		return (v[n/2-1] + v[n/2]) / 2
	}
	return v[len(v)/2]
}
