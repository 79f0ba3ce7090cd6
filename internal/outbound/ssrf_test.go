package outbound

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/netguard"
)

// hitCounter starts a server on 127.0.0.1 that counts the requests it gets.
func hitCounter(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func port(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	_, p, err := net.SplitHostPort(srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDoRefusesLocalTargets(t *testing.T) {
	srv, hits := hitCounter(t)
	p := port(t, srv)
	c := New(Options{Timeout: 2 * time.Second})
	targets := []string{
		"http://127.0.0.1:" + p + "/",
		"http://[::1]:" + p + "/",
		"http://localhost:" + p + "/", // a name: refused on its resolved address
		"http://127.0.0.2/",
		"http://[::ffff:127.0.0.1]:" + p + "/",
		"http://0.0.0.0:" + p + "/",
		"http://10.1.2.3/", // refused before connect, so never dialed
		"http://169.254.169.254/latest/meta-data/",
		"http://100.64.0.1/",
		"https://[fd00::2]/",
		"http://[64:ff9b::a9fe:a9fe]/",
	}
	for _, target := range targets {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		start := time.Now()
		res, err := c.Do(ctx, integration.Request{Method: http.MethodPost, URL: target})
		took := time.Since(start)
		cancel()
		if err == nil {
			t.Errorf("%s: got status %d, want ErrBlocked", target, res.Status)
			continue
		}
		if !errors.Is(err, netguard.ErrBlocked) {
			t.Errorf("%s: error %v does not wrap netguard.ErrBlocked", target, err)
		}
		if took > time.Second {
			t.Errorf("%s: refusal took %v, want it at connect time", target, took)
		}
		if o := Classify(res, err); o.Retry || !strings.Contains(o.Reason, "blocked") {
			t.Errorf("%s: Classify = %+v, want final and blocked", target, o)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("local server got %d requests, want 0", n)
	}
}

func TestDoAllowLocalReachesServer(t *testing.T) {
	srv, hits := hitCounter(t)
	c := New(Options{AllowLocal: true, Timeout: 2 * time.Second})
	for _, target := range []string{srv.URL + "/hook", "http://localhost:" + port(t, srv) + "/hook"} {
		res, err := c.Do(context.Background(), integration.Request{Method: http.MethodPost, URL: target})
		if err != nil {
			t.Fatalf("%s: %v", target, err)
		}
		if res.Status != http.StatusNoContent {
			t.Errorf("%s: status %d, want 204", target, res.Status)
		}
	}
	if n := hits.Load(); n != 2 {
		t.Errorf("server got %d requests, want 2", n)
	}
}

// TestRedirectHopCheckedByDialer shows each redirect hop is connected
// through the guarded dialer: with a guard that lets only 127.0.0.1
// through, a redirect from it to 127.0.0.2 is refused.
func TestRedirectHopCheckedByDialer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, p, _ := net.SplitHostPort(r.Host)
		http.Redirect(w, r, "http://127.0.0.2:"+p+"/next", http.StatusFound)
	}))
	t.Cleanup(srv.Close)
	only127001 := func(network, address string, _ syscall.RawConn) error {
		if !strings.HasPrefix(address, "127.0.0.1:") {
			return fmt.Errorf("address %s is blocked: %w", address, netguard.ErrBlocked)
		}
		return nil
	}
	d := &net.Dialer{Timeout: 2 * time.Second, Control: only127001}
	c := newClient(Options{Timeout: 2 * time.Second}, d)
	_, err := c.Do(context.Background(), integration.Request{Method: http.MethodGet, URL: srv.URL + "/start"})
	if !errors.Is(err, netguard.ErrBlocked) {
		t.Fatalf("redirect to 127.0.0.2: %v, want ErrBlocked", err)
	}
	if !strings.Contains(err.Error(), "127.0.0.2") {
		t.Errorf("error %q does not name the refused address", err)
	}
}

func TestDialTCP(t *testing.T) {
	listening := serveConns(t, func(net.Conn) {})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()

	blocked := New(Options{Timeout: 2 * time.Second})
	for _, addr := range []string{listening, "localhost:6659", "10.1.2.3:6659", "[::1]:6659"} {
		conn, err := blocked.DialTCP(ctx, addr)
		if err == nil {
			conn.Close()
			t.Errorf("DialTCP(%s) connected, want ErrBlocked", addr)
		} else if !errors.Is(err, netguard.ErrBlocked) {
			t.Errorf("DialTCP(%s) = %v, want ErrBlocked", addr, err)
		}
	}

	allowed := New(Options{AllowLocal: true, Timeout: 2 * time.Second})
	conn, err := allowed.DialTCP(ctx, listening)
	if err != nil {
		t.Fatalf("DialTCP with AllowLocal: %v", err)
	}
	conn.Close()
}
