package outbound

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/glint-dev/glint/internal/integration"
)

// walkServer answers /lookup with lookup, /broken with 404, /big/<n> with
// n bytes of JSON string, and anything else with 201 "done <path>"; it
// records the paths asked for.
func walkServer(t *testing.T, lookup string) (*httptest.Server, func() []string) {
	t.Helper()
	var mu sync.Mutex
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.Path)
		mu.Unlock()
		switch {
		case r.URL.Path == "/lookup":
			w.Write([]byte(lookup))
		case r.URL.Path == "/broken":
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte("no"))
		case strings.HasPrefix(r.URL.Path, "/big/"):
			n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/big/"))
			w.Write(bigJSON(n))
		default:
			w.WriteHeader(http.StatusCreated)
			w.Write([]byte("done " + r.URL.Path))
		}
	}))
	t.Cleanup(srv.Close)
	return srv, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), paths...)
	}
}

// bigJSON is a JSON string of exactly n bytes (n >= 2).
func bigJSON(n int) []byte {
	return []byte(`"` + strings.Repeat("x", n-2) + `"`)
}

// TestWalk: a request's Then is asked after a 2xx answer, with the whole
// answer, and what it returns is sent before the requests after it; a
// failure there stops everything, and an error from Then is final.
func TestWalk(t *testing.T) {
	long := `{"rooms":[` + strings.Repeat(`{"id":1,"name":"padding"},`, 400) + `{"id":42,"name":"x"}]}`
	srv, paths := walkServer(t, long)
	c := local(Options{})
	ctx := context.Background()
	lookup := func(then func([]byte) ([]integration.Request, error)) integration.Request {
		return integration.Request{Method: http.MethodGet, URL: srv.URL + "/lookup", Then: then}
	}
	to := func(path string) integration.Request {
		return integration.Request{Method: http.MethodPost, URL: srv.URL + path}
	}

	var got []byte
	res, err := c.Walk(ctx, []integration.Request{lookup(func(b []byte) ([]integration.Request, error) {
		got = b
		return []integration.Request{to("/speak")}, nil
	}), to("/after")})
	if err != nil || res.Status != http.StatusCreated || string(res.Body) != "done /after" || string(got) != long || len(long) <= 4096 {
		t.Fatalf("result %+v, %v; Then got %d bytes of %d", res, err, len(got), len(long))
	}
	if p := paths(); strings.Join(p, " ") != "/lookup /speak /after" {
		t.Fatalf("sent %v", p)
	}

	// Nothing to send next: go on with the rest.
	res, err = c.Walk(ctx, []integration.Request{lookup(func([]byte) ([]integration.Request, error) { return nil, nil })})
	if err != nil || res.Status != http.StatusOK || len(res.Body) != 4096 || res.Answer == nil {
		t.Fatalf("result %d, %d bytes logged, %v", res.Status, len(res.Body), err)
	}

	// A follow-up that fails stops the rest.
	before := len(paths())
	res, err = c.Walk(ctx, []integration.Request{lookup(func([]byte) ([]integration.Request, error) {
		return []integration.Request{to("/broken")}, nil
	}), to("/after")})
	if err != nil || res.Status != http.StatusNotFound || len(paths()) != before+2 {
		t.Fatalf("result %+v, %v, %d sent", res, err, len(paths())-before)
	}

	// Then's error is final, and shown as it is.
	res, err = c.Walk(ctx, []integration.Request{lookup(func([]byte) ([]integration.Request, error) {
		return nil, errors.New(`no room named "x"`)
	}), to("/after")})
	var f *FollowUpError
	if !errors.As(err, &f) || err.Error() != `no room named "x"` || res == nil || res.Status != http.StatusOK {
		t.Fatalf("result %+v, %v", res, err)
	}
	if o := Classify(res, err); o.Retry || o.Reason != `follow-up: no room named "x"` {
		t.Errorf("Classify = %+v", o)
	}

	// A lookup that is not answered 2xx asks Then nothing.
	res, err = c.Walk(ctx, []integration.Request{{Method: http.MethodGet, URL: srv.URL + "/broken",
		Then: func([]byte) ([]integration.Request, error) { t.Error("Then asked after a 404"); return nil, nil }}})
	if err != nil || res.Status != http.StatusNotFound {
		t.Fatalf("result %+v, %v", res, err)
	}
}

// TestWalkAnswerLimit: Then gets an answer of exactly MaxAnswer bytes
// whole; one byte more is refused with an error naming the limit and the
// call (its secret parts redacted), final, and Then is not asked. The log
// keeps the first 4 KiB either way, and requests without a Then are not
// read past it.
func TestWalkAnswerLimit(t *testing.T) {
	srv, _ := walkServer(t, "")
	c := local(Options{})
	ctx := context.Background()
	var got []byte
	then := func(b []byte) ([]integration.Request, error) { got = b; return nil, nil }
	res, err := c.Walk(ctx, []integration.Request{{URL: srv.URL + "/big/" + strconv.Itoa(MaxAnswer), Then: then}})
	if err != nil || !bytes.Equal(got, bigJSON(MaxAnswer)) || len(res.Body) != 4096 || res.AnswerErr != nil {
		t.Fatalf("Then got %d bytes, logged %d, %v", len(got), len(res.Body), err)
	}

	got = nil
	res, err = c.Walk(ctx, []integration.Request{{URL: srv.URL + "/big/" + strconv.Itoa(MaxAnswer+1) + "?token=s3cr3t", Then: then}})
	if !errors.Is(err, ErrAnswerTooLarge) || got != nil || res == nil || !errors.Is(res.AnswerErr, ErrAnswerTooLarge) || res.Answer != nil || len(res.Body) != 4096 {
		t.Fatalf("Then got %d bytes; result %v, %v", len(got), res != nil, err)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "GET "+srv.URL+"/big/") || !strings.Contains(msg, "1 MiB") || strings.Contains(msg, "s3cr3t") {
		t.Errorf("error %q", msg)
	}
	if o := Classify(res, err); o.Retry || !strings.Contains(o.Reason, "1 MiB") {
		t.Errorf("Classify = %+v", o)
	}

	res, err = c.Do(ctx, integration.Request{URL: srv.URL + "/big/" + strconv.Itoa(2*MaxAnswer)})
	if err != nil || res.Answer != nil || res.AnswerErr != nil || len(res.Body) != 4096 {
		t.Errorf("without a Then: %v, answer %d bytes", err, len(res.Answer))
	}
}

// TestWalkAnswerCutShort: an answer that ends before its Content-Length
// (the connection dropped) is an error worth retrying for a request with
// a Then, which never sees part of it.
func TestWalkAnswerCutShort(t *testing.T) {
	addr := serveConns(t, func(conn net.Conn) {
		buf := make([]byte, 4096)
		_, _ = conn.Read(buf)
		_, _ = conn.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"rooms\":["))
	})
	asked := false
	res, err := local(Options{}).Walk(context.Background(), []integration.Request{{URL: "http://" + addr + "/rooms.json",
		Then: func([]byte) ([]integration.Request, error) { asked = true; return nil, nil }}})
	if err == nil || asked || res != nil {
		t.Fatalf("result %+v, %v; Then asked: %v", res, err, asked)
	}
	if o := Classify(res, err); !o.Retry {
		t.Errorf("Classify = %+v, want a retry", o)
	}
}

// serveConns listens on 127.0.0.1 until the test ends, hands each
// connection to handle and then closes it; it returns the address.
func serveConns(t *testing.T, handle func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			handle(conn)
			conn.Close()
		}
	}()
	return ln.Addr().String()
}
