package e2e

// Helpers of the per-service end-to-end tests: stand-ins for the services'
// targets (HTTP on 127.0.0.1, and a TCP one for irker), requests reduced to
// what crosses the wire, and the delivery log of any service.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/glint-dev/glint/internal/delivery"
	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/integrationtest"
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
// makes to it, so that what follows is expected too.
func expectedWire(t *testing.T, reqs []integration.Request, answer func(integration.Request) []byte) []wire {
	t.Helper()
	var out []wire
	for _, r := range reqs {
		if r.TCP != "" {
			out = append(out, wire{Method: "TCP", Body: string(r.Body)})
			continue
		}
		out = append(out, wire{Method: r.Method, URI: requestURI(r.URL), Header: r.Header, Body: string(r.Body)})
		if r.Then == nil {
			continue
		}
		more, err := r.Then(answer(r))
		if err != nil {
			t.Fatalf("what follows %s %s: %v", r.Method, requestURI(r.URL), err)
		}
		out = append(out, expectedWire(t, more, answer)...)
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
