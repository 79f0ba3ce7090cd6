package outbound

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/glint-dev/glint/internal/integration"
)

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
