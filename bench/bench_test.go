package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/store/storetest/pgtest"
)

// TestAllSmoke runs `bench all` with tiny loads on SQLite and PostgreSQL
// and checks that the report and the JSON files hold every measure the
// benchmarks promise, each with its baseline from the same run: the API
// against the bare handler, the intake against the 202 handler, the
// deliveries against River alone and the network, fan-out to 1, 4 and 16
// services, latency for both polls with every event received, the scale
// steps, start-up and memory against the trivial server, and the
// profiles. It checks that the figures are there and sane, not how high
// they are: that is what the benchmark itself is for.
func TestAllSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("a run of every benchmark")
	}
	admin := pgtest.AdminURL(t) // skips without GLINT_TEST_POSTGRES (fails in CI)
	t.Chdir("..")               // the bench runs from the repository root
	out := t.TempDir()
	report := filepath.Join(out, "report.md")
	args := []string{"--admin-database", admin, "--runs", "1", "--duration", "300ms", "--warmup", "100ms",
		"--events", "40", "--scale", "40", "--latency-duration", "500ms", "--quiet-wait", "0",
		"--memory-in-flight", "50", "--memory-events", "100", "--memory-hold", "200ms",
		"--out-dir", out, "--report", report}
	if err := runAll(t.Context(), args); err != nil {
		t.Fatal(err)
	}

	md, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"- CPU: ", "- revision: ", "## API under load", "| GET ceiling (bare handler) |",
		"## Intake, delivery, fan-out, latency, scale", "| fan-out |", "| latency, 202 to sink |", "| scale |", "| isolation, healthy project's latency |",
		"## Start-up and memory", "| baseline: trivial Go server |", "## CPU profiles", "#### where the CPU goes"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("the report lacks %q", want)
		}
	}

	var api struct {
		Results []struct {
			Target    string  `json:"target"`
			ReqPerSec float64 `json:"req_per_s"`
			Errors    int     `json:"errors"`
			Ratio     float64 `json:"ratio_to_ceiling"`
		} `json:"results"`
	}
	readJSON(t, filepath.Join(out, "api.json"), &api)
	targets := map[string]bool{}
	for _, r := range api.Results {
		targets[r.Target] = true
		if r.ReqPerSec <= 0 || r.Errors != 0 || r.Ratio <= 0 {
			t.Errorf("api %s: %.0f req/s, %d errors, ratio to the ceiling %.3f", r.Target, r.ReqPerSec, r.Errors, r.Ratio)
		}
	}
	for _, want := range []string{"GET SQLite", "PUT SQLite", "GET PostgreSQL, 1 node", "PUT PostgreSQL, 2 nodes", "GET ceiling (bare handler)"} {
		if !targets[want] {
			t.Errorf("api.json has no %q: %v", want, targets)
		}
	}

	var delivery struct {
		Results   []comparison   `json:"results"`
		Fanout    []fanoutRow    `json:"fanout"`
		Latency   []latencyRow   `json:"latency"`
		Scale     []scaleRow     `json:"scale"`
		Isolation []isolationRow `json:"isolation"`
		Memory    *memoryRow     `json:"memory"`
	}
	readJSON(t, filepath.Join(out, "delivery.json"), &delivery)
	if len(delivery.Results) != 13 {
		t.Errorf("%d delivery comparisons, want 6 per database and the memory row", len(delivery.Results))
	}
	memoryRows := 0
	for _, c := range delivery.Results {
		if strings.HasPrefix(c.Measure, "memory: peak RSS MB with 50 in flight") {
			memoryRows++
		}
		if c.Glint <= 0 || c.Baseline <= 0 || c.Ratio <= 0 {
			t.Errorf("delivery %q: glint %.3f, baseline %.3f, ratio %.3f", c.Measure, c.Glint, c.Baseline, c.Ratio)
		}
	}
	if memoryRows != 1 {
		t.Errorf("%d memory rows in the delivery comparisons, want 1", memoryRows)
	}
	if m := delivery.Memory; m == nil {
		t.Error("delivery.json has no memory measure")
	} else {
		for _, f := range []memoryFigures{m.Glint, m.Baseline} {
			if f.PeakRSSMB <= 0 || f.RSSAtMostMB <= 0 || f.RSSAtMostMB > f.PeakRSSMB || f.HWMMB <= 0 ||
				f.MostAtOnce <= 0 || f.MostAtOnce > m.InFlight || f.DeliveredS <= 0 {
				t.Errorf("memory, %s workers: %+v", f.Workers, f)
			}
		}
		if m.InFlight != 50 || m.Events != 100 || m.RatioPeak <= 0 || len(m.GlintRuns) != 1 || len(m.DefaultRuns) != 1 {
			t.Errorf("memory: %+v", m)
		}
	}
	if len(delivery.Fanout) != 6 {
		t.Errorf("%d fan-out rows, want 1, 4 and 16 services on each database", len(delivery.Fanout))
	}
	for _, r := range delivery.Fanout {
		var services int
		if _, err := fmt.Sscanf(r.Case, "%d", &services); err != nil || r.Deliveries != r.Events*services ||
			r.Requests < r.Deliveries || r.DeliveriesS <= 0 || r.RiverJobsS <= 0 || r.Ratio <= 0 {
			t.Errorf("fan-out %s %s: %+v", r.Database, r.Case, r)
		}
	}
	if len(delivery.Latency) != 4 {
		t.Errorf("%d latency rows, want 2 polls on each database", len(delivery.Latency))
	}
	for _, r := range delivery.Latency {
		if r.Sent == 0 || r.Errors != 0 || r.Received != r.Sent || r.P50Ms > r.P99Ms || r.P99Ms > r.MaxMs {
			t.Errorf("latency %s %s: %+v", r.Database, r.QueuePoll, r)
		}
	}
	if len(delivery.Isolation) != 2 {
		t.Errorf("%d isolation rows, want one per database", len(delivery.Isolation))
	}
	for _, r := range delivery.Isolation {
		if r.Received == 0 || r.AloneP99Ms <= 0 || r.BesideP99Ms <= 0 || r.RatioP99 <= 0 || r.HangingAtMax == 0 {
			t.Errorf("isolation %s: %+v", r.Database, r)
		}
	}
	if len(delivery.Scale) != 2 {
		t.Errorf("%d scale rows, want one per database", len(delivery.Scale))
	}
	for _, r := range delivery.Scale {
		if !r.Measured || r.Projects != 40 || r.EventsS <= 0 || r.Baseline <= 0 || r.Ratio <= 0 {
			t.Errorf("scale %s: %+v", r.Database, r)
		}
	}

	var startup struct {
		Results []struct {
			Subject   string `json:"subject"`
			StartupMs stats  `json:"startup_ms"`
			RSSIdleMB stats  `json:"rss_idle_mb"`
		} `json:"results"`
	}
	readJSON(t, filepath.Join(out, "startup.json"), &startup)
	if len(startup.Results) != 5 {
		t.Errorf("%d start-up subjects, want fresh and restart on each database, and the baseline", len(startup.Results))
	}
	for _, r := range startup.Results {
		if r.StartupMs.Median <= 0 || r.RSSIdleMB.Median <= 0 {
			t.Errorf("start-up %s: %+v", r.Subject, r)
		}
	}
	for _, name := range []string{"get", "put", "intake", "get.postgres", "put.postgres", "intake.postgres"} {
		if fi, err := os.Stat(filepath.Join(out, name+".cpu.pprof")); err != nil || fi.Size() == 0 {
			t.Errorf("profile %s: %v", name, err)
		}
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// TestMedians checks the figures reported over several runs: the median
// of each (the mean of the middle two for an even count), and for the
// latency rows the sent/received totals.
func TestMedians(t *testing.T) {
	rate := func(s sample) float64 { return s.ReqPerSec }
	cases := []struct {
		runs []float64
		want float64
	}{
		{nil, 0},
		{[]float64{7}, 7},
		{[]float64{9, 1, 5}, 5},
		{[]float64{4, 1, 3, 10}, 3.5},
	}
	for _, c := range cases {
		var samples []sample
		for _, v := range c.runs {
			samples = append(samples, sample{ReqPerSec: v})
		}
		if got := median(samples, rate); got != c.want {
			t.Errorf("median of %v = %v, want %v", c.runs, got, c.want)
		}
	}
	row := medianLatency([]latencyRow{
		{Database: "sqlite", QueuePoll: "200ms", Sent: 10, Received: 10, P50Ms: 3, P99Ms: 30, MaxMs: 40},
		{Database: "sqlite", QueuePoll: "200ms", Sent: 12, Received: 11, Errors: 1, P50Ms: 1, P99Ms: 90, MaxMs: 100},
		{Database: "sqlite", QueuePoll: "200ms", Sent: 9, Received: 9, P50Ms: 2, P99Ms: 20, MaxMs: 25},
	})
	if row.Sent != 31 || row.Received != 30 || row.Errors != 1 || row.P50Ms != 2 || row.P99Ms != 30 || row.MaxMs != 40 ||
		len(row.Runs) != 3 || row.Database != "sqlite" || row.QueuePoll != "200ms" {
		t.Errorf("medianLatency = %+v", row)
	}
}
