package webhook

import (
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDeliveriesTrustTheConfiguredAuthority: a receiver whose certificate
// a private authority issued is refused by default and reached once that
// authority is given (TrustedRoots); the address guard still applies.
func TestDeliveriesTrustTheConfiguredAuthority(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	dir := t.TempDir()
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	roots, err := TrustedRoots(caFile)
	if err != nil {
		t.Fatal(err)
	}
	post := func(c *http.Client) error {
		resp, err := c.Post(srv.URL+"/hook", "application/json", strings.NewReader("{}"))
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	if err := post(guardedClient(true, nil)); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("without the authority: %v, want a certificate error", err)
	}
	if err := post(guardedClient(true, roots)); err != nil {
		t.Errorf("with the authority: %v", err)
	}
	if err := post(guardedClient(false, roots)); err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("with the authority, loopback not allowed: %v, want refused when dialling", err)
	}

	for _, tt := range []struct {
		name, content, want string
	}{
		{"an empty file", "", "no PEM certificate"},
		{"a key", string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1}})), "only certificates"},
		{"a broken certificate", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1, 2, 3}})), "certificate 1"},
	} {
		path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-"))
		if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := TrustedRoots(path); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
	if _, err := TrustedRoots(filepath.Join(dir, "absent.pem")); err == nil || !strings.Contains(err.Error(), "reading the authorities") {
		t.Errorf("an absent file: %v", err)
	}
}
