package webhook

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"

	"siaga112/tracking"
)

// Webhooks are POSTed by the server, from inside the centre's network, to
// addresses an admin typed: without a guard one could read the cloud's
// metadata service (169.254.169.254), the server's own ports or the LAN's.
// So targets in the ranges below are refused, at subscription (the URL's
// host and every address its name resolves to) and again at each
// connection, on the address actually dialled, so a name that later
// resolves elsewhere (DNS rebinding) gains nothing. Redirects are never
// followed. Config.AllowPrivate (--webhook-allow-private) lifts the range
// check for centres whose gateways live on their own network.

// internalRanges are the ranges a webhook may not reach, with their names
// for the error sentence; netip's predicates cover the rest.
var internalRanges = []struct {
	prefix netip.Prefix
	kind   string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "\"this network\""},               // 0.0.0.0 reaches the host itself on Linux
	{netip.MustParsePrefix("100.64.0.0/10"), "shared (carrier-grade NAT)"}, // RFC 6598; some clouds' metadata
	{netip.MustParsePrefix("192.0.0.0/24"), "reserved (IETF protocol)"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking"},
	{netip.MustParsePrefix("255.255.255.255/32"), "broadcast"},
	{netip.MustParsePrefix("fec0::/10"), "site-local"},
}

// nat64 embeds an IPv4 address in its last 32 bits (RFC 6052).
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// internalKind names the kind of range a refuses, or "" for a public
// address.
func internalKind(a netip.Addr) string {
	a = a.WithZone("").Unmap()
	if nat64.Contains(a) {
		b := a.As16()
		a = netip.AddrFrom4([4]byte(b[12:]))
	}
	switch {
	case !a.IsValid():
		return "invalid"
	case a.IsLoopback():
		return "loopback"
	case a.IsLinkLocalUnicast(), a.IsLinkLocalMulticast():
		return "link-local"
	case a.IsPrivate():
		return "private"
	case a.IsUnspecified():
		return "unspecified"
	case a.IsMulticast():
		return "multicast"
	}
	for _, r := range internalRanges {
		if r.prefix.Contains(a) {
			return r.kind
		}
	}
	return ""
}

// errInternal is an address refused by the guard.
type errInternal struct {
	host string // as written in the URL; "" at connect
	addr netip.Addr
	kind string
}

func (e *errInternal) Error() string {
	a := "a"
	if strings.ContainsRune("aeiou", rune(e.kind[0])) {
		a = "an"
	}
	what := fmt.Sprintf("%s is %s %s address", e.addr, a, e.kind)
	if e.host != "" && e.host != e.addr.String() {
		what = fmt.Sprintf("%s resolves to %s, %s %s address", e.host, e.addr, a, e.kind)
	}
	return what + ": webhooks may not reach the server itself or internal networks (start the server with --webhook-allow-private to allow it)"
}

// checkTarget refuses a subscription whose host is, or resolves to, an
// internal address. A name that does not resolve now is let through (the
// connection is checked again at each delivery) and logged.
func (s *Service) checkTarget(ctx context.Context, rawURL string) error {
	if s.cfg.AllowPrivate {
		return nil
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return tracking.Errorf(tracking.CodeInvalid, "the url is not a URL: %v", err)
	}
	host := u.Hostname()
	if a, err := netip.ParseAddr(host); err == nil {
		if kind := internalKind(a); kind != "" {
			return tracking.Errorf(tracking.CodeInvalid, "the url's host %v", &errInternal{addr: a, kind: kind})
		}
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	addrs, err := s.cfg.LookupIP(ctx, host)
	if err != nil {
		s.log.Warn("webhook host does not resolve now; each delivery's connection will be checked", "host", host, "err", err)
		return nil
	}
	for _, a := range addrs {
		if kind := internalKind(a); kind != "" {
			return tracking.Errorf(tracking.CodeInvalid, "the url's host %v", &errInternal{host: host, addr: a.Unmap(), kind: kind})
		}
	}
	return nil
}

func lookupIP(ctx context.Context, host string) ([]netip.Addr, error) {
	return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
}

// guardedClient is the default delivery client: each attempt bounded by
// timeout, no redirects followed (the 3xx is the attempt's answer), no
// proxy from the environment (a proxy would connect where the guard cannot
// see), and, unless allowPrivate, every connection refused before it is
// made when its address is internal.
func guardedClient(timeout time.Duration, allowPrivate bool) *http.Client {
	dialer := &net.Dialer{Timeout: min(timeout, 30*time.Second), KeepAlive: 30 * time.Second}
	if !allowPrivate {
		dialer.Control = func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("webhook connection to %q refused: not an IP address and port", address)
			}
			if kind := internalKind(ap.Addr()); kind != "" {
				return &errInternal{addr: ap.Addr().WithZone("").Unmap(), kind: kind}
			}
			return nil
		}
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	tr.DialContext = dialer.DialContext
	return &http.Client{Timeout: timeout, Transport: tr, CheckRedirect: noRedirects}
}

// noRedirects makes a 3xx the answer: a receiver that moved is a failed
// attempt (its admin updates the webhook's url), never a hop to wherever
// the answer points.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
