package outbound_test

// TCP writes to integrationtest's sink: an external test package, since
// integrationtest uses this package's client.

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/integrationtest"
	"github.com/glint-dev/glint/internal/netguard"
	"github.com/glint-dev/glint/internal/outbound"
)

func TestDoTCPWritesBody(t *testing.T) {
	addr, got, _ := integrationtest.TCPSink(t)
	c := outbound.New(outbound.Options{AllowLocal: true, Timeout: 5 * time.Second})
	body := []byte("{\"to\":[\"irc://irc.example.net/#glint\"],\"privmsg\":\"one\"}\n{\"to\":[],\"privmsg\":\"two\"}\n")
	// Method and URL are not used for a TCP request.
	res, err := c.Do(context.Background(), integration.Request{TCP: addr, Body: body, Method: "POST", URL: "ftp://ignored"})
	if err != nil {
		t.Fatal(err)
	}
	if !res.TCP || res.Status != 0 || res.Header != nil || res.Body != nil {
		t.Errorf("result %+v, want TCP with no status, header or body", res)
	}
	if o := outbound.Classify(res, nil); o != (outbound.Outcome{}) {
		t.Errorf("outbound.Classify(TCP write) = %+v, want success", o)
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
	c := outbound.New(outbound.Options{Timeout: 2 * time.Second})
	for _, target := range []string{addr, "localhost:" + p, "[::1]:" + p, "10.1.2.3:6659"} {
		res, err := c.Do(context.Background(), integration.Request{TCP: target, Body: []byte("x\n")})
		if err == nil || !errors.Is(err, netguard.ErrBlocked) {
			t.Errorf("%s: %v, %v; want ErrBlocked", target, res, err)
			continue
		}
		if o := outbound.Classify(res, err); o.Retry || !strings.Contains(o.Reason, "blocked") {
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
