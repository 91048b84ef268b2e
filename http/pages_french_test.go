package http

import (
	"net/http"
	"strings"
	"testing"

	"socle"
	"socle/store/storetest"
)

// TestPageErrorsAreFrench asks the real server for pages whose errors come
// from the gate or the request parsing with an English message (written
// for the API) and checks that the page shows a French sentence instead.
func TestPageErrorsAreFrench(t *testing.T) {
	e := newNetworkEnv(t)
	adviser := e.clients[socle.KindYouth]
	// The journal is the privacy officer's: an adviser is stopped by the
	// menu's route check before the page reads its parameters.
	dpo := storetest.NewAgent(e.actors[socle.KindYouth].OrganisationID, "dpo@example.fr")
	dpo.Roles = []socle.Role{socle.RoleAuditor}
	officer := e.enrolAndLogin(e.db, e.identity, dpo)
	tests := []struct {
		name    string
		client  *http.Client
		path    string
		status  int
		english []string // fragments of the English message
		french  string
	}{
		{"unknown purpose on a file", adviser, "/usagers/" + e.person.ID + "?finalite=inconnue", http.StatusBadRequest,
			[]string{"unknown purpose", "declare one of"}, "La demande n&#39;est pas valide"},
		{"malformed date in the journal", officer, "/journal?du=hier", http.StatusBadRequest,
			[]string{"parameter du", "RFC 3339"}, "Indiquez une date valide"},
		{"journal for an adviser", adviser, "/journal", http.StatusForbidden,
			[]string{"auditor"}, "ne fait pas partie de vos habilitations"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := e.get(tt.client, tt.path, "")
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
