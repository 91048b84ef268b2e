package webhook

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
)

func TestWebhookAddressesArePublicOnly(t *testing.T) {
	tests := []struct {
		addr          string
		allowLoopback bool
		want          string // "" when allowed
	}{
		{"93.184.215.14", false, ""},
		{"2a00:1450:4007:80e::200e", false, ""},
		{"127.0.0.1", false, "loopback"},
		{"127.0.0.1", true, ""},
		{"::1", false, "loopback"},
		{"::ffff:127.0.0.1", false, "loopback"},
		{"10.1.2.3", false, "private"},
		{"172.16.0.1", false, "private"},
		{"192.168.1.1", true, "private"},
		{"fd00:ec2::254", false, "private"},
		{"169.254.169.254", false, "link-local"},
		{"fe80::1", false, "link-local"},
		{"0.0.0.0", false, "unspecified"},
		{"::", false, "unspecified"},
		{"100.64.0.1", false, "carrier-grade"},
		{"239.1.1.1", false, "multicast"},
		{"255.255.255.255", false, "reserved"},
		{"64:ff9b::a00:1", false, "NAT64"},
	}
	for _, tt := range tests {
		err := checkAddress(netip.MustParseAddr(tt.addr), tt.allowLoopback)
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%s (loopback allowed %v): %v, want %q", tt.addr, tt.allowLoopback, err, tt.want)
		}
	}
}

func TestSubscriptionURLsAreChecked(t *testing.T) {
	s := &Service{cfg: Config{Resolver: net.DefaultResolver}}
	tests := []struct {
		url, want string
	}{
		{"https://93.184.215.14/hook", ""},
		{"http://93.184.215.14/hook", "https required"},
		{"ftp://93.184.215.14/hook", "https required"},
		{"https://user:pw@93.184.215.14/hook", "without credentials"},
		{"/hook", "absolute URL"},
		{"https://127.0.0.1:8443/hook", "loopback"},
		{"https://localhost/hook", "loopback address"},
		{"https://169.254.169.254/latest/meta-data", "link-local"},
		{"https://[fe80::1]/hook", "link-local"},
		{"https://10.0.0.5/hook", "private"},
		{"https://does-not-exist.invalid/hook", "does not resolve"},
		{"http://127.0.0.1/hook", "https required"},
	}
	for _, tt := range tests {
		err := s.checkURL(context.Background(), tt.url)
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%s: %v, want %q", tt.url, err, tt.want)
		}
	}
	s.cfg.AllowLoopbackHTTP = true
	for _, u := range []string{"http://127.0.0.1:8080/hook", "http://localhost:8080/hook", "https://127.0.0.1/hook"} {
		if err := s.checkURL(context.Background(), u); err != nil {
			t.Errorf("%s with loopback allowed: %v", u, err)
		}
	}
	if err := s.checkURL(context.Background(), "http://10.0.0.5/hook"); err == nil {
		t.Error("a private address over http with loopback allowed: accepted")
	}
}

// TestDeliveriesDialPublicAddressesOnly: the delivery client refuses, when
// dialling, an address the subscription check would refuse (a host that
// resolved elsewhere when subscribing), and follows no redirect.
func TestDeliveriesDialPublicAddressesOnly(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data", http.StatusFound)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()

	if _, err := guardedClient(false, nil).Post(srv.URL+"/hook", "application/json", strings.NewReader("{}")); err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("posting to a loopback receiver: %v, want refused when dialling", err)
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the receiver was reached %d times", n)
	}
	resp, err := guardedClient(true, nil).Post(srv.URL+"/hook", "application/json", strings.NewReader("{}"))
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("posting with loopback allowed: %v", err)
	}
	resp.Body.Close()
	resp, err = guardedClient(true, nil).Post(srv.URL+"/redirect", "application/json", strings.NewReader("{}"))
	if err != nil || resp.StatusCode != http.StatusFound {
		t.Fatalf("a redirect: %v, want the 302 itself", err)
	}
	resp.Body.Close()
}
