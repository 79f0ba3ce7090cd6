package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/glint-dev/glint/internal/auth"
	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/outbound"
	"github.com/glint-dev/glint/internal/settings"
	"github.com/glint-dev/glint/internal/store"
)

// fanoutServices are the 16 services of the widest fan-out: every
// service glint acts for that takes a push and sends it over HTTP without
// needing an answer of a particular shape first (Campfire looks up its
// room; irker writes TCP; Asana and Jira send only for pushes that name
// their tasks or issues). Each is configured to reach the sink: by its URL
// setting where it has one, else by an endpoint override of its fixed
// host (fanoutOverrides). The first four are the 4-service case.
var fanoutServices = []struct {
	slug  string
	props func(sink string) map[string]any
}{
	{"slack", chatProps("/services/T/B/X")},
	{"mattermost", chatProps("/hooks/bench")},
	{"microsoft-teams", chatProps("/webhook/bench")},
	{"hangouts-chat", chatProps("/v1/spaces/bench/messages")},
	{"hipchat", func(s string) map[string]any { return map[string]any{"token": "bench", "room": "bench", "server": s} }},
	{"flowdock", func(string) map[string]any { return map[string]any{"token": "bench"} }},
	{"pushover", func(string) map[string]any {
		return map[string]any{"api_key": "bench", "user_key": "bench", "priority": "0", "device": "", "sound": ""}
	}},
	{"bamboo", func(s string) map[string]any {
		return map[string]any{"bamboo_url": s, "build_key": "KEY", "username": "bench", "password": "bench"}
	}},
	{"buildkite", func(string) map[string]any {
		return map[string]any{"token": "hook:status", "project_url": "https://buildkite.com/bench/bench"}
	}},
	{"drone-ci", func(s string) map[string]any { return map[string]any{"token": "bench", "drone_url": s} }},
	{"teamcity", func(s string) map[string]any {
		return map[string]any{"teamcity_url": s, "build_type": "bench", "username": "bench", "password": "bench"}
	}},
	{"jenkins", func(s string) map[string]any {
		return map[string]any{"jenkins_url": s, "project_name": "bench", "username": "bench", "password": "bench"}
	}},
	{"jenkins-deprecated", func(s string) map[string]any { return map[string]any{"project_url": s + "/job/bench/"} }},
	{"packagist", func(s string) map[string]any {
		return map[string]any{"username": "bench", "token": "bench", "server": s}
	}},
	{"assembla", func(string) map[string]any { return map[string]any{"token": "bench", "subdomain": "bench"} }},
	{"pivotaltracker", func(string) map[string]any { return map[string]any{"token": "bench"} }},
}

// fanoutOverrides are the fixed hosts of fanoutServices, all sent to the
// sink.
var fanoutOverrides = []string{"https://api.flowdock.com", "https://api.pushover.net", "https://webhook.buildkite.com",
	"https://atlas.assembla.com", "https://www.pivotaltracker.com"}

func chatProps(path string) func(sink string) map[string]any {
	return func(s string) map[string]any {
		return map[string]any{"webhook": s + path, "branches_to_be_notified": "all"}
	}
}

// sinkOverrides sends the fixed hosts of fanoutServices to the sink.
func sinkOverrides(sink string) ([]outbound.Override, error) {
	var list []string
	for _, from := range fanoutOverrides {
		list = append(list, from+"="+sink)
	}
	return outbound.ParseOverrides(list)
}

// fanoutCase is one fan-out set-up: events posted to a project's hook
// path, each event delivered to perEvent services, which send requests
// requests to the sink between them (measured by calibrate).
type fanoutCase struct {
	Name     string
	hooks    []string
	perEvent int
	requests int
}

// fanoutRow is one row of the fan-out table (medians over the runs).
type fanoutRow struct {
	Database    string  `json:"database"`
	Case        string  `json:"case"`
	Events      int     `json:"events"`
	Deliveries  int     `json:"deliveries"`
	Requests    int     `json:"requests_to_sink"`
	DeliveriesS float64 `json:"deliveries_per_s"`
	EventsS     float64 `json:"events_per_s"`
	RiverJobsS  float64 `json:"river_alone_jobs_per_s"`
	Ratio       float64 `json:"ratio_to_river"`
}

// latencyRow is the open-loop latency measure at one queue poll: the
// medians of p50, p99 and max over its runs, and the events sent and
// received over all of them.
type latencyRow struct {
	Database  string       `json:"database"`
	QueuePoll string       `json:"queue_poll"`
	RateS     float64      `json:"rate_events_per_s"`
	Sent      int          `json:"sent"`
	Received  int          `json:"received"`
	Errors    int          `json:"errors"`
	P50Ms     float64      `json:"p50_ms"`
	P99Ms     float64      `json:"p99_ms"`
	MaxMs     float64      `json:"max_ms"`
	Runs      []latencyRow `json:"runs,omitempty"`
}

// medianLatency sums the runs' counts and takes the median of their
// percentiles.
func medianLatency(runs []latencyRow) latencyRow {
	row := runs[0]
	row.Sent, row.Received, row.Errors = 0, 0, 0
	for _, r := range runs {
		row.Sent += r.Sent
		row.Received += r.Received
		row.Errors += r.Errors
	}
	row.P50Ms = median(runs, func(r latencyRow) float64 { return r.P50Ms })
	row.P99Ms = median(runs, func(r latencyRow) float64 { return r.P99Ms })
	row.MaxMs = median(runs, func(r latencyRow) float64 { return r.MaxMs })
	row.Runs = runs
	return row
}

// scaleRow is the intake with many configured projects.
type scaleRow struct {
	Database  string  `json:"database"`
	Projects  int     `json:"projects"`
	CreateS   float64 `json:"creation_s"` // creating the projects added for this row
	Measured  bool    `json:"measured"`
	Note      string  `json:"note,omitempty"`
	EventsS   float64 `json:"intake_events_per_s"`
	P50Ms     float64 `json:"p50_ms"`
	P99Ms     float64 `json:"p99_ms"`
	Baseline  float64 `json:"baseline_events_per_s"` // the 1-project intake
	Ratio     float64 `json:"ratio"`
	CoresSelf float64 `json:"self_cores"`
	// Runs are the intake measures taken at this count; the figures
	// above are their medians.
	Runs []sample `json:"runs,omitempty"`
}

// createProject creates a project owned by root with the given services
// (slug and API properties), through the store as the API would
// (settings.Apply), with this env's intake secret. It returns the hook path.
func (e *glintEnv) createProject(ctx context.Context, path string, services map[string]map[string]any, intake bool) (string, error) {
	u, err := e.st.UserByUsername(ctx, "root")
	if err != nil {
		return "", err
	}
	p := &store.Project{Name: path, Path: path, NamespaceID: u.NamespaceID, CreatorID: u.ID}
	if err := e.st.CreateProject(ctx, p); err != nil {
		return "", err
	}
	for _, slug := range slices.Sorted(maps.Keys(services)) {
		s, ok := catalog.Lookup(slug)
		if !ok {
			return "", fmt.Errorf("no service %s", slug)
		}
		c, err := settings.Decode(s, services[slug])
		if err != nil {
			return "", err
		}
		if _, err := e.st.UpdateService(ctx, p.ID, slug, func(rec *store.Service) error {
			return settings.Apply(s, rec, c, e.keys, settings.Policy{AllowLocal: true})
		}); err != nil {
			return "", fmt.Errorf("%s: %w", slug, err)
		}
	}
	if intake {
		if err := e.st.SetIntakeTokenHash(ctx, p.ID, auth.Hash(e.token)); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("/hooks/gitlab/%d", p.ID), nil
}

// fanoutCases creates (once per env) the projects of the fan-out
// measure, each with 1, 4 or 16 services of fanoutServices, and measures
// how many requests to the sink one event makes on each (calibrate).
func (e *glintEnv) fanoutCases(ctx context.Context, o deliveryOptions, push []byte, sink *sink) ([]fanoutCase, error) {
	if e.fanout != nil {
		return e.fanout, nil
	}
	for _, n := range []int{1, 4, 16} {
		services := map[string]map[string]any{}
		var names []string
		for _, sv := range fanoutServices[:n] {
			services[sv.slug] = sv.props(sink.srv.URL)
			names = append(names, sv.slug)
		}
		hook, err := e.createProject(ctx, fmt.Sprintf("fanout%d", n), services, true)
		if err != nil {
			return nil, err
		}
		e.projects++
		c := fanoutCase{Name: fmt.Sprintf("%d service(s): %s", n, strings.Join(names, ", ")), hooks: []string{hook}, perEvent: n}
		if c.requests, err = e.calibrate(ctx, o, push, hook, names, sink); err != nil {
			return nil, fmt.Errorf("%d services: %w", n, err)
		}
		e.fanout = append(e.fanout, c)
	}
	return e.fanout, nil
}

// calibrate delivers one event to a fan-out project and counts the
// requests the sink receives for it: a service may send more than one
// (Flowdock one per commit, PivotalTracker one per commit). Every one of
// the event's services must end delivered, none failed or skipped.
func (e *glintEnv) calibrate(ctx context.Context, o deliveryOptions, push []byte, hook string, slugs []string, sink *sink) (int, error) {
	awaitQuiet(ctx)
	one := o
	one.events = 1
	if _, err := e.preload(ctx, one, push, []string{hook}); err != nil {
		return 0, err
	}
	sink.expect(-1) // count from 0, signal nothing
	dl, err := e.startDelivery(ctx, o)
	if err != nil {
		return 0, err
	}
	deadline := time.Now().Add(o.timeout)
	for {
		n, err := e.pending(ctx)
		if err != nil || n == 0 {
			err = errors.Join(err, stopDelivery(dl))
			if err != nil {
				return 0, err
			}
			break
		}
		if time.Now().After(deadline) {
			return 0, errors.Join(fmt.Errorf("%d deliveries still pending after %s", n, o.timeout), stopDelivery(dl))
		}
		time.Sleep(10 * time.Millisecond)
	}
	var projectID int64
	if _, err := fmt.Sscanf(hook, "/hooks/gitlab/%d", &projectID); err != nil {
		return 0, err
	}
	for _, slug := range slugs {
		log, _, err := e.st.Deliveries(ctx, projectID, slug, 0, 1)
		if err != nil {
			return 0, err
		}
		if len(log) != 1 || log[0].Status != "delivered" {
			return 0, fmt.Errorf("%s: the calibration event was not delivered: %+v", slug, log)
		}
	}
	return sink.received(), nil
}

// measureBacklog posts --events events round-robin to hooks with the
// workers stopped, then starts the delivery half and times it until the
// sink has received want deliveries.
func (e *glintEnv) measureBacklog(ctx context.Context, o deliveryOptions, push []byte, hooks []string, want, requests int, sink *sink) (sample, error) {
	awaitQuiet(ctx)
	if _, err := e.preload(ctx, o, push, hooks); err != nil {
		return sample{}, err
	}
	if n, err := e.pending(ctx); err != nil || n != want {
		return sample{}, errors.Join(err, fmt.Errorf("%d deliveries pending after pre-loading %d events, want %d", n, o.events, want))
	}
	awaitQuiet(ctx)
	arrived := sink.expect(requests)
	start := time.Now()
	dl, err := e.startDelivery(ctx, o)
	if err != nil {
		return sample{}, err
	}
	var end time.Time
	select {
	case end = <-arrived:
	case <-time.After(o.timeout):
		err = fmt.Errorf("not all of %d requests received within %s", requests, o.timeout)
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err := errors.Join(err, stopDelivery(dl)); err != nil {
		return sample{}, err
	}
	return sample{Requests: want, ReqPerSec: float64(want) / end.Sub(start).Seconds()}, nil
}

// markerPrefix starts the after SHA of the latency measure's events; the
// Slack message's links carry it to the sink.
const markerPrefix = "beefcafe"

var markerRe = regexp.MustCompile(markerPrefix + `[0-9a-f]{32}`)

// fixtureAfter is the push fixture's after and checkout SHA, and a commit
// id: the latency measures replace it with their markers.
const fixtureAfter = "da1560886d4f094c3e6c9ef40349f7d38b5d27d7"

// measureLatency runs the delivery half with the given fetch poll and
// posts events open loop at rate for d, each with a marker of its own as
// its after SHA; the latency is from the intake's 202 to the sink's
// receiving the delivery carrying the marker.
func (e *glintEnv) measureLatency(ctx context.Context, o deliveryOptions, push []byte, poll time.Duration, rate float64, d time.Duration, sink *sink) (row latencyRow, err error) {
	row = latencyRow{Database: e.name, QueuePoll: poll.String(), RateS: rate}
	if rate <= 0 {
		return row, errors.New("no delivery rate to take half of")
	}
	if !bytes.Contains(push, []byte(fixtureAfter)) {
		return row, errors.New("the push fixture's after SHA changed")
	}
	awaitQuiet(ctx)
	o.poll = poll
	dl, err := e.startDelivery(ctx, o)
	if err != nil {
		return row, err
	}
	defer func() { err = errors.Join(err, stopDelivery(dl)) }()
	base, closeSrv, err := e.serve(dl.Pipeline)
	if err != nil {
		return row, err
	}
	defer closeSrv()
	lats, sent, errs := e.openLoop(ctx, o, base+e.hook, push, rate, d, sink)
	row.Sent, row.Errors = sent, errs
	row.Received = len(lats)
	row.P50Ms, row.P99Ms = ms(percentile(lats, 50)), ms(percentile(lats, 99))
	if len(lats) > 0 {
		row.MaxMs = ms(lats[len(lats)-1])
	}
	return row, ctx.Err()
}

// openLoop posts events to hook open loop at rate for d, each with a
// marker of its own as its after SHA, waits (up to --timeout) for the sink
// to receive them, and returns the sorted latencies from each 202 to the
// sink's receiving the delivery carrying its marker.
func (e *glintEnv) openLoop(ctx context.Context, o deliveryOptions, hook string, push []byte, rate float64, d time.Duration, sink *sink) (lats []time.Duration, sent, failed int) {
	after := []byte(fixtureAfter)
	marks := sink.track()
	defer sink.untrack()
	var mu sync.Mutex
	accepted := map[string]time.Time{}
	var errs atomic.Int64
	var wg sync.WaitGroup
	tick := time.NewTicker(time.Duration(float64(time.Second) / rate))
	stop := time.After(d)
	var seq int
loop:
	for {
		select {
		case <-tick.C:
		case <-stop:
			break loop
		case <-ctx.Done():
			break loop
		}
		seq++
		marker := fmt.Sprintf("%s%032x", markerPrefix, seq)
		t := target{method: http.MethodPost, url: hook, bodies: [][]byte{bytes.ReplaceAll(push, after, []byte(marker))}}
		wg.Go(func() {
			if _, err := do(e.hooks, t, 0); err != nil {
				errs.Add(1)
				return
			}
			now := time.Now()
			mu.Lock()
			accepted[marker] = now
			mu.Unlock()
		})
	}
	tick.Stop()
	wg.Wait()
	sent, failed = seq, int(errs.Load())
	deadline := time.Now().Add(o.timeout)
	for ctx.Err() == nil && time.Now().Before(deadline) {
		if marks.count() >= len(accepted) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	got := marks.snapshot()
	for m, t0 := range accepted {
		if t1, ok := got[m]; ok {
			lats = append(lats, max(t1.Sub(t0), 0)) // a delivery may beat the 202 to the client: 0
		}
	}
	slices.Sort(lats)
	return lats, sent, failed
}

// measureScale creates projects (each with Slack active) up to each of
// counts and loads the intake of the last one created, as measureIntake
// does, runs times (the row has the medians). A count whose creation is
// projected (from the rate so far) to take longer than maxCreate is not
// measured.
func (e *glintEnv) measureScale(ctx context.Context, o deliveryOptions, push []byte, webhook string, counts []int, runs int, maxCreate time.Duration, baseline float64, progress func(string, ...any)) ([]scaleRow, error) {
	var rows []scaleRow
	var perProject time.Duration // creation time per project so far
	for _, n := range counts {
		row := scaleRow{Database: e.name, Projects: n, Baseline: baseline}
		add := n - e.projects
		if add <= 0 {
			continue
		}
		if perProject > 0 && time.Duration(add)*perProject > maxCreate {
			row.Note = fmt.Sprintf("not measured: creating %d more projects was projected to take %.0fs (%.2f ms each so far), over %s",
				add, (time.Duration(add) * perProject).Seconds(), ms(perProject), maxCreate)
			progress("%s scale: %s", e.name, row.Note)
			rows = append(rows, row)
			continue
		}
		progress("%s scale: creating %d projects with slack", e.name, add)
		start := time.Now()
		var next atomic.Int64
		var last atomic.Value
		var wg sync.WaitGroup
		errs := make([]error, o.concurrency)
		first := e.projects
		for w := range o.concurrency {
			wg.Go(func() {
				for i := int(next.Add(1)) - 1; i < add && ctx.Err() == nil; i = int(next.Add(1)) - 1 {
					h, err := e.createProject(ctx, fmt.Sprintf("scale-%d", first+i),
						map[string]map[string]any{"slack": {"webhook": webhook, "branches_to_be_notified": "all"}}, i == add-1)
					if err != nil {
						errs[w] = err
						return
					}
					if i == add-1 {
						last.Store(h)
					}
				}
			})
		}
		wg.Wait()
		if err := errors.Join(ctx.Err(), errors.Join(errs...)); err != nil {
			return rows, err
		}
		took := time.Since(start)
		e.projects = n
		perProject = took / time.Duration(add)
		row.CreateS, row.Measured = took.Seconds(), true
		progress("%s scale: %d projects created in %.1fs", e.name, add, took.Seconds())
		scoped := *e
		scoped.hook = last.Load().(string)
		for range runs {
			s, err := scoped.measureIntake(ctx, o, push, progress)
			if err != nil {
				return rows, err
			}
			row.Runs = append(row.Runs, s)
		}
		row.EventsS = median(row.Runs, func(s sample) float64 { return s.ReqPerSec })
		row.P50Ms = median(row.Runs, func(s sample) float64 { return s.P50Ms })
		row.P99Ms = median(row.Runs, func(s sample) float64 { return s.P99Ms })
		row.CoresSelf = median(row.Runs, func(s sample) float64 { return s.SelfCores })
		if baseline > 0 {
			row.Ratio = row.EventsS / baseline
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// markSet is the sink's record of markers seen: the first arrival of each.
type markSet struct {
	mu   sync.Mutex
	seen map[string]time.Time
}

func (m *markSet) add(body []byte, at time.Time) {
	for _, b := range markerRe.FindAll(body, -1) {
		k := string(b)
		m.mu.Lock()
		if _, ok := m.seen[k]; !ok {
			m.seen[k] = at
		}
		m.mu.Unlock()
	}
}

func (m *markSet) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.seen)
}

func (m *markSet) snapshot() map[string]time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return maps.Clone(m.seen)
}

func (s *sink) track() *markSet {
	m := &markSet{seen: map[string]time.Time{}}
	s.mu.Lock()
	s.marks = m
	s.mu.Unlock()
	return m
}

func (s *sink) untrack() {
	s.mu.Lock()
	s.marks = nil
	s.mu.Unlock()
}

// printExtras prints the fan-out, latency and scale tables.
func printExtras(fanout []fanoutRow, latency []latencyRow, scale []scaleRow) {
	if len(fanout) > 0 {
		fmt.Println()
		fmt.Println("| fan-out | events | deliveries | requests | deliveries/s | events/s | River alone jobs/s | ratio |")
		fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|")
		for _, r := range fanout {
			fmt.Printf("| %s: %s | %d | %d | %d | %.0f | %.0f | %.0f | %.3f |\n", r.Database, r.Case, r.Events, r.Deliveries,
				r.Requests, r.DeliveriesS, r.EventsS, r.RiverJobsS, r.Ratio)
		}
	}
	if len(latency) > 0 {
		fmt.Println()
		fmt.Println("| latency, 202 to sink | queue poll | events/s | sent (all runs) | received | errors | p50 ms | p99 ms | max ms |")
		fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
		for _, r := range latency {
			fmt.Printf("| %s | %s | %.0f | %d | %d | %d | %.1f | %.1f | %.1f |\n", r.Database, r.QueuePoll, r.RateS, r.Sent,
				r.Received, r.Errors, r.P50Ms, r.P99Ms, r.MaxMs)
		}
	}
	if len(scale) > 0 {
		fmt.Println()
		fmt.Println("| scale | projects | creation s | intake events/s | p50 ms | p99 ms | 1-project events/s | ratio |")
		fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|")
		for _, r := range scale {
			if !r.Measured {
				fmt.Printf("| %s | %d | – | %s | | | %.0f | |\n", r.Database, r.Projects, r.Note, r.Baseline)
				continue
			}
			fmt.Printf("| %s | %d | %.1f | %.0f | %.3f | %.3f | %.0f | %.3f |\n", r.Database, r.Projects, r.CreateS, r.EventsS,
				r.P50Ms, r.P99Ms, r.Baseline, r.Ratio)
		}
	}
}
