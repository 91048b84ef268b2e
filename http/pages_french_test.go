package http

import (
	"net/http"
	"strings"
	"testing"

	"socle"
)

// TestPageErrorsAreFrench asks the real server for pages whose errors come
// from the gate or the request parsing with an English message (written
// for the API) and checks that the page shows a French sentence instead.
func TestPageErrorsAreFrench(t *testing.T) {
	e := newNetworkEnv(t)
	adviser := e.clients[socle.KindYouth]
	tests := []struct {
		name    string
		path    string
		status  int
		english []string // fragments of the English message
		french  string
	}{
		{"unknown purpose on a file", "/usagers/" + e.person.ID + "?finalite=inconnue", http.StatusBadRequest,
			[]string{"unknown purpose", "declare one of"}, "La demande n&#39;est pas valide"},
		{"malformed date in the journal", "/journal?du=hier", http.StatusBadRequest,
			[]string{"parameter du", "RFC 3339"}, "La demande n&#39;est pas valide"},
		{"journal for an adviser", "/journal", http.StatusForbidden,
			[]string{"auditor"}, "Vous n&#39;avez pas accès"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := e.get(adviser, tt.path, "")
			if resp.StatusCode != tt.status || !strings.Contains(body, tt.french) {
				t.Fatalf("GET %s: %d, want %d with %q:\n%s", tt.path, resp.StatusCode, tt.status, tt.french, body)
			}
			for _, en := range tt.english {
				if strings.Contains(body, en) {
					t.Errorf("GET %s shows the English %q", tt.path, en)
				}
			}
		})
	}
}
