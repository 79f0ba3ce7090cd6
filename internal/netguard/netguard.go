// Package netguard decides which network addresses glint may reach on a
// user's behalf. Like GitLab's "Allow requests to the local network from
// web hooks and services" setting, local and private targets are refused
// unless an administrator allows them.
package netguard

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ErrBlocked is returned for a target on the local or a private network.
var ErrBlocked = errors.New("requests to the local network are not allowed")

var (
	thisNetwork = netip.MustParsePrefix("0.0.0.0/8")     // RFC 1122 "this network"
	cgnat       = netip.MustParsePrefix("100.64.0.0/10") // RFC 6598 shared address space
	broadcast   = netip.AddrFrom4([4]byte{255, 255, 255, 255})
	siteLocal   = netip.MustParsePrefix("fec0::/10")      // RFC 3879, deprecated but still routed locally
	v4Compat    = netip.MustParsePrefix("::/96")          // RFC 4291 IPv4-compatible, deprecated
	nat64       = netip.MustParsePrefix("64:ff9b::/96")   // RFC 6052 well-known NAT64 prefix
	nat64Local  = netip.MustParsePrefix("64:ff9b:1::/48") // RFC 8215 local-use NAT64 prefix
	sixToFour   = netip.MustParsePrefix("2002::/16")      // RFC 3056 6to4
)

// Blocked reports whether ip must not be reached unless local requests
// are allowed: loopback, private (RFC 1918 and IPv6 unique-local fc00::/7),
// link-local, CGNAT 100.64.0.0/10, multicast, unspecified, 0.0.0.0/8,
// 255.255.255.255, IPv6 site-local fec0::/10 and the local-use NAT64
// prefix. An IPv4 address embedded in an IPv6 one (IPv4-mapped
// ::ffff:a.b.c.d, IPv4-compatible ::a.b.c.d, NAT64 64:ff9b::a.b.c.d, 6to4
// 2002:aabb:ccdd::) is blocked when the IPv4 address is. An invalid address
// is blocked.
func Blocked(ip netip.Addr) bool {
	if !ip.IsValid() {
		return true
	}
	// Prefix.Contains never matches a zoned address, so drop the zone.
	ip = ip.Unmap().WithZone("")
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return true
	}
	if ip.Is4() {
		return thisNetwork.Contains(ip) || cgnat.Contains(ip) || ip == broadcast
	}
	if siteLocal.Contains(ip) || nat64Local.Contains(ip) {
		return true
	}
	b := ip.As16()
	switch {
	case v4Compat.Contains(ip), nat64.Contains(ip):
		return Blocked(netip.AddrFrom4([4]byte(b[12:16])))
	case sixToFour.Contains(ip):
		return Blocked(netip.AddrFrom4([4]byte(b[2:6])))
	}
	return false
}

// NewDialer returns a dialer that, unless allowLocal, refuses to connect to
// any address for which Blocked is true. The check runs in the dialer's
// Control hook, after name resolution and before connect(2), on the very
// address being dialed: a name that resolves to a local address, or that
// changes its answer between a check and the connection (DNS rebinding),
// is refused all the same, and no packet is sent to a refused address. The
// refusal wraps ErrBlocked and names the address.
func NewDialer(allowLocal bool, timeout time.Duration) *net.Dialer {
	d := &net.Dialer{Timeout: timeout}
	if !allowLocal {
		d.Control = refuseBlocked
	}
	return d
}

// refuseBlocked is a net.Dialer Control function. It fails closed: an
// address it cannot parse as IP:port (a Unix socket path, say) is refused.
func refuseBlocked(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%s address %q is not an IP address and port: %w", network, address, ErrBlocked)
	}
	if Blocked(ap.Addr()) {
		return fmt.Errorf("address %s is blocked: %w", address, ErrBlocked)
	}
	return nil
}

// blockedHost reports a host name that needs no lookup to know it is local.
func blockedHost(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	return h == "localhost" || strings.HasSuffix(h, ".localhost")
}

// CheckURL validates a URL setting: it must be an absolute http(s) URL
// with a host, and, unless allowLocal, must not name a local host or
// address, in any spelling the resolver takes for one (hostIP). Names are not resolved here: the outbound client checks every
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
	if ip, ok := hostIP(host); ok && Blocked(ip) {
		return fmt.Errorf("is blocked: %w", ErrBlocked)
	}
	return nil
}

// hostIP reads a URL's host as an address the way the resolver would:
// an IPv6 literal, or an IPv4 address in any spelling inet_aton(3) takes
// (and so GitLab's UrlBlocker, through getaddrinfo): one to four parts
// separated by dots, each decimal, octal (leading 0) or hexadecimal (0x),
// the last one filling the remaining bytes. "2130706433", "0x7f000001",
// "017700000001", "127.1" and "0" are all addresses. A trailing dot is
// dropped. ok is false for a name.
func hostIP(host string) (netip.Addr, bool) {
	host = strings.TrimSuffix(host, ".")
	if ip, err := netip.ParseAddr(host); err == nil {
		return ip, true
	}
	parts := strings.Split(host, ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	var vals []uint64
	for _, p := range parts {
		v, ok := atonPart(p)
		if !ok {
			return netip.Addr{}, false
		}
		vals = append(vals, v)
	}
	var n uint64
	last := len(vals) - 1
	for i, v := range vals[:last] {
		if v > 0xff {
			return netip.Addr{}, false
		}
		n |= v << (8 * (3 - i))
	}
	if rest := 8 * (4 - last); vals[last] >= 1<<rest {
		return netip.Addr{}, false
	}
	n |= vals[last]
	return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}), true
}

// atonPart parses one part of an inet_aton address.
func atonPart(p string) (uint64, bool) {
	base := 10
	switch {
	case len(p) > 1 && (p[:2] == "0x" || p[:2] == "0X"):
		base, p = 16, p[2:]
		if p == "" { // "0x" alone is 0 to inet_aton
			return 0, true
		}
	case len(p) > 1 && p[0] == '0':
		base, p = 8, p[1:]
	}
	if p == "" {
		return 0, false
	}
	v, err := strconv.ParseUint(p, base, 32)
	return v, err == nil
}
