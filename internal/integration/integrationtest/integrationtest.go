// Package integrationtest holds the helpers every integration's tests use,
// so that all of them have the same shape: golden files for what is sent,
// a recording HTTP server on 127.0.0.1 to send it to, and a check that no
// secret leaks into errors, logs or requests where it does not belong.
//
// It is imported by tests only.
package integrationtest

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/outbound"
)

// update rewrites golden files instead of comparing with them:
// go test ./internal/integration/... -update
var update = flag.Bool("update", false, "rewrite golden files with the output of the tests")

// Golden compares got with the golden file at path, or writes it there when
// the tests run with -update.
func Golden(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to create it)", err)
		return
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run the test with -update to accept the new output)\n%s", path, firstDifference(want, got))
	}
}

// firstDifference shows the first line where two texts part.
func firstDifference(want, got []byte) string {
	w := strings.Split(string(want), "\n")
	g := strings.Split(string(got), "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl || i >= len(w) || i >= len(g) {
			return fmt.Sprintf("line %d:\n  want %q\n  got  %q", i+1, wl, gl)
		}
	}
	return "(no line differs)"
}

// Request is one request a Recorder received.
type Request struct {
	Method string
	Path   string // the path as sent, still escaped
	Query  string
	Header http.Header
	Body   []byte
}

// Recorder is an HTTP server on 127.0.0.1 that records every request and
// answers each with the same status and body (200 "ok" unless changed).
type Recorder struct {
	// URL is the server's base URL, "http://127.0.0.1:<port>".
	URL string

	mu       sync.Mutex
	requests []Request
	status   int
	body     string
	answer   func(Request) (int, string)
}

// RecordingServer starts a Recorder, closed when the test ends.
func RecordingServer(t testing.TB) *Recorder {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &Recorder{status: http.StatusOK, body: "ok"}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(r.serve))
	srv.Listener.Close()
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	r.URL = srv.URL
	return r
}

func (r *Recorder) serve(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	got := Request{
		Method: req.Method,
		Path:   req.URL.EscapedPath(),
		Query:  req.URL.RawQuery,
		Header: req.Header.Clone(),
		Body:   body,
	}
	r.mu.Lock()
	r.requests = append(r.requests, got)
	status, answer, f := r.status, r.body, r.answer
	r.mu.Unlock()
	if f != nil {
		status, answer = f(got)
	}
	w.WriteHeader(status)
	io.WriteString(w, answer)
}

// Respond sets the status and body of the answers to come.
func (r *Recorder) Respond(status int, body string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.status, r.body = status, body
}

// Answer makes the recorder answer each request with what f says, as a
// real target would: f checks what that target requires of a request and
// answers accordingly. It replaces Respond's fixed answer.
func (r *Recorder) Answer(f func(Request) (status int, body string)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.answer = f
}

// Requests returns what was received so far, oldest first.
func (r *Recorder) Requests() []Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Request(nil), r.requests...)
}

// Client returns the production outbound client as the delivery code
// builds it (User-Agent, timeouts, answer handling, the SSRF guard), with
// requests to the local network allowed, as tests need, and each of
// overrides ("FROM=TO", see outbound.ParseOverride) sending the calls of
// a service's fixed endpoint to a local stand-in.
func Client(t testing.TB, overrides ...string) *outbound.Client {
	t.Helper()
	if len(overrides) == 0 {
		return sharedClient()
	}
	parsed, err := outbound.ParseOverrides(overrides)
	if err != nil {
		t.Fatal(err)
	}
	return newClient(parsed)
}

// sharedClient is the client without overrides, shared as production
// shares its client.
var sharedClient = sync.OnceValue(func() *outbound.Client { return newClient(nil) })

func newClient(overrides []outbound.Override) *outbound.Client {
	return outbound.New(outbound.Options{AllowLocal: true, Timeout: 10 * time.Second, Overrides: overrides})
}

// Send sends r through the production client (see Client) and returns the
// answer's status and its first 4 KiB, as the delivery log keeps them.
func Send(t testing.TB, r integration.Request) (int, []byte) {
	t.Helper()
	res, err := Client(t).Do(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	return res.Status, res.Body
}

// Sent is one request a Walk sent, with the answer it had: the whole
// answer for a request with a Then, the first 4 KiB otherwise.
type Sent struct {
	Request integration.Request
	Status  int
	Answer  []byte
}

// Walk sends reqs through c as the delivery code does (outbound.Walk:
// in order, stopping at the first answer that is not 2xx, the whole answer
// given to a request's Then and what it returns sent next) and returns
// every request sent, with its answer, and the walk's error.
func Walk(t testing.TB, c *outbound.Client, reqs []integration.Request) ([]Sent, error) {
	t.Helper()
	var sent []Sent
	_, err := outbound.Walk(context.Background(), func(ctx context.Context, r integration.Request) (*outbound.Result, error) {
		res, err := c.Do(ctx, r)
		if err == nil {
			answer := res.Body
			if r.Then != nil {
				answer = res.Answer
			}
			sent = append(sent, Sent{Request: r, Status: res.Status, Answer: answer})
		}
		return res, err
	}, reqs)
	return sent, err
}

// SendAll walks reqs through the production client (see Walk and
// Client), failing the test on an error (no answer, or a follow-up that
// refused one). It returns the last answer's status (0 when nothing was
// sent) and how many requests were sent.
func SendAll(t testing.TB, reqs []integration.Request) (status, sent int) {
	t.Helper()
	got, err := Walk(t, Client(t), reqs)
	if err != nil {
		t.Fatalf("after %d requests: %v", len(got), err)
	}
	if len(got) == 0 {
		return 0, 0
	}
	return got[len(got)-1].Status, len(got)
}

// AssertNoSecret fails the test when any text holds the secret, as is or
// percent-encoded.
func AssertNoSecret(t testing.TB, secret string, texts ...string) {
	t.Helper()
	if secret == "" {
		t.Fatal("AssertNoSecret: empty secret")
		return
	}
	forms := []string{secret}
	for _, f := range []string{url.QueryEscape(secret), url.PathEscape(secret)} {
		if f != secret {
			forms = append(forms, f)
		}
	}
	for i, text := range texts {
		for _, f := range forms {
			if strings.Contains(text, f) {
				t.Errorf("text %d leaks the secret %q: %q", i, secret, text)
			}
		}
	}
}

// TCPSink listens on 127.0.0.1 and passes everything each connection sends,
// up to its close, to the returned channel; conns counts connections.
func TCPSink(t testing.TB) (addr string, got <-chan []byte, conns *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	ch := make(chan []byte, 8)
	var n atomic.Int64
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			go func() {
				defer conn.Close()
				_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
				b, _ := io.ReadAll(conn)
				ch <- b
			}()
		}
	}()
	return ln.Addr().String(), ch, &n
}
