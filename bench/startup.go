package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// readySource is the start-up baseline: a Go server that answers every
// request, /-/readiness included, with glint's readiness body as soon as
// it listens.
const readySource = `package main

import (
	"flag"
	"net"
	"net/http"
	"os"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:8080", "address to listen on")
	flag.Parse()
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(1)
	}
	body := []byte(` + "`" + `{"status":"ok","db_check":[{"status":"ok"}]}` + "`" + `)
	_ = http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
}
`

// startupRun is one process's figures.
type startupRun struct {
	StartupMs     float64 `json:"startup_ms"`     // exec to the first 200 from /-/readiness
	RSSIdleMB     float64 `json:"rss_idle_mb"`    // VmRSS 1 s after that
	SetupMs       float64 `json:"setup_ms"`       // creating the project and service through the API
	Loaded        bool    `json:"loaded"`         // whether a load ran
	RSSLoadMB     float64 `json:"rss_load_mb"`    // the highest VmRSS sampled under load
	LoadReqPerSec float64 `json:"load_req_per_s"` // the load's rate
	LoadErrors    int     `json:"load_errors"`
	ServerCores   float64 `json:"server_cores"` // cores the server process had busy under load
	BenchCores    float64 `json:"bench_cores"`  // and the load generator (this process)
	PGCores       float64 `json:"pg_cores"`     // and PostgreSQL's backends serving it
	OtherCores    float64 `json:"other_cores"`  // and the rest of the machine
	HWMMB         float64 `json:"rss_high_mb"`  // VmHWM at the end: the peak of the process's life
	ExitMs        float64 `json:"shutdown_ms"`  // SIGTERM to exit
}

// startupSubject is a process measured: how to exec it on a fresh state
// and what to load once it is up.
type startupSubject struct {
	Name string
	// start returns the command line for run r and its working directory.
	start func(ctx context.Context, r int, addr string) (args []string, dir string, err error)
	// target sets the server up through its API and returns the GET load.
	target func(base, dir string) (target, error)
	load   bool
}

type startupSummary struct {
	Subject     string       `json:"subject"`
	StartupMs   stats        `json:"startup_ms"`
	RSSIdleMB   stats        `json:"rss_idle_mb"`
	RSSLoadMB   *stats       `json:"rss_load_mb,omitempty"`
	LoadReqPerS *stats       `json:"load_req_per_s,omitempty"`
	ServerCores *stats       `json:"server_cores,omitempty"`
	OtherCores  *stats       `json:"other_cores,omitempty"`
	Runs        []startupRun `json:"runs"`
}

type stats struct {
	Median float64 `json:"median"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
}

func statsOf(runs []startupRun, f func(startupRun) float64) stats {
	v := make([]float64, len(runs))
	for i, r := range runs {
		v[i] = f(r)
	}
	slices.Sort(v)
	m := v[len(v)/2]
	if len(v)%2 == 0 {
		m = (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	return stats{Median: m, Min: v[0], Max: v[len(v)-1]}
}

func runStartup(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("startup", flag.ContinueOnError)
	runs := fs.Int("runs", 5, "start-ups per subject; median, min and max are reported")
	loadFor := fs.Duration("load", 3*time.Second, "GET load per run while the resident memory is sampled")
	concurrency := fs.Int("concurrency", 16, "concurrent workers of the load")
	adminDB := fs.String("admin-database", "", "also start glint on a fresh PostgreSQL database per run, created (and dropped) through this admin URL")
	out := fs.String("out", "bench/out/startup.json", "JSON output file")
	quietFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *runs < 1 || *loadFor <= 0 || *concurrency < 1 {
		return errors.New("--runs, --load and --concurrency must be positive")
	}
	if _, err := os.Stat("cmd/glint"); err != nil {
		return fmt.Errorf("%w (run the bench from the repository root)", err)
	}
	if _, err := os.Stat("/proc/self/status"); err != nil {
		return fmt.Errorf("resident memory is read from /proc: %w", err)
	}
	tmp, err := os.MkdirTemp("", "glint-bench-startup-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	glint := filepath.Join(tmp, "glint")
	fmt.Fprintln(os.Stderr, "building glint (go build -o", glint, "./cmd/glint)")
	if err := goBuild(ctx, ".", glint, "./cmd/glint", nil); err != nil {
		return err
	}
	readyDir := filepath.Join(tmp, "ready-src")
	if err := os.MkdirAll(readyDir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(readyDir, "main.go"), []byte(readySource), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(readyDir, "go.mod"), []byte("module ready\n\ngo 1.26\n"), 0o644); err != nil {
		return err
	}
	ready := filepath.Join(tmp, "ready")
	fmt.Fprintln(os.Stderr, "building the baseline (a Go server answering /-/readiness at once)")
	if err := goBuild(ctx, readyDir, ready, ".", []string{"GOWORK=off", "GOFLAGS="}); err != nil {
		return err
	}

	var admin *pgAdmin
	if *adminDB != "" {
		if admin, err = newPGAdmin(ctx, *adminDB); err != nil {
			return fmt.Errorf("--admin-database: %w", err)
		}
		defer func() {
			if err := admin.dropAll(); err != nil {
				fmt.Fprintln(os.Stderr, "bench:", err)
			}
		}()
	}
	runDir := func(kind string, r int) string { return filepath.Join(tmp, fmt.Sprintf("%s-%d", kind, r)) }
	glintTarget := func(base, dir string) (target, error) { return setUpGlint(base, dir, *concurrency) }
	subjects := []startupSubject{
		{Name: "glint serve, SQLite, fresh data dir", load: true, target: glintTarget,
			start: func(_ context.Context, r int, addr string) ([]string, string, error) {
				dir := runDir("sqlite", r)
				return []string{glint, "serve", "--data-dir", dir, "--listen", addr, "--database="}, dir, nil
			}},
		{Name: "glint serve, SQLite, restart (data dir of the run above)",
			start: func(_ context.Context, r int, addr string) ([]string, string, error) {
				dir := runDir("sqlite", r)
				return []string{glint, "serve", "--data-dir", dir, "--listen", addr, "--database="}, dir, nil
			}},
	}
	if admin != nil {
		pgDSN := map[int]string{} // run's database
		subjects = append(subjects, startupSubject{Name: "glint serve, PostgreSQL, fresh database and data dir", load: true, target: glintTarget,
			start: func(ctx context.Context, r int, addr string) ([]string, string, error) {
				dsn, err := admin.create(ctx, fmt.Sprintf("startup%d", r))
				if err != nil {
					return nil, "", err
				}
				pgDSN[r] = dsn
				dir := runDir("postgres", r)
				return []string{glint, "serve", "--data-dir", dir, "--listen", addr, "--database", dsn}, dir, nil
			}},
			startupSubject{Name: "glint serve, PostgreSQL, restart (database and data dir of the run above)",
				start: func(_ context.Context, r int, addr string) ([]string, string, error) {
					dir := runDir("postgres", r)
					return []string{glint, "serve", "--data-dir", dir, "--listen", addr, "--database", pgDSN[r]}, dir, nil
				}})
	}
	subjects = append(subjects, startupSubject{Name: "baseline: trivial Go server", load: true,
		start: func(_ context.Context, r int, addr string) ([]string, string, error) {
			return []string{ready, "--listen", addr}, runDir("ready", r), nil
		},
		target: func(base, _ string) (target, error) {
			return target{Name: "GET baseline", method: http.MethodGet, url: base + "/api/v4/projects/1/services/slack"}, nil
		}})

	results := make([][]startupRun, len(subjects))
	for r := 1; r <= *runs; r++ {
		for i, s := range subjects {
			awaitQuiet(ctx)
			res, err := measureStartup(ctx, s, r, *loadFor, *concurrency)
			if err != nil {
				return fmt.Errorf("%s, run %d: %w", s.Name, r, err)
			}
			fmt.Fprintf(os.Stderr, "run %d/%d %s: ready in %.1f ms, RSS idle %.1f MB", r, *runs, s.Name, res.StartupMs, res.RSSIdleMB)
			if res.Loaded {
				fmt.Fprintf(os.Stderr, ", under load %.1f MB (%.0f req/s, %d errors; cores: server %.2f, bench %.2f, PG %.2f, other %.2f)",
					res.RSSLoadMB, res.LoadReqPerSec, res.LoadErrors, res.ServerCores, res.BenchCores, res.PGCores, res.OtherCores)
			}
			fmt.Fprintf(os.Stderr, ", exit in %.0f ms\n", res.ExitMs)
			results[i] = append(results[i], res)
		}
		if admin != nil {
			if err := admin.dropAll(); err != nil {
				return err
			}
		}
	}

	summaries := make([]startupSummary, len(subjects))
	for i, s := range subjects {
		sum := startupSummary{Subject: s.Name, Runs: results[i],
			StartupMs: statsOf(results[i], func(r startupRun) float64 { return r.StartupMs }),
			RSSIdleMB: statsOf(results[i], func(r startupRun) float64 { return r.RSSIdleMB })}
		if s.load {
			l := statsOf(results[i], func(r startupRun) float64 { return r.RSSLoadMB })
			q := statsOf(results[i], func(r startupRun) float64 { return r.LoadReqPerSec })
			sc := statsOf(results[i], func(r startupRun) float64 { return r.ServerCores })
			oc := statsOf(results[i], func(r startupRun) float64 { return r.OtherCores })
			sum.RSSLoadMB, sum.LoadReqPerS, sum.ServerCores, sum.OtherCores = &l, &q, &sc, &oc
		}
		summaries[i] = sum
	}
	base := summaries[len(summaries)-1]
	fmt.Println("| process | start-up median (min–max) | ÷ baseline | RSS idle | ÷ baseline | RSS peak under GET load | ÷ baseline | load req/s | cores under load: server / other |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, s := range summaries {
		fmt.Printf("| %s | %.1f ms (%.1f–%.1f) | %.2f | %.1f MB | %.2f |", s.Subject, s.StartupMs.Median, s.StartupMs.Min, s.StartupMs.Max,
			div(s.StartupMs.Median, base.StartupMs.Median), s.RSSIdleMB.Median, div(s.RSSIdleMB.Median, base.RSSIdleMB.Median))
		if s.RSSLoadMB != nil {
			fmt.Printf(" %.1f MB | %.2f | %.0f | %.2f / %.2f |\n", s.RSSLoadMB.Median, div(s.RSSLoadMB.Median, base.RSSLoadMB.Median),
				s.LoadReqPerS.Median, s.ServerCores.Median, s.OtherCores.Median)
		} else {
			fmt.Println(" | | | |")
		}
	}
	report := struct {
		Config struct {
			Runs        int    `json:"runs"`
			Load        string `json:"load"`
			Concurrency int    `json:"concurrency"`
			GOMAXPROCS  int    `json:"gomaxprocs"`
			GoVersion   string `json:"go_version"`
		} `json:"config"`
		Results []startupSummary `json:"results"`
	}{Results: summaries}
	report.Config.Runs, report.Config.Load, report.Config.Concurrency = *runs, loadFor.String(), *concurrency
	report.Config.GOMAXPROCS, report.Config.GoVersion = runtime.GOMAXPROCS(0), runtime.Version()
	return writeJSON(*out, report)
}

// goBuild runs go build -o out pkg in dir.
func goBuild(ctx context.Context, dir, out, pkg string, env []string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build %s: %w", pkg, err)
	}
	return nil
}

// measureStartup execs s's run r and measures it.
func measureStartup(ctx context.Context, s startupSubject, r int, loadFor time.Duration, concurrency int) (res startupRun, err error) {
	addr, err := freeAddr()
	if err != nil {
		return res, err
	}
	argv, dir, err := s.start(ctx, r, addr)
	if err != nil {
		return res, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return res, err
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: concurrency}, Timeout: 30 * time.Second}
	defer client.CloseIdleConnections()
	base := "http://" + addr
	proc, err := startServer(ctx, argv, filepath.Join(dir, fmt.Sprintf("process-%d.log", time.Now().UnixNano())), client, base)
	if err != nil {
		return res, err
	}
	defer proc.log.Close()
	failed := func(err error) (startupRun, error) { return res, proc.fail(err) }
	res.StartupMs = ms(time.Since(proc.start))
	pid := proc.cmd.Process.Pid

	time.Sleep(time.Second)
	if res.RSSIdleMB, err = procStatusMB(pid, "VmRSS"); err != nil {
		return failed(err)
	}
	if s.load {
		t0 := time.Now()
		t, err := s.target(base, dir)
		if err != nil {
			return failed(err)
		}
		res.SetupMs = ms(time.Since(t0))
		var peak float64
		stop := sampleRSS(pid, 50*time.Millisecond, func(v float64) { peak = max(peak, v) })
		cpu0, t1 := procCPU(pid)
		ls := load(ctx, client, t, concurrency, loadFor)
		cpu1, t2 := procCPU(pid)
		stop()
		if err := errors.Join(t1, t2); err != nil {
			return failed(err)
		}
		res.ServerCores = (cpu1 - cpu0).Seconds() / loadFor.Seconds()
		res.BenchCores, res.PGCores = ls.SelfCores, ls.PGCores
		res.OtherCores = max(ls.OtherCores()-res.ServerCores, 0)
		res.Loaded, res.RSSLoadMB, res.LoadReqPerSec, res.LoadErrors = true, peak, ls.ReqPerSec, ls.Errors
		if ls.Errors > 0 {
			return failed(fmt.Errorf("%d errors under load", ls.Errors))
		}
	}
	if res.HWMMB, err = procStatusMB(pid, "VmHWM"); err != nil {
		return failed(err)
	}
	client.CloseIdleConnections()
	took, _, err := proc.terminate(30 * time.Second) // the baseline dies of the signal: its exit status is not checked
	if err != nil {
		return failed(err)
	}
	res.ExitMs = ms(took)
	return res, nil
}

// server is a server process started by the bench, its output going to
// a log file.
type server struct {
	cmd     *exec.Cmd
	log     *os.File
	logPath string
	start   time.Time  // exec
	exited  chan error // cmd.Wait's result, once
}

// startServer execs argv without the GLINT_* variables (the flags alone
// configure it), its output to the file logPath, and waits until base
// answers /-/readiness. The caller closes s.log.
func startServer(ctx context.Context, argv []string, logPath string, client *http.Client, base string) (*server, error) {
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	s := &server{cmd: exec.Command(argv[0], argv[1:]...), log: logf, logPath: logPath, exited: make(chan error, 1)}
	s.cmd.Env = withoutGlintEnv(os.Environ())
	s.cmd.Stdout, s.cmd.Stderr = logf, logf // files: no copying goroutine in this process
	s.start = time.Now()
	if err := s.cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	go func() { s.exited <- s.cmd.Wait() }()
	if err := awaitReady(ctx, client, base, s.start, s.exited); err != nil {
		err = s.fail(err)
		logf.Close()
		return nil, err
	}
	return s, nil
}

// fail kills the process and returns err with the end of its log.
func (s *server) fail(err error) error {
	_ = s.cmd.Process.Kill()
	<-s.exited
	return fmt.Errorf("%w; its log:\n%s", err, tail(s.logPath))
}

// terminate sends SIGTERM and waits for the process to exit: it returns
// how long that took and cmd.Wait's error, or an error (the process
// killed) if it is still running after timeout.
func (s *server) terminate(timeout time.Duration) (took time.Duration, exit, err error) {
	t0 := time.Now()
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case exit = <-s.exited:
		s.exited <- exit
		return time.Since(t0), exit, nil
	case <-time.After(timeout):
		return 0, nil, fmt.Errorf("still running %s after SIGTERM", timeout)
	}
}

// sampleRSS reads process pid's VmRSS (MB) every interval and passes it to
// each, from a goroutine of its own, until stop is called; stop returns
// once the sampler has stopped.
func sampleRSS(pid int, every time.Duration, each func(mb float64)) (stop func()) {
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			if v, err := procStatusMB(pid, "VmRSS"); err == nil {
				each(v)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() {
		close(done)
		<-sampled
	}
}

// awaitReady polls base's /-/readiness until it answers 200, a minute
// after start at most. A process that exits meanwhile is an error (its
// exit status is put back on exited).
func awaitReady(ctx context.Context, client *http.Client, base string, start time.Time, exited chan error) error {
	for {
		resp, err := client.Get(base + "/-/readiness")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case err := <-exited:
			exited <- err
			return fmt.Errorf("exited before it was ready: %v", err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Millisecond):
		}
		if time.Since(start) > time.Minute {
			return errors.New("not ready within a minute")
		}
	}
}

// setUpGlint creates a project and configures its Slack service through
// the API with the root token serve wrote into dir, and returns the GET
// of the service.
func setUpGlint(base, dir string, concurrency int) (target, error) {
	p, err := createSlackProject(base, dir, `{"webhook":"https://hooks.slack.com/services/x","push_events":true}`)
	if err != nil {
		return target{}, err
	}
	return target{Name: "GET glint", method: http.MethodGet, url: p.slackURL, token: p.token}, nil
}

// servedProject is a project created through a served glint's API.
type servedProject struct {
	id       int64
	token    string // root's
	slackURL string // its Slack service's API URL
}

// createSlackProject creates a project with the root token serve wrote
// into dir, and configures its Slack service with slack (a JSON body)
// through the API.
func createSlackProject(base, dir, slack string) (servedProject, error) {
	tok, err := os.ReadFile(filepath.Join(dir, "root-token"))
	if err != nil {
		return servedProject{}, err
	}
	p := servedProject{token: strings.TrimSpace(string(tok))}
	client := &http.Client{Timeout: 30 * time.Second}
	body, err := do(client, target{method: http.MethodPost, url: base + "/api/v4/projects", token: p.token,
		bodies: [][]byte{[]byte(`{"name":"bench"}`)}}, 0)
	if err != nil {
		return p, fmt.Errorf("creating the project: %w", err)
	}
	var created struct{ ID int64 }
	if err := json.Unmarshal(body, &created); err != nil || created.ID == 0 {
		return p, fmt.Errorf("creating the project: %v: %s", err, body)
	}
	p.id = created.ID
	p.slackURL = base + "/api/v4/projects/" + strconv.FormatInt(p.id, 10) + "/services/slack"
	if _, err := do(client, target{method: http.MethodPut, url: p.slackURL, token: p.token, bodies: [][]byte{[]byte(slack)}}, 0); err != nil {
		return p, fmt.Errorf("configuring the slack service: %w", err)
	}
	return p, nil
}

// freeAddr is a 127.0.0.1 address with a port free a moment ago.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// withoutGlintEnv drops GLINT_* variables: the flags alone configure the
// process.
func withoutGlintEnv(env []string) []string {
	return slices.DeleteFunc(slices.Clone(env), func(kv string) bool { return strings.HasPrefix(kv, "GLINT_") })
}

// procStatusMB reads a kB field of /proc/<pid>/status, in MB (2^20 bytes).
func procStatusMB(pid int, field string) (float64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), field+":")
		if !ok {
			continue
		}
		kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/%d/status %s: %w", pid, field, err)
		}
		return kb / 1024, nil
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("/proc/%d/status has no %s", pid, field)
}

// tail is the end of a log file, for errors.
func tail(path string) string {
	data, _ := os.ReadFile(path)
	if len(data) > 2000 {
		data = data[len(data)-2000:]
	}
	return string(bytes.TrimSpace(data))
}
