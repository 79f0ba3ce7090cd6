package netguard

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestBlocked(t *testing.T) {
	cases := []struct {
		addr    string
		blocked bool
	}{
		// Loopback.
		{"127.0.0.1", true},
		{"127.0.0.2", true},
		{"127.255.255.254", true},
		{"::1", true},
		// RFC 1918 private.
		{"10.0.0.1", true},
		{"10.1.2.3", true},
		{"172.16.0.1", true},
		{"172.31.255.255", true},
		{"192.168.1.1", true},
		// Link-local, including the cloud metadata address.
		{"169.254.169.254", true},
		{"169.254.0.1", true},
		{"fe80::1", true},
		{"fe80::1%eth0", true},
		// CGNAT shared address space.
		{"100.64.0.1", true},
		{"100.127.255.254", true},
		// Multicast.
		{"224.0.0.1", true},
		{"239.255.255.250", true},
		{"ff02::1", true},
		{"ff05::2", true},
		{"ff01::1", true},
		// Unspecified and "this network".
		{"0.0.0.0", true},
		{"0.1.2.3", true},
		{"::", true},
		// Broadcast.
		{"255.255.255.255", true},
		// IPv6 unique-local and site-local.
		{"fc00::1", true},
		{"fd00::2", true},
		{"fec0::1", true},
		{"feff::1", true},
		// IPv4-mapped forms of blocked addresses.
		{"::ffff:127.0.0.1", true},
		{"::ffff:10.0.0.1", true},
		{"::ffff:169.254.169.254", true},
		{"::ffff:0.0.0.0", true},
		// IPv4-compatible and NAT64 embeddings of blocked addresses.
		{"::127.0.0.1", true},
		{"::10.1.2.3", true},
		{"64:ff9b::127.0.0.1", true},
		{"64:ff9b::a9fe:a9fe", true}, // 169.254.169.254
		{"64:ff9b::192.168.0.1", true},
		{"64:ff9b:1::8.8.8.8", true}, // local-use NAT64 prefix
		// 6to4 embeddings of blocked addresses.
		{"2002:7f00:1::", true},     // 127.0.0.1
		{"2002:a01:203::1", true},   // 10.1.2.3
		{"2002:a9fe:a9fe::", true},  // 169.254.169.254
		{"2002:6440:1::", true},     // 100.64.0.1
		{"2002:ffff:ffff::1", true}, // 255.255.255.255
		// Public addresses are allowed.
		{"8.8.8.8", false},
		{"1.1.1.1", false},
		{"100.63.255.255", false},
		{"100.128.0.0", false},
		{"172.15.255.255", false},
		{"172.32.0.1", false},
		{"169.253.255.255", false},
		{"192.169.0.1", false},
		{"255.255.255.254", false},
		{"2001:4860:4860::8888", false},
		{"2606:4700:4700::1111", false},
		{"::ffff:8.8.8.8", false},
		{"::8.8.8.8", false},
		{"64:ff9b::8.8.8.8", false},
		{"2002:808:808::1", false}, // 6to4 of 8.8.8.8
	}
	for _, c := range cases {
		ip, err := netip.ParseAddr(c.addr)
		if err != nil {
			t.Fatalf("ParseAddr(%q): %v", c.addr, err)
		}
		if got := Blocked(ip); got != c.blocked {
			t.Errorf("Blocked(%s) = %v, want %v", c.addr, got, c.blocked)
		}
	}
	if !Blocked(netip.Addr{}) {
		t.Error("Blocked(zero Addr) = false, want true")
	}
}

func TestCheckURL(t *testing.T) {
	cases := []struct {
		url        string
		allowLocal bool
		blocked    bool
		invalid    bool
	}{
		{"https://hooks.slack.com/services/x", false, false, false},
		{"http://127.0.0.1:8080/", false, true, false},
		{"http://localhost/", false, true, false},
		{"http://foo.localhost./", false, true, false},
		{"http://[::ffff:10.0.0.1]/", false, true, false},
		{"http://127.0.0.1:8080/", true, false, false},
		{"ftp://example.com/", false, false, true},
		{"example.com", false, false, true},
	}
	for _, c := range cases {
		err := CheckURL(c.url, c.allowLocal)
		switch {
		case c.blocked && !errors.Is(err, ErrBlocked):
			t.Errorf("CheckURL(%q, %v) = %v, want ErrBlocked", c.url, c.allowLocal, err)
		case c.invalid && (err == nil || errors.Is(err, ErrBlocked)):
			t.Errorf("CheckURL(%q, %v) = %v, want an invalid-URL error", c.url, c.allowLocal, err)
		case !c.blocked && !c.invalid && err != nil:
			t.Errorf("CheckURL(%q, %v) = %v, want nil", c.url, c.allowLocal, err)
		}
	}
}

// listen starts a TCP listener on 127.0.0.1 that accepts and closes
// connections, and returns its port.
func listen(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

func TestNewDialerRefusesBlocked(t *testing.T) {
	port := listen(t)
	d := NewDialer(false, 2*time.Second)
	targets := []string{
		net.JoinHostPort("127.0.0.1", port),
		net.JoinHostPort("localhost", port), // resolved, then refused
		net.JoinHostPort("::1", port),
		net.JoinHostPort("::ffff:127.0.0.1", port),
		net.JoinHostPort("0.0.0.0", port),
		"10.1.2.3:80", // refused before connect: no packet leaves
		"169.254.169.254:80",
		"100.64.0.1:80",
	}
	for _, addr := range targets {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		start := time.Now()
		c, err := d.DialContext(ctx, "tcp", addr)
		cancel()
		if err == nil {
			c.Close()
			t.Errorf("dial %s: connected, want ErrBlocked", addr)
			continue
		}
		if !errors.Is(err, ErrBlocked) {
			t.Errorf("dial %s: %v, want ErrBlocked", addr, err)
		}
		if !strings.Contains(err.Error(), "is blocked") {
			t.Errorf("dial %s: error %q does not name the blocked address", addr, err)
		}
		if took := time.Since(start); took > time.Second {
			t.Errorf("dial %s took %v, want a fast refusal", addr, took)
		}
	}
}

func TestNewDialerAllowLocal(t *testing.T) {
	port := listen(t)
	d := NewDialer(true, 2*time.Second)
	for _, host := range []string{"127.0.0.1", "localhost"} {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		c, err := d.DialContext(ctx, "tcp4", net.JoinHostPort(host, port))
		cancel()
		if err != nil {
			t.Errorf("dial %s with allowLocal: %v", host, err)
			continue
		}
		c.Close()
	}
}

func TestRefuseBlockedNamesAddress(t *testing.T) {
	err := refuseBlocked("tcp4", "10.1.2.3:80", nil)
	if !errors.Is(err, ErrBlocked) || !strings.Contains(err.Error(), "10.1.2.3:80") {
		t.Errorf("refuseBlocked(10.1.2.3:80) = %v", err)
	}
	if err := refuseBlocked("tcp4", "8.8.8.8:443", nil); err != nil {
		t.Errorf("refuseBlocked(8.8.8.8:443) = %v, want nil", err)
	}
	if err := refuseBlocked("tcp6", "[2001:4860:4860::8888]:443", nil); err != nil {
		t.Errorf("refuseBlocked([2001:4860:4860::8888]:443) = %v, want nil", err)
	}
	if err := refuseBlocked("unix", "/run/docker.sock", nil); !errors.Is(err, ErrBlocked) {
		t.Errorf("refuseBlocked(unix socket) = %v, want ErrBlocked", err)
	}
}
