package outbound

import (
	"context"
	"errors"
	"github.com/glint-dev/glint/internal/integration/integrationtest"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/netguard"
)

func TestDoTCPWritesBody(t *testing.T) {
	addr, got, _ := integrationtest.TCPSink(t)
	c := local(Options{})
	body := []byte("{\"to\":[\"irc://irc.example.net/#glint\"],\"privmsg\":\"one\"}\n{\"to\":[],\"privmsg\":\"two\"}\n")
	// Method and URL are not used for a TCP request.
	res, err := c.Do(context.Background(), integration.Request{TCP: addr, Body: body, Method: "POST", URL: "ftp://ignored"})
	if err != nil {
		t.Fatal(err)
	}
	if !res.TCP || res.Status != 0 || res.Header != nil || res.Body != nil {
		t.Errorf("result %+v, want TCP with no status, header or body", res)
	}
	if o := Classify(res, nil); o != (Outcome{}) {
		t.Errorf("Classify(TCP write) = %+v, want success", o)
	}
	select {
	case b := <-got:
		if string(b) != string(body) {
			t.Errorf("received %q, want %q", b, body)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("nothing received")
	}
}

func TestDoTCPRefusesLocalTargets(t *testing.T) {
	addr, _, conns := integrationtest.TCPSink(t)
	_, p, _ := net.SplitHostPort(addr)
	c := New(Options{Timeout: 2 * time.Second})
	for _, target := range []string{addr, "localhost:" + p, "[::1]:" + p, "10.1.2.3:6659"} {
		res, err := c.Do(context.Background(), integration.Request{TCP: target, Body: []byte("x\n")})
		if err == nil || !errors.Is(err, netguard.ErrBlocked) {
			t.Errorf("%s: %v, %v; want ErrBlocked", target, res, err)
			continue
		}
		if o := Classify(res, err); o.Retry || !strings.Contains(o.Reason, "blocked") {
			t.Errorf("%s: Classify = %+v, want final and blocked", target, o)
		}
		if !strings.HasPrefix(err.Error(), "TCP "+target+": ") {
			t.Errorf("%s: error %q does not name the call", target, err)
		}
	}
	time.Sleep(50 * time.Millisecond)
	if n := conns.Load(); n != 0 {
		t.Errorf("the listener saw %d connections, want none", n)
	}
}

func TestDoTCPInvalidAddress(t *testing.T) {
	c := local(Options{})
	for _, addr := range []string{"irc.example.net", ":6659", "irc.example.net:", "irc://irc.example.net:6659"} {
		res, err := c.Do(context.Background(), integration.Request{TCP: addr, Body: []byte("x\n")})
		if !errors.Is(err, ErrInvalidURL) {
			t.Errorf("%q: %v, %v; want ErrInvalidURL", addr, res, err)
		}
		if o := Classify(res, err); o.Retry {
			t.Errorf("%q: Classify = %+v, want final", addr, o)
		}
	}
}

func TestDoTCPConnectionRefusedIsRetried(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	res, err := local(Options{}).Do(context.Background(), integration.Request{TCP: addr, Body: []byte("x\n")})
	if err == nil {
		t.Fatal("connected to a closed port")
	}
	if o := Classify(res, err); !o.Retry {
		t.Errorf("Classify(connection refused) = %+v, want retry", o)
	}
}

func TestDoTCPTimeout(t *testing.T) {
	// A listener that accepts and never reads: the write blocks once the
	// socket buffers are full, until the client's timeout.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	held := make(chan net.Conn, 1)
	go func() {
		if conn, err := ln.Accept(); err == nil {
			held <- conn
		}
	}()
	t.Cleanup(func() {
		select {
		case conn := <-held:
			conn.Close()
		default:
		}
	})
	c := local(Options{Timeout: 300 * time.Millisecond})
	start := time.Now()
	res, err := c.Do(context.Background(), integration.Request{TCP: ln.Addr().String(), Body: make([]byte, 64<<20)})
	if err == nil {
		t.Fatalf("a 64 MiB write to a reader that never reads succeeded: %+v", res)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("took %v, want about the 300ms timeout", elapsed)
	}
	var oe *Error
	if !errors.As(err, &oe) || !oe.Timeout() {
		t.Errorf("error %v, want a timeout *Error", err)
	}
	if o := Classify(res, err); !o.Retry {
		t.Errorf("Classify(timeout) = %+v, want retry", o)
	}
}

func TestClassifyTCP(t *testing.T) {
	if o := Classify(&Result{TCP: true}, nil); o != (Outcome{}) {
		t.Errorf("Classify(TCP, nil) = %+v, want success", o)
	}
	// Status 0 without the TCP mark is still no success.
	if o := Classify(&Result{}, nil); o.Reason == "" {
		t.Errorf("Classify(status 0, not TCP) = %+v, want a failure", o)
	}
}
