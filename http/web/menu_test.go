package web

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"socle"
	"socle/http/httpx"
)

func agentActor(roles ...socle.Role) socle.Actor {
	return socle.Actor{AgentID: "agt_test", Roles: roles, Strength: socle.AuthMFA}
}

// TestMenuShowsOnlyWhatTheRoleOpens: each role's menu holds its pages and
// none of another role's.
func TestMenuShowsOnlyWhatTheRoleOpens(t *testing.T) {
	tests := []struct {
		name      string
		actor     socle.Actor
		want, not []string
	}{
		{"adviser", agentActor(socle.RoleAdviser), []string{"/", "/usagers", "/agenda", "/rectifications", "/entreprises", "/declarations"}, []string{"/alertes", "/journal", "/agents", "/admin/conventions", "/verifications-identite"}},
		{"company adviser", agentActor(socle.RoleCompanyAdviser), []string{"/entreprises", "/offres"}, []string{"/usagers", "/agenda", "/alertes"}},
		{"structure admin", agentActor(socle.RoleOrgAdmin), []string{"/agents", "/demandes", "/indicateurs"}, []string{"/usagers", "/alertes", "/admin/conventions", "/verifications-identite"}},
		{"privacy officer", agentActor(socle.RoleAuditor), []string{"/alertes", "/bris-de-glace", "/personnes-protegees", "/journal", "/declarations"}, []string{"/usagers", "/agents", "/demandes"}},
		{"platform admin", agentActor(socle.RolePlatformAdmin), []string{"/admin/conventions", "/demandes", "/indicateurs", "/verifications-identite"}, []string{"/usagers", "/alertes", "/agents"}},
		{"agent before her second factor", socle.Actor{AgentID: "agt_test", Roles: []socle.Role{socle.RoleAdviser}, Strength: socle.AuthPassword}, []string{"/", "/structures"}, []string{"/usagers"}},
		{"person", socle.Actor{PersonID: "per_test", Strength: socle.AuthPassword}, []string{"/usager/parcours", "/usager/dossier", "/usager/acces"}, []string{"/usagers", "/"}},
		{"employer", socle.Actor{ContactID: "ctc_test"}, []string{"/employeur/offres"}, []string{"/usagers", "/usager/dossier"}},
		{"visitor", socle.Actor{}, []string{"/", "/structures", "/offres", "/usager", "/employeur"}, []string{"/usagers", "/sessions"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var paths []string
			for _, l := range menuLinks(tt.actor, "/") {
				paths = append(paths, l.Path)
			}
			for _, p := range tt.want {
				if !slices.Contains(paths, p) {
					t.Errorf("menu %v lacks %s", paths, p)
				}
			}
			for _, p := range tt.not {
				if slices.Contains(paths, p) {
					t.Errorf("menu %v shows %s", paths, p)
				}
			}
		})
	}
}

// TestMenuOpensIdentityChecksOnlyWithFranceConnect: the identity checks
// are served only when FranceConnect is on; the menu follows.
func TestMenuOpensIdentityChecksOnlyWithFranceConnect(t *testing.T) {
	admin := agentActor(socle.RolePlatformAdmin)
	for _, on := range []bool{false, true} {
		r := &renderer{franceConnect: on}
		shown := slices.ContainsFunc(r.menuLinks(admin, "/"), func(l navLink) bool { return l.Path == identityChecksPath })
		if shown != on {
			t.Errorf("FranceConnect on: %v, the menu opens the identity checks: %v", on, shown)
		}
	}
}

type fixedActor socle.Actor

func (a fixedActor) Authenticate(*http.Request) (socle.Actor, error) { return socle.Actor(a), nil }

// TestAPageOutsideTheRolesMenuIsExplained: the route check uses the menu's
// table; an agent whose roles do not open a page gets 403 and a French
// page naming the roles that do; the others reach the page's handler.
func TestAPageOutsideTheRolesMenuIsExplained(t *testing.T) {
	r := &renderer{pages: loadPages(), version: "test"}
	mux := http.NewServeMux()
	reached := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) })
	handle := roleGuard(r, mux.Handle)
	for _, p := range []string{"GET /alertes", "GET /offres", "GET /usagers/{id}", "POST /alertes/{id}/etat"} {
		handle(p, reached)
	}
	tests := []struct {
		name, method, path string
		actor              socle.Actor
		wantStatus         int
		wantText           string
	}{
		{"adviser on the alerts", "GET", "/alertes", agentActor(socle.RoleAdviser), http.StatusForbidden, "Délégué à la protection des données"},
		{"privacy officer on the alerts", "GET", "/alertes", agentActor(socle.RoleAuditor), http.StatusTeapot, ""},
		{"visitor on the alerts, sent to sign in by the page", "GET", "/alertes", socle.Actor{}, http.StatusTeapot, ""},
		{"privacy officer on the public offers", "GET", "/offres", agentActor(socle.RoleAuditor), http.StatusTeapot, ""},
		{"a page outside the menu is the gate's to decide", "GET", "/usagers/per_x", agentActor(socle.RoleAuditor), http.StatusTeapot, ""},
		{"a form is the service's to decide", "POST", "/alertes/x/etat", agentActor(socle.RoleAdviser), http.StatusTeapot, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			httpx.Authenticate(fixedActor(tt.actor), mux).ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
			if rec.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d", rec.Code, tt.wantStatus)
			}
			if body := rec.Body.String(); !strings.Contains(body, tt.wantText) || (tt.wantText != "" && !strings.Contains(body, "Accès réservé")) {
				t.Errorf("the page does not explain which role opens it: %s", body)
			}
		})
	}
}
