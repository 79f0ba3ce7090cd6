// Package netguard decides which network addresses glint may reach on a
// user's behalf. Like GitLab's "Allow requests to the local network from
// web hooks and services" setting, local and private targets are refused
// unless an administrator allows them.
package netguard

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
)

// ErrBlocked is returned for a target on the local or a private network.
var ErrBlocked = errors.New("requests to the local network are not allowed")

var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// Blocked reports whether ip is loopback, private, link-local, CGNAT,
// multicast or unspecified, also when written as an IPv4-mapped IPv6
// address.
func Blocked(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() || cgnat.Contains(ip) ||
		!ip.IsValid()
}

// blockedHost reports a host name that needs no lookup to know it is local.
func blockedHost(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	return h == "localhost" || strings.HasSuffix(h, ".localhost")
}

// CheckURL validates a URL setting: it must be an absolute http(s) URL
// with a host, and, unless allowLocal, must not name a local host or
// address. Names are not resolved here: the outbound client checks every
// address it connects to, which also defeats DNS rebinding.
func CheckURL(raw string, allowLocal bool) error {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" {
		return errors.New("must be a valid URL")
	}
	if allowLocal {
		return nil
	}
	host := u.Hostname()
	if blockedHost(host) {
		return fmt.Errorf("is blocked: %w", ErrBlocked)
	}
	if ip, err := netip.ParseAddr(host); err == nil && Blocked(ip) {
		return fmt.Errorf("is blocked: %w", ErrBlocked)
	}
	return nil
}
