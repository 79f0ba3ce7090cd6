package e2e

// Helpers of the per-service end-to-end tests: stand-ins for the services'
// targets (HTTP on 127.0.0.1, and a TCP one for irker), requests reduced to
// what crosses the wire, and the delivery log of any service.

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/delivery"
	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/integrationtest"
	"github.com/glint-dev/glint/internal/integration/registry"
	"github.com/glint-dev/glint/internal/outbound"
	"github.com/glint-dev/glint/internal/store"
)

// wire is a request as it crosses the wire, without its host: for HTTP,
// the method, the request URI (escaped path and query) and the headers;
// for a raw TCP write, Method "TCP" and no URI. Body is the whole body.
type wire struct {
	Method string
	URI    string
	Header http.Header
	Body   string
}

// key identifies a request by what the integration chose: the headers are
// checked apart, since the transport adds its own.
func (w wire) key() string { return w.Method + " " + w.URI + "\n" + w.Body }

func (w wire) String() string {
	body := w.Body
	if len(body) > 300 {
		body = body[:300] + "…"
	}
	return fmt.Sprintf("%s %s %q", w.Method, w.URI, body)
}

// requestURI is the part of an absolute URL after its authority.
func requestURI(raw string) string {
	_, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return raw
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		return rest[i:]
	}
	return "/"
}

// expectedWire is what an integration's request must look like on the
// wire; answer gives, for a request with a Then, the answer the target
// makes to it, so that what follows is expected too. It walks the
// requests with the deliverer's walk (outbound.Walk), every request
// answered 200.
func expectedWire(t *testing.T, reqs []integration.Request, answer func(integration.Request) []byte) []wire {
	t.Helper()
	var out []wire
	_, err := outbound.Walk(context.Background(), func(_ context.Context, r integration.Request) (*outbound.Result, error) {
		if r.TCP != "" {
			out = append(out, wire{Method: "TCP", Body: string(r.Body)})
			return &outbound.Result{TCP: true}, nil
		}
		out = append(out, wire{Method: r.Method, URI: requestURI(r.URL), Header: r.Header, Body: string(r.Body)})
		res := &outbound.Result{Status: http.StatusOK}
		if r.Then != nil {
			res.Answer = answer(r)
		}
		return res, nil
	}, reqs)
	if err != nil {
		t.Fatalf("walking the expected requests: %v", err)
	}
	return out
}

// target is the stand-in for a service's endpoint.
type target interface {
	// received is every request so far, oldest first.
	received() []wire
	// problems are the requests the target refused while it was well,
	// with why: a real target would have refused them too.
	problems() []string
	// fail makes the target answer from now on with the error the real
	// service gives, and returns what glint should show of it.
	fail(t *testing.T) targetError
}

// targetError is what glint should show of the target's error.
type targetError struct {
	status int    // 0 for a TCP target that refuses connections
	body   string // the answer's body, exactly
	reason string // a part of last_error and the test's error
}

// httpTarget is an HTTP stand-in on 127.0.0.1: check says whether a
// request is one the real service takes, and how it answers (or refuses)
// it; once failing, every request is answered with failure.
type httpTarget struct {
	rec     *integrationtest.Recorder
	failing atomic.Bool
	failure func(r integrationtest.Request) (int, string)

	mu     sync.Mutex
	refuse []string
}

// newHTTPTarget starts a target. check answers a request the way the
// service does: refused (with a reason for the test) or accepted.
func newHTTPTarget(t *testing.T, check func(r integrationtest.Request) (status int, body, refusal string),
	failure func(r integrationtest.Request) (int, string)) *httpTarget {
	t.Helper()
	h := &httpTarget{rec: integrationtest.RecordingServer(t), failure: failure}
	if !strings.HasPrefix(h.rec.URL, "http://127.0.0.1:") {
		t.Fatalf("the target is not on 127.0.0.1: %s", h.rec.URL)
	}
	h.rec.Answer(func(r integrationtest.Request) (int, string) {
		if h.failing.Load() {
			return h.failure(r)
		}
		status, body, refusal := check(r)
		if refusal != "" {
			h.mu.Lock()
			h.refuse = append(h.refuse, fmt.Sprintf("%s %s?%s refused (%d %s): %s", r.Method, r.Path, r.Query, status, body, refusal))
			h.mu.Unlock()
		}
		return status, body
	})
	return h
}

func (h *httpTarget) received() []wire {
	var out []wire
	for _, r := range h.rec.Requests() {
		uri := r.Path
		if r.Query != "" {
			uri += "?" + r.Query
		}
		out = append(out, wire{Method: r.Method, URI: uri, Header: r.Header, Body: string(r.Body)})
	}
	return out
}

func (h *httpTarget) problems() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.refuse)
}

// fail: what glint shows is the failure's answer to a POST (the message;
// Campfire's room list, a GET, still answers).
func (h *httpTarget) fail(t *testing.T) targetError {
	h.failing.Store(true)
	status, body := h.failure(integrationtest.Request{Method: "POST"})
	reason := "HTTP " + strconv.Itoa(status) + " " + http.StatusText(status)
	return targetError{status: status, body: body, reason: reason}
}

// tcpTarget is an irker daemon stand-in on 127.0.0.1: it reads each
// connection to its end and checks every line is an irker message,
// {"to": [irc URIs], "privmsg": text}. Failing, it stops listening, so
// connections are refused, as with a daemon that is down.
type tcpTarget struct {
	addr string
	ln   net.Listener
	done chan struct{} // closed when the accept loop has ended
	wg   sync.WaitGroup

	mu     sync.Mutex
	conns  []wire
	refuse []string
	once   sync.Once
}

func newTCPTarget(t *testing.T) *tcpTarget {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &tcpTarget{addr: ln.Addr().String(), ln: ln, done: make(chan struct{})}
	go s.accept()
	t.Cleanup(s.close)
	return s
}

func (s *tcpTarget) accept() {
	defer close(s.done)
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(10 * time.Second))
			b, err := io.ReadAll(c)
			s.mu.Lock()
			defer s.mu.Unlock()
			s.conns = append(s.conns, wire{Method: "TCP", Body: string(b)})
			if err != nil {
				s.refuse = append(s.refuse, fmt.Sprintf("reading a connection: %v", err))
			}
			if why := irkerLines(b); why != "" {
				s.refuse = append(s.refuse, fmt.Sprintf("%q: %s", b, why))
			}
		}()
	}
}

// irkerLines says what is wrong with what was written to irkerd, "" if
// nothing.
func irkerLines(b []byte) string {
	if len(b) == 0 || b[len(b)-1] != '\n' {
		return "not newline-terminated lines"
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			return "a line is not JSON: " + err.Error()
		}
		to, _ := m["to"].([]any)
		msg, _ := m["privmsg"].(string)
		if len(m) != 2 || len(to) == 0 || msg == "" {
			return "a line is not {\"to\": [...], \"privmsg\": ...}"
		}
		for _, c := range to {
			if s, _ := c.(string); !strings.HasPrefix(s, "irc://") && !strings.HasPrefix(s, "ircs://") {
				return fmt.Sprintf("recipient %v is not an irc URI", c)
			}
		}
	}
	return ""
}

// close stops listening and waits for the connections being read.
func (s *tcpTarget) close() {
	s.once.Do(func() {
		s.ln.Close()
		<-s.done
		s.wg.Wait()
	})
}

func (s *tcpTarget) received() []wire {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.conns)
}

func (s *tcpTarget) problems() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.refuse)
}

func (s *tcpTarget) fail(t *testing.T) targetError {
	s.close()
	return targetError{reason: "connection refused"}
}

// sameWire compares what a target received with what was expected, as
// multisets (deliveries run concurrently): every expected request once,
// with at least the headers its integration set, and nothing else.
func sameWire(t *testing.T, what string, got, want []wire) {
	t.Helper()
	left := map[string][]wire{}
	for _, w := range want {
		left[w.key()] = append(left[w.key()], w)
	}
	for _, g := range got {
		ws := left[g.key()]
		if len(ws) == 0 {
			t.Errorf("%s: received a request none of the expected ones is: %s", what, g)
			continue
		}
		w := ws[0]
		left[g.key()] = ws[1:]
		if g.Method == "TCP" {
			continue
		}
		for name, vals := range w.Header {
			if have := g.Header.Values(name); !slices.Equal(have, vals) {
				t.Errorf("%s: %s: header %s %q, want %q", what, g, name, have, vals)
			}
		}
		if ua := g.Header.Get("User-Agent"); !strings.HasPrefix(ua, "glint/") {
			t.Errorf("%s: %s: User-Agent %q", what, g, ua)
		}
	}
	for _, ws := range left {
		for _, w := range ws {
			t.Errorf("%s: expected request never received: %s", what, w)
		}
	}
}

// projectInfo is the project as glint's deliverer sees it, rebuilt from
// the API's entity.
func projectInfo(t *testing.T, p *proc, pj projectJSON) integration.Project {
	t.Helper()
	sp := &store.Project{ID: pj.ID, Name: pj.Name, Path: pj.Path, DefaultBranch: pj.DefaultBranch,
		Namespace: store.Namespace{ID: pj.Namespace.ID, Name: pj.Namespace.Name, Path: pj.Namespace.Path, FullPath: pj.Namespace.FullPath}}
	info := delivery.ProjectInfo(sp, p.url(""))
	if info.WebURL != pj.WebURL || info.FullPath != pj.PathWithNamespace || info.FullName != pj.NameWithNamespace {
		t.Fatalf("ProjectInfo %+v does not match the project entity %+v", info, pj)
	}
	return info
}

func serviceDeliveriesPath(projectID int64, slug string) string {
	return fmt.Sprintf("/api/v4/projects/%d/services/%s/deliveries", projectID, slug)
}

// serviceDeliveries reads every page of a service's delivery log.
func serviceDeliveries(t *testing.T, p *proc, token string, projectID int64, slug string) []deliveryJSON {
	t.Helper()
	var all []deliveryJSON
	for page := 1; ; page++ {
		var list []deliveryJSON
		r := call(t, "GET", p.url(fmt.Sprintf("%s?per_page=100&page=%d", serviceDeliveriesPath(projectID, slug), page)), token, nil, 200, &list)
		all = append(all, list...)
		if r.header.Get("X-Next-Page") == "" || len(list) == 0 {
			return all
		}
	}
}

// serviceDelivery reads one delivery of a service with its attempts, and
// the raw answer.
func serviceDelivery(t *testing.T, p *proc, token string, projectID int64, slug string, id int64) (deliveryJSON, []byte) {
	t.Helper()
	var d deliveryJSON
	r := call(t, "GET", p.url(fmt.Sprintf("%s/%d", serviceDeliveriesPath(projectID, slug), id)), token, nil, 200, &d)
	return d, r.body
}

// testOutcome is the answer of POST .../services/:slug/test.
type testOutcome struct {
	Success    bool   `json:"success"`
	Requests   int    `json:"requests"`
	StatusCode int    `json:"status_code"`
	Response   string `json:"response"`
	Error      string `json:"error"`
}

// testService presses "Test settings" and returns the answer with its
// raw body.
func testService(t *testing.T, p *proc, token string, projectID int64, slug string) (testOutcome, []byte) {
	t.Helper()
	var out testOutcome
	r := call(t, "POST", p.url(fmt.Sprintf("/api/v4/projects/%d/services/%s/test", projectID, slug)), token, nil, 200, &out)
	return out, r.body
}

// nothingToSend is what "Test settings" answers for a service that sends
// nothing for the sample push.
var nothingToSend = testOutcome{Success: true, Error: "nothing to send for this event with these settings"}

// fixtureNamed is the fixture of that name among fixtures.
func fixtureNamed(t *testing.T, fixtures []serviceFixture, name string) serviceFixture {
	t.Helper()
	for _, f := range fixtures {
		if f.name == name {
			return f
		}
	}
	t.Fatalf("no fixture %q", name)
	return serviceFixture{}
}

// checkServices is the body of the per-service end-to-end tests, on a
// glint p started with every target reachable: each case's service is
// put on a project of its own with every event it takes on; each of
// fixtures is posted to every project, and each target must receive
// exactly the requests the service's Build makes (nothing for the events
// it does not take), each delivery logged delivered after one attempt
// with the target's answer (or skipped, where Build makes nothing).
// "Test settings" sends the sample push as Build makes it. Then every
// target refuses: the case's refuse fixture fails, showing the target's
// answer, and so does "Test settings". No secret of the cases, nor the
// intake tokens, shows in the log or the test's answers.
func checkServices(t *testing.T, p *proc, token string, cases []*serviceCase, fixtures []serviceFixture) {
	t.Helper()
	// Each service on a project of its own, every event it takes on.
	for _, c := range cases {
		svc, ok := catalog.Lookup(c.slug)
		if !ok || !registry.Acts(c.slug) {
			t.Fatalf("%s: not a service glint acts for", c.slug)
		}
		c.project = createProject(t, p, token, "svc-"+c.slug)
		c.info = projectInfo(t, p, c.project)
		form := url.Values{}
		for k, v := range c.props {
			form.Set(k, fmt.Sprint(v))
		}
		for _, e := range svc.Events {
			form.Set(e.FlagName(), "true")
		}
		var got serviceJSON
		call(t, "PUT", p.url(fmt.Sprintf("/api/v4/projects/%d/services/%s", c.project.ID, c.slug)), token, form, 200, &got)
		if !got.Active {
			t.Fatalf("%s: PUT answered an inactive service: %+v", c.slug, got)
		}
		c.intake = setIntakeToken(t, p, token, c.project.ID)
	}

	// Every fixture to every project; what each must send, by Build.
	want := map[string][]wire{}
	outcome := map[string]map[string]string{} // slug -> fixture -> sent N / skipped / none
	for _, c := range cases {
		outcome[c.slug] = map[string]string{}
		settings := resolved(t, c)
		for _, f := range fixtures {
			body := f.body(t)
			ev, err := event.Parse(f.header, body)
			if err != nil {
				t.Fatalf("%s: %v", f.name, err)
			}
			build, _ := registry.Lookup(c.slug)
			reqs, err := build(ev, settings, c.info)
			if err != nil {
				t.Fatalf("%s, %s: Build: %v", c.slug, f.name, err)
			}
			exp := expectedWire(t, reqs, c.answer)
			accepted, sends := slices.Contains(c.accepts, f.name), slices.Contains(c.sends, f.name)
			if sends != (len(exp) > 0) {
				t.Errorf("%s, %s: Build makes %d requests; the test expects it to send: %v", c.slug, f.name, len(exp), sends)
			}
			r := mustHook(t, p, c.project.ID, c.intake, f.header, "e2e-"+c.slug+"-"+f.name, body, 202)
			var acc struct {
				Deliveries int `json:"deliveries"`
			}
			if err := json.Unmarshal(r.body, &acc); err != nil || acc.Deliveries != map[bool]int{true: 1, false: 0}[accepted] {
				t.Errorf("%s, %s: intake answered %s, want %d deliveries", c.slug, f.name, r, map[bool]int{true: 1, false: 0}[accepted])
			}
			switch {
			case !accepted:
				outcome[c.slug][f.name] = "none"
			case len(exp) == 0:
				outcome[c.slug][f.name] = "skipped"
			default:
				outcome[c.slug][f.name] = fmt.Sprintf("sent %d", len(exp))
				want[c.slug] = append(want[c.slug], exp...)
			}
		}
	}

	// Wait for every delivery to finish, and every request to arrive.
	waitFor(t, 30*time.Second, "every delivery to finish", func() (bool, string) {
		var state []string
		done := true
		for _, c := range cases {
			dels := serviceDeliveries(t, p, token, c.project.ID, c.slug)
			pending := 0
			for _, d := range dels {
				if d.Status == "pending" {
					pending++
				}
			}
			n := len(c.target.received())
			if len(dels) != len(c.accepts) || pending > 0 || n < len(want[c.slug]) {
				done = false
				state = append(state, fmt.Sprintf("%s: %d deliveries (%d pending), %d of %d requests", c.slug, len(dels), pending, n, len(want[c.slug])))
			}
		}
		return done, strings.Join(state, "; ")
	})

	// What each target received, and the log.
	var texts [][]byte
	var secrets []string
	for _, c := range cases {
		secrets = append(secrets, c.secrets...)
		secrets = append(secrets, c.intake)
		sameWire(t, c.slug, c.target.received(), want[c.slug])
		for _, pr := range c.target.problems() {
			t.Errorf("%s: the target refused a request: %s", c.slug, pr)
		}
		for _, d := range serviceDeliveries(t, p, token, c.project.ID, c.slug) {
			full, raw := serviceDelivery(t, p, token, c.project.ID, c.slug, d.ID)
			texts = append(texts, raw)
			switch {
			case full.Service != c.slug:
				t.Errorf("%s: delivery %d of service %q", c.slug, d.ID, full.Service)
			case full.Status == "skipped":
				// Nothing to send is not a failure (which fixtures
				// were skipped is checked by the counts below).
				if full.LastError != "" {
					t.Errorf("%s: skipped %s delivery with last_error %q", c.slug, full.EventKind, full.LastError)
				}
			case full.Status != "delivered" || full.Attempts != 1 || full.LastError != "" || len(full.History) != 1:
				t.Errorf("%s: %s delivery %s after %d attempts, last_error %q; want delivered after 1",
					c.slug, full.EventKind, full.Status, full.Attempts, full.LastError)
			default:
				a := full.History[0]
				if a.StatusCode != c.okStatus || a.ResponseBody != c.okBody || a.Error != "" {
					t.Errorf("%s: %s attempt answered %d %q (error %q), want %d %q", c.slug, full.EventKind, a.StatusCode, a.ResponseBody, a.Error, c.okStatus, c.okBody)
				}
			}
		}
		byStatus := map[string]int{}
		for _, d := range serviceDeliveries(t, p, token, c.project.ID, c.slug) {
			byStatus[d.Status]++
		}
		wantStatus := map[string]int{}
		for _, name := range c.accepts {
			if outcome[c.slug][name] == "skipped" {
				wantStatus["skipped"]++
			} else {
				wantStatus["delivered"]++
			}
		}
		if !maps.Equal(byStatus, wantStatus) {
			t.Errorf("%s: deliveries by status %v, want %v", c.slug, byStatus, wantStatus)
		}
	}
	logTable(t, cases, fixtures, outcome)

	// "Test settings" sends the sample push, which arrives as Build makes
	// it; a service that sends nothing for it says so, and succeeds.
	sampleSends := map[string]bool{}
	for _, c := range cases {
		before := len(c.target.received())
		out, raw := testService(t, p, token, c.project.ID, c.slug)
		texts = append(texts, raw)
		header, body := event.SamplePush(c.info, "root")
		ev, err := event.Parse(header, body)
		if err != nil {
			t.Fatal(err)
		}
		build, _ := registry.Lookup(c.slug)
		reqs, err := build(ev, resolved(t, c), c.info)
		if err != nil {
			t.Fatal(err)
		}
		exp := expectedWire(t, reqs, c.answer)
		if sampleSends[c.slug] = len(exp) > 0; !sampleSends[c.slug] {
			if out != nothingToSend {
				t.Errorf("%s: Test settings answered %s, want success with nothing to send", c.slug, raw)
			}
			if n := len(c.target.received()) - before; n != 0 {
				t.Errorf("%s: Test settings sent %d requests for a sample push Build makes nothing of", c.slug, n)
			}
			continue
		}
		if !out.Success || out.StatusCode != c.okStatus || out.Response != c.okBody || out.Error != "" {
			t.Errorf("%s: Test settings answered %s, want success with %d %q", c.slug, raw, c.okStatus, c.okBody)
		}
		// The TCP target may still be reading what was written.
		waitFor(t, 5*time.Second, c.slug+": the sample push", func() (bool, string) {
			n := len(c.target.received()) - before
			return n >= len(exp), fmt.Sprintf("%d of %d requests", n, len(exp))
		})
		sameWire(t, c.slug+" test", c.target.received()[before:], exp)
	}

	// The targets now refuse: each new push fails, showing why.
	failures := map[string]targetError{}
	for _, c := range cases {
		failures[c.slug] = c.target.fail(t)
		f := fixtureNamed(t, fixtures, cmp.Or(c.refuse, "push"))
		mustHook(t, p, c.project.ID, c.intake, f.header, "e2e-"+c.slug+"-refused", f.body(t), 202)
	}
	for _, c := range cases {
		te := failures[c.slug]
		var d deliveryJSON
		waitFor(t, 20*time.Second, c.slug+": the refused push's delivery", func() (bool, string) {
			list := serviceDeliveries(t, p, token, c.project.ID, c.slug)
			if len(list) == 0 {
				return false, "no deliveries"
			}
			d = list[0] // newest first
			return d.Status != "pending" && len(list) == len(c.accepts)+1, fmt.Sprintf("%d deliveries, the newest %s", len(list), d.Status)
		})
		full, raw := serviceDelivery(t, p, token, c.project.ID, c.slug, d.ID)
		texts = append(texts, raw)
		if full.Status != "failed" || !strings.Contains(full.LastError, te.reason) || len(full.History) != full.Attempts || full.Attempts == 0 {
			t.Errorf("%s: the refused push's delivery is %s after %d attempts, last_error %q; want failed, showing %q",
				c.slug, full.Status, full.Attempts, full.LastError, te.reason)
		}
		for _, a := range full.History {
			if a.StatusCode != te.status || a.ResponseBody != te.body || !strings.Contains(a.Error, te.reason) {
				t.Errorf("%s: attempt %d answered %d %q (error %q), want %d %q (%s)", c.slug, a.Attempt, a.StatusCode, a.ResponseBody, a.Error, te.status, te.body, te.reason)
			}
		}
		out, rawTest := testService(t, p, token, c.project.ID, c.slug)
		texts = append(texts, rawTest)
		switch {
		case !sampleSends[c.slug]:
			// Nothing reaches the target: it cannot refuse.
			if out != nothingToSend {
				t.Errorf("%s: Test settings answered %s once the target refuses, want success with nothing to send", c.slug, rawTest)
			}
		case out.Success || out.StatusCode != te.status || out.Response != te.body || !strings.Contains(out.Error, te.reason):
			t.Errorf("%s: Test settings answered %s; want no success, showing %d %q (%s)", c.slug, rawTest, te.status, te.body, te.reason)
		}
		t.Logf("%-16s refused: delivery %s after %d attempt(s), last_error %q, response_body %q; test: %s",
			c.slug, full.Status, full.Attempts, full.LastError, lastAttempt(full).ResponseBody, strings.TrimSpace(string(rawTest)))
	}
	assertNoSecrets(t, "delivery log or test answer", texts, append(secrets, token)...)
}
