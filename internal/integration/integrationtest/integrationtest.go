// Package integrationtest holds the helpers every integration's tests use,
// so that all of them have the same shape: golden files for what is sent,
// a recording HTTP server on 127.0.0.1 to send it to, and a check that no
// secret leaks into errors, logs or requests where it does not belong.
//
// It is imported by tests only.
package integrationtest

import (
	"bytes"
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

// Send sends r through net/http as the delivery code does (method, URL,
// headers and body) and returns the answer's status and body.
func Send(t testing.TB, r integration.Request) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(r.Method, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = r.Header.Clone()
	if req.Header == nil {
		req.Header = http.Header{}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, answer
}

// SendAll sends requests in order as the delivery code does: it stops at
// the first answer that is not 2xx (but goes on after a 404 to an Optional
// request), and asks a request's Then what to send next after a 2xx
// answer. It returns the last answer's status (0 when
// nothing was sent) and how many requests were sent.
func SendAll(t testing.TB, reqs []integration.Request) (status, sent int) {
	t.Helper()
	for _, r := range reqs {
		code, answer := Send(t, r)
		sent++
		if r.Optional && code == http.StatusNotFound {
			continue
		}
		status = code
		if code < 200 || code > 299 {
			return status, sent
		}
		if r.Then == nil {
			continue
		}
		more, err := r.Then(answer)
		if err != nil {
			t.Fatalf("what follows %s %s: %v", r.Method, r.URL, err)
		}
		if len(more) == 0 {
			continue
		}
		code, n := SendAll(t, more)
		status, sent = code, sent+n
		if code < 200 || code > 299 {
			return status, sent
		}
	}
	return status, sent
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
