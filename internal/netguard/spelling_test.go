package netguard

import (
	"errors"
	"testing"
)

// TestCheckURLSpellings: every spelling of a local address that the
// resolver (and so GitLab's UrlBlocker) takes for one is refused; names
// and public addresses pass, whatever their spelling.
func TestCheckURLSpellings(t *testing.T) {
	blocked := []string{
		"http://2130706433/", "http://0x7f000001/", "http://0X7F000001/", "http://017700000001/",
		"http://127.1/", "http://127.0.1/", "http://0/", "http://0x0/", "http://00/", "http://0177.0.0.1/",
		"http://0x7f.1/", "http://127.000.000.001/", "http://127.0.0.1./", "http://10.1/", "http://167772161/",
		"http://192.168.1/", "http://3232235777/", "http://0xa9fea9fe/", "http://169.254.169.254/",
		"http://[::1]/", "http://[::]/", "http://[0:0:0:0:0:0:0:1]/", "http://[::ffff:127.0.0.1]/",
		"http://[::ffff:7f00:1]/", "http://[0:0:0:0:0:ffff:7f00:1]/", "http://[::127.0.0.1]/",
		"http://[::ffff:a00:1]/", "http://[fe80::1%25eth0]/", "http://[fc00::1]/", "http://[64:ff9b::7f00:1]/",
		"http://[2002:7f00:1::]/", "http://LOCALHOST/", "http://a.localhost./",
	}
	for _, raw := range blocked {
		if err := CheckURL(raw, false); !errors.Is(err, ErrBlocked) {
			t.Errorf("%s: %v, want blocked", raw, err)
		}
		if err := CheckURL(raw, true); err != nil {
			t.Errorf("%s with local requests allowed: %v", raw, err)
		}
	}
	allowed := []string{
		"http://example.com/", "http://8.8.8.8/", "http://134744072/", "http://0x08080808/", "http://8.8.2056/",
		"http://[2001:db8::1]/", "http://[::ffff:8.8.8.8]/", "http://1.2.3.4.5/", "http://08.1/", "http://127.1.example/",
	}
	for _, raw := range allowed {
		if err := CheckURL(raw, false); err != nil {
			t.Errorf("%s: %v, want allowed", raw, err)
		}
	}
	if err := CheckURL("http://0x/", false); !errors.Is(err, ErrBlocked) {
		t.Errorf("http://0x/ (inet_aton reads 0.0.0.0): %v", err)
	}
	for _, raw := range []string{"http://4294967296/", "http://256.1.1.1/", "http://1.16777216/"} {
		if _, ok := hostIP(raw[7 : len(raw)-1]); ok {
			t.Errorf("%s read as an address", raw)
		}
	}
}

// FuzzHostIP: whatever the host, hostIP never panics, and an address it
// reads from a dotted-decimal host is the one netip reads.
func FuzzHostIP(f *testing.F) {
	for _, s := range []string{"127.1", "0x7f000001", "017700000001", "0", "::1", "1.2.3.4", "0x", "00", "a.b", "1..2", "4294967295"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, host string) {
		ip, ok := hostIP(host)
		if ok && !ip.IsValid() {
			t.Fatalf("%q: invalid address reported ok", host)
		}
	})
}
