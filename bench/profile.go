package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/glint-dev/glint/internal/app"
	"github.com/glint-dev/glint/internal/delivery"
)

func runProfile(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("profile", flag.ContinueOnError)
	var o deliveryOptions
	fs.IntVar(&o.concurrency, "concurrency", 16, "concurrent workers of the load")
	fs.DurationVar(&o.duration, "duration", 5*time.Second, "profiled load per target")
	fs.DurationVar(&o.warmup, "warmup", time.Second, "unprofiled load before it")
	fs.IntVar(&o.workers, "workers", delivery.DefaultWorkers, "intake: delivery workers running meanwhile (serve's --delivery-workers)")
	fs.DurationVar(&o.poll, "queue-poll", 200*time.Millisecond, "intake: River's fetch poll interval (serve's --queue-poll)")
	targets := fs.String("targets", "get,put,intake", "comma-separated: get, put (api's loads), intake (delivery's)")
	nodecount := fs.Int("nodecount", 15, "entries of each top listing")
	adminDB := fs.String("admin-database", "", "also profile on PostgreSQL: fresh databases are created (and dropped) through this admin URL")
	outDir := fs.String("out-dir", "bench/out", "where the profiles are written")
	quietFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.concurrency < 1 || o.duration <= 0 || o.workers < 1 || o.poll <= 0 || *nodecount < 1 {
		return errors.New("--concurrency, --duration, --workers, --queue-poll and --nodecount must be positive")
	}
	kinds := strings.Split(*targets, ",")
	for _, k := range kinds {
		if !slices.Contains([]string{"get", "put", "intake"}, k) {
			return fmt.Errorf("--targets: unknown target %q", k)
		}
	}
	push, err := os.ReadFile(pushFixture)
	if slices.Contains(kinds, "intake") && err != nil {
		return fmt.Errorf("%w (run the bench from the repository root)", err)
	}
	if err := os.MkdirAll(*outDir, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "glint-bench-profile-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	databases := []string{""}
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
		databases = append(databases, "postgres")
	}
	var s *sink
	pprof.Do(ctx, pprof.Labels("side", "sink"), func(context.Context) { s = newSink(0) })
	defer s.srv.Close()
	transport := &http.Transport{MaxIdleConnsPerHost: o.concurrency}
	client := &http.Client{Transport: transport, Timeout: 30 * time.Second}
	var uuids atomic.Uint64

	for _, db := range databases {
		suffix := ""
		if db != "" {
			suffix = ".postgres"
		}
		for _, kind := range kinds {
			cfg := app.Config{DataDir: filepath.Join(tmp, kind+suffix), PoolSize: 10}
			if db != "" {
				if cfg.Database, err = admin.create(ctx, kind); err != nil {
					return err
				}
			}
			path := filepath.Join(*outDir, kind+suffix+".cpu.pprof")
			var smp sample
			var dbName string
			switch kind {
			case "get", "put":
				c, err := startGlint(ctx, cfg, 1)
				if err != nil {
					return err
				}
				dbName = c.dbName
				t := target{Name: kind, method: http.MethodGet, urls: c.urls, token: c.token}
				put := target{method: http.MethodPut, urls: c.urls, token: c.token, bodies: [][]byte{
					[]byte(`{"webhook":"https://hooks.slack.com/services/x","push_events":true}`),
					[]byte(`{"webhook":"https://hooks.slack.com/services/x","push_events":false}`)}}
				if _, err := do(client, put, 0); err != nil {
					c.close()
					return fmt.Errorf("configuring the slack service: %w", err)
				}
				if kind == "put" {
					t.method, t.bodies = put.method, put.bodies
				}
				smp, err = profileLoad(ctx, client, t, o, path)
				c.close()
				if err != nil {
					return err
				}
			case "intake":
				e, err := openEnv(ctx, cfg, client, s.srv.URL+"/services/T/B/X")
				if err != nil {
					return err
				}
				dbName = e.name
				e.hooks = &http.Client{Transport: gitlabHeaders{base: transport, token: e.token, seq: &uuids}, Timeout: 30 * time.Second}
				smp, err = e.profileIntake(ctx, o, push, path)
				e.st.Close()
				if err != nil {
					return err
				}
			}
			fmt.Printf("### %s on %s: %.0f req/s, p50 %.3f ms, p99 %.3f ms, %d errors while profiled for %s (%s)\n\n",
				strings.ToUpper(kind), dbName, smp.ReqPerSec, smp.P50Ms, smp.P99Ms, smp.Errors, o.duration, path)
			fmt.Printf("Cores busy meanwhile, of %d: %.2f in this process (profiled), %.2f in PostgreSQL's backends serving it "+
				"(not in the profile), %.2f of other load on the machine.\n\n",
				runtime.NumCPU(), smp.SelfCores, smp.PGCores, smp.OtherCores())
			for _, report := range []struct {
				title string
				args  []string
			}{
				{"whole process (load generator and server share it)", []string{"-top", fmt.Sprintf("-nodecount=%d", *nodecount)}},
				{"samples by side (pprof label)", []string{"-tags"}},
				{"server side alone (side=server)", []string{"-top", fmt.Sprintf("-nodecount=%d", *nodecount), "-tagfocus=side=server"}},
			} {
				fmt.Printf("#### %s\n\n```\n", report.title)
				cmd := exec.CommandContext(ctx, "go", append(append([]string{"tool", "pprof"}, report.args...), path)...)
				cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
				if err := cmd.Run(); err != nil {
					return fmt.Errorf("go tool pprof %s: %w", strings.Join(report.args, " "), err)
				}
				fmt.Print("```\n\n")
			}
			sides := []string{"server"}
			if kind == "intake" {
				sides = append(sides, "delivery")
			}
			if err := printComponents(ctx, path, sides); err != nil {
				return err
			}
		}
		if admin != nil {
			if err := admin.dropAll(); err != nil {
				return err
			}
		}
	}
	return nil
}

// profileLoad warms t up, then loads it for o.duration under the CPU
// profiler, writing the profile to path.
func profileLoad(ctx context.Context, client *http.Client, t target, o deliveryOptions, path string) (sample, error) {
	awaitQuiet(ctx)
	fmt.Fprintf(os.Stderr, "%s: warmup %s, profiling %s\n", path, o.warmup, o.duration)
	load(ctx, client, t, o.concurrency, o.warmup)
	f, err := os.Create(path)
	if err != nil {
		return sample{}, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return sample{}, err
	}
	s := load(ctx, client, t, o.concurrency, o.duration)
	pprof.StopCPUProfile()
	if err := f.Close(); err != nil {
		return s, err
	}
	return s, ctx.Err()
}

// profileIntake is measureIntake's load under the profiler: the intake as
// served, the delivery half (labeled side=delivery) running meanwhile.
func (e *glintEnv) profileIntake(ctx context.Context, o deliveryOptions, push []byte, path string) (s sample, err error) {
	var dl *app.Delivery
	pprof.Do(ctx, pprof.Labels("side", "delivery"), func(ctx context.Context) { dl, err = e.startDelivery(ctx, o) })
	if err != nil {
		return s, err
	}
	defer func() { err = errors.Join(err, stopDelivery(dl)) }()
	base, closeSrv, err := e.serve(dl.Pipeline)
	if err != nil {
		return s, err
	}
	defer closeSrv()
	t := target{Name: e.name + " intake", method: http.MethodPost, url: base + e.hook, bodies: [][]byte{push}}
	return profileLoad(ctx, e.hooks, t, o, path)
}

// components are the parts a request's CPU time goes to: pprof -focus
// regexps, each counting the samples with a matching frame anywhere in
// the stack (cumulative, so they overlap).
var components = []struct{ name, focus string }{
	{"glint's handler, all (api.Server.ServeHTTP)", `^github\.com/glint-dev/glint/internal/api\.\(\*Server\)\.ServeHTTP$`},
	{"database/sql, all", `^database/sql\.`},
	{"SQLite, all (modernc.org/sqlite)", `^modernc\.org/sqlite`},
	{"SQLite: preparing statements (SQL parsing)", `^modernc\.org/sqlite/lib\._sqlite3(LockAndPrepare|Reprepare)$`},
	{"pgx (PostgreSQL driver)", `^github\.com/jackc/pgx`},
	{"token authentication (auth.Authenticate)", `^github\.com/glint-dev/glint/internal/auth\.Authenticate$`},
	{"project lookup and access", `^github\.com/glint-dev/glint/internal/(api\.\(\*Server\)\.findProject(WithAccess)?|auth\.ProjectAccess)$`},
	{"JSON (encoding/json)", `^encoding/json\.`},
	{"regexp", `^regexp\.`},
	{"access log (log/slog)", `^log/slog\.`},
	{"metrics (prometheus)", `^github\.com/prometheus/`},
	{"River (job queue)", `^github\.com/riverqueue/`},
	{"outbound HTTP client (net/http.Transport)", `^net/http\.\(\*(Transport|persistConn)\)`},
	{"system calls", `^(syscall\.|internal/runtime/syscall)`},
	{"memory allocation (runtime.mallocgc)", `^runtime\.mallocgc$`},
}

// printComponents prints, per side, the CPU time of each component as a
// share of that side's samples and of the whole profile.
func printComponents(ctx context.Context, path string, sides []string) error {
	total, _, err := focusedCPU(ctx, path, "", ".")
	if err != nil {
		return err
	}
	head := "| component (cumulative, overlapping) |"
	rule := "|---|"
	sideTotals := make([]time.Duration, len(sides))
	for i, side := range sides {
		if sideTotals[i], _, err = focusedCPU(ctx, path, side, "."); err != nil {
			return err
		}
		head += fmt.Sprintf(" side=%s CPU | of side=%s | of all |", side, side)
		rule += "---:|---:|---:|"
	}
	fmt.Printf("#### where the CPU goes (all samples: %s)\n\n%s\n%s\n", total, head, rule)
	for _, c := range components {
		row := "| " + c.name + " |"
		any := false
		for i, side := range sides {
			d, _, err := focusedCPU(ctx, path, side, c.focus)
			if err != nil {
				return err
			}
			any = any || d > 0
			row += fmt.Sprintf(" %s | %.1f%% | %.1f%% |", d, 100*div(float64(d), float64(sideTotals[i])), 100*div(float64(d), float64(total)))
		}
		if any {
			fmt.Println(row)
		}
	}
	fmt.Println()
	return nil
}

// focusedCPU is the CPU time of the samples labeled side=side (any, if
// side is empty) with a frame matching focus, read from go tool pprof's
// "Showing nodes accounting for" line with nothing dropped.
func focusedCPU(ctx context.Context, path, side, focus string) (time.Duration, string, error) {
	args := []string{"tool", "pprof", "-top", "-nodecount=1000000", "-nodefraction=0", "-edgefraction=0", "-focus=" + focus}
	if side != "" {
		args = append(args, "-tagfocus=side="+side)
	}
	out, err := exec.CommandContext(ctx, "go", append(args, path)...).CombinedOutput()
	if err != nil {
		if strings.Contains(string(out), "no matches") || strings.Contains(string(out), "no samples") {
			return 0, "", nil
		}
		return 0, "", fmt.Errorf("go tool pprof %s: %w: %s", strings.Join(args[2:], " "), err, out)
	}
	for line := range strings.Lines(string(out)) {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), "Showing nodes accounting for ")
		if !ok {
			continue
		}
		first, _, _ := strings.Cut(rest, ",")
		d, err := time.ParseDuration(first)
		if err != nil {
			return 0, "", fmt.Errorf("go tool pprof: %q: %w", line, err)
		}
		return d, rest, nil
	}
	return 0, "", nil // an empty selection prints no such line
}
