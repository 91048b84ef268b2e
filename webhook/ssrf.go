package webhook

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// A subscription URL is the partner's to choose, and Socle posts to it from
// inside the network: without a guard it would be a way to reach the
// platform's own services, the private network or the cloud's metadata
// endpoint (server-side request forgery). The guard runs twice: on the
// addresses the host resolves to when subscribing (a clear 400), and on
// the address actually dialled at each delivery, after resolution (a
// dialer Control), so that a name that later resolves elsewhere (DNS
// rebinding) is refused too. Proxies from the environment are not used:
// the address dialled is the receiver's.

// reservedPrefixes are the ranges outside the public Internet that the
// netip predicates do not cover.
var reservedPrefixes = []struct {
	prefix netip.Prefix
	why    string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "a reserved address"},
	{netip.MustParsePrefix("100.64.0.0/10"), "a shared (carrier-grade NAT) address"},
	{netip.MustParsePrefix("192.0.0.0/24"), "a reserved address"},
	{netip.MustParsePrefix("192.0.2.0/24"), "a documentation address"},
	{netip.MustParsePrefix("198.18.0.0/15"), "a benchmarking address"},
	{netip.MustParsePrefix("198.51.100.0/24"), "a documentation address"},
	{netip.MustParsePrefix("203.0.113.0/24"), "a documentation address"},
	{netip.MustParsePrefix("240.0.0.0/4"), "a reserved address"},
	{netip.MustParsePrefix("64:ff9b::/96"), "a NAT64 address"},
	{netip.MustParsePrefix("64:ff9b:1::/48"), "a NAT64 address"},
	{netip.MustParsePrefix("2001:db8::/32"), "a documentation address"},
	{netip.MustParsePrefix("2002::/16"), "a 6to4 address"},
}

// forbiddenAddress is an address a webhook may not reach, and why.
type forbiddenAddress struct {
	ip  netip.Addr
	why string
}

func (e *forbiddenAddress) Error() string { return e.ip.String() + " is " + e.why }

// checkAddress refuses an address outside the public Internet: loopback
// (unless allowLoopback, for tests and the demo), private, link-local
// (169.254.169.254, the cloud metadata endpoint, is one), unspecified,
// multicast and the reserved ranges.
func checkAddress(ip netip.Addr, allowLoopback bool) error {
	ip = ip.Unmap()
	why := ""
	switch {
	case !ip.IsValid():
		why = "not an IP address"
	case ip.IsLoopback():
		if allowLoopback {
			return nil
		}
		why = "a loopback address"
	case ip.IsPrivate():
		why = "a private address"
	case ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast():
		why = "a link-local address (such as the cloud metadata endpoint)"
	case ip.IsUnspecified():
		why = "an unspecified address"
	case ip.IsMulticast(), ip.IsInterfaceLocalMulticast():
		why = "a multicast address"
	default:
		for _, r := range reservedPrefixes {
			if r.prefix.Contains(ip) {
				why = r.why
				break
			}
		}
	}
	if why == "" {
		return nil
	}
	return &forbiddenAddress{ip: ip, why: why}
}

// checkHost resolves host (unless it is an address) and refuses it when
// it resolves to no address or to any address checkAddress refuses.
func checkHost(ctx context.Context, resolver *net.Resolver, host string, allowLoopback bool) error {
	if ip, err := netip.ParseAddr(host); err == nil {
		return checkAddress(ip, allowLoopback)
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	ips, err := resolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(ips) == 0 {
		return fmt.Errorf("the host %s does not resolve", host)
	}
	for _, ip := range ips {
		if err := checkAddress(ip, allowLoopback); err != nil {
			return fmt.Errorf("the host %s resolves to %w", host, err)
		}
	}
	return nil
}

// guardedClient posts deliveries: it dials only addresses checkAddress
// allows, uses no proxy and follows no redirect (a 3xx is a failed
// attempt, retried).
func guardedClient(allowLoopback bool, roots *x509.CertPool) *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second, Control: func(network, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return fmt.Errorf("webhook: dialling %q: %w", address, err)
		}
		ip, err := netip.ParseAddr(host)
		if err != nil {
			return fmt.Errorf("webhook: dialling %q: not an IP address", address)
		}
		return checkAddress(ip, allowLoopback)
	}}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.Proxy = nil
	transport.DialContext = dialer.DialContext
	if roots != nil {
		transport.TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	}
	return &http.Client{Timeout: 10 * time.Second, Transport: transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}
