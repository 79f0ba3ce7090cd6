package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// runAll runs every benchmark in turn (api --compare, delivery, startup,
// profile) with shared settings, and writes what they print, a Markdown
// report headed by the machine and the revision, to --report as well as to
// standard output. Each benchmark writes its own JSON to --out-dir.
func runAll(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("all", flag.ContinueOnError)
	adminDB := fs.String("admin-database", "", "PostgreSQL admin URL (a role that may create databases); required: every measure compares SQLite with PostgreSQL")
	runs := fs.Int("runs", 3, "runs of each measure; medians are reported")
	duration := fs.Duration("duration", 3*time.Second, "measured load per run and target")
	warmup := fs.Duration("warmup", time.Second, "unmeasured load before each run")
	events := fs.Int("events", 1000, "events of the delivery and fan-out measures")
	scale := fs.String("scale", "1000,10000,100000", "project counts of the scale measure")
	latencyFor := fs.Duration("latency-duration", 10*time.Second, "sending time of each latency run")
	memInFlight := fs.Int("memory-in-flight", 1000, "requests in flight of the memory measure (delivery's --memory-in-flight)")
	memEvents := fs.Int("memory-events", 4000, "events of the memory measure")
	memHold := fs.Duration("memory-hold", 5*time.Second, "how long the memory measure's target holds each request")
	outDir := fs.String("out-dir", "bench/out", "where the JSON files and profiles go")
	report := fs.String("report", "bench/out/report.md", "the Markdown report")
	quietFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *adminDB == "" {
		return errors.New("--admin-database is required (see BENCHMARKS.md: `bash .ci/pg-setup.sh` prints one)")
	}
	if *runs < 1 || *duration <= 0 {
		return errors.New("--runs and --duration must be positive")
	}
	if err := os.MkdirAll(filepath.Dir(*report), 0o755); err != nil {
		return err
	}
	f, err := os.Create(*report)
	if err != nil {
		return err
	}
	defer f.Close()
	restore, err := teeStdout(f)
	if err != nil {
		return err
	}
	defer restore()

	common := []string{"--quiet-wait", quietWait.String()}
	load := append([]string{"--admin-database", *adminDB, "--runs", strconv.Itoa(*runs),
		"--duration", duration.String(), "--warmup", warmup.String()}, common...)
	steps := []struct {
		title string
		run   func(context.Context, []string) error
		args  []string
	}{
		{"API under load", runAPI, append([]string{"--compare", "--out", filepath.Join(*outDir, "api.json")}, load...)},
		{"Intake, delivery, fan-out, latency, scale", runDelivery,
			append([]string{"--events", strconv.Itoa(*events), "--scale", *scale, "--latency-duration", latencyFor.String(),
				"--isolation-duration", duration.String(), "--memory-in-flight", strconv.Itoa(*memInFlight),
				"--memory-events", strconv.Itoa(*memEvents), "--memory-hold", memHold.String(),
				"--out", filepath.Join(*outDir, "delivery.json")}, load...)},
		{"Start-up and memory", runStartup, append([]string{"--runs", strconv.Itoa(max(*runs, 5)), "--load", duration.String(),
			"--admin-database", *adminDB, "--out", filepath.Join(*outDir, "startup.json")}, common...)},
		{"CPU profiles", runProfile, append([]string{"--admin-database", *adminDB, "--duration", (*duration + 2*time.Second).String(),
			"--warmup", warmup.String(), "--out-dir", *outDir}, common...)},
	}

	began := time.Now()
	fmt.Printf("# glint benchmarks\n\n%s\n", machineSummary(ctx))
	fmt.Printf("Command: `go run ./bench all %s`\n", strings.Join(args, " "))
	for i, s := range steps {
		fmt.Fprintf(os.Stderr, "bench all: %d/%d %s (%s so far)\n", i+1, len(steps), s.title, time.Since(began).Round(time.Second))
		fmt.Printf("\n## %s\n\n", s.title)
		if err := s.run(ctx, s.args); err != nil {
			return fmt.Errorf("%s: %w", s.title, err)
		}
	}
	fmt.Printf("\nAll measures took %s.\n", time.Since(began).Round(time.Second))
	return nil
}

// teeStdout makes everything written to os.Stdout go to w as well, until
// restore is called.
func teeStdout(w io.Writer) (restore func(), err error) {
	orig := os.Stdout
	r, pw, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	os.Stdout = pw
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = io.Copy(io.MultiWriter(orig, w), r)
	}()
	return func() {
		os.Stdout = orig
		pw.Close()
		<-done
		r.Close()
	}, nil
}

// machineSummary is the Markdown list of what the figures were measured
// on: CPU, cores, memory, kernel, Go, PostgreSQL's client version, and the
// revision (with "+ changes" for a dirty work tree).
func machineSummary(ctx context.Context) string {
	var b strings.Builder
	line := func(k, v string) { fmt.Fprintf(&b, "- %s: %s\n", k, v) }
	line("revision", revision(ctx))
	line("date", time.Now().UTC().Format(time.RFC3339))
	line("CPU", fmt.Sprintf("%s, %d cores (GOMAXPROCS %d)", procField("/proc/cpuinfo", "model name"), runtime.NumCPU(), runtime.GOMAXPROCS(0)))
	line("memory", procField("/proc/meminfo", "MemTotal"))
	line("kernel", strings.TrimSpace(command(ctx, "uname", "-sr")))
	line("Go", runtime.Version()+" "+runtime.GOOS+"/"+runtime.GOARCH)
	line("PostgreSQL", strings.TrimSpace(command(ctx, "psql", "--version")))
	return b.String()
}

func revision(ctx context.Context) string {
	rev := strings.TrimSpace(command(ctx, "git", "rev-parse", "--short", "HEAD"))
	if rev == "" {
		return "unknown"
	}
	if strings.TrimSpace(command(ctx, "git", "status", "--porcelain", "--untracked-files=no")) != "" {
		rev += " + uncommitted changes"
	}
	return "`" + rev + "`"
}

// command is the output of a short command, or "" if it fails.
func command(ctx context.Context, name string, args ...string) string {
	out, err := exec.CommandContext(ctx, name, args...).Output()
	if err != nil {
		return ""
	}
	return string(out)
}

// procField is the value of the first "key: value" line of a /proc file.
func procField(path, key string) string {
	f, err := os.Open(path)
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}
