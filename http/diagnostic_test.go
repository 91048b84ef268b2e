package http

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"socle"
	"socle/gate"
)

// diagnosticCall calls the JSON API as the mission locale's adviser, with
// the same-origin header a browser sends, and returns the status, the
// body and the ETag.
func (e *parcoursEnv) diagnosticCall(method, path, body string, header map[string]string) (int, string, string) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Origin", e.srv.URL)
	req.Header.Set("X-Purpose", "accompagnement")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := e.staff[e.ml.OrganisationID].Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp.StatusCode, readBody(e.t, resp), resp.Header.Get("ETag")
}

func TestDiagnosticAPI(t *testing.T) {
	e := newParcoursEnv(t)
	path := "/api/v1/persons/" + e.alice.ID + "/diagnostic"
	status, body, etag := e.diagnosticCall("GET", path, "", nil)
	if status != http.StatusOK || etag != `"v0"` {
		t.Fatalf("GET a diagnostic never written: %d %s, ETag %s", status, body, etag)
	}
	valid := `{"freins":[{"theme":"mobilite","level":"important","comment":"Pas de permis."}],"situation":{"status":"sans_emploi","project":[{"code":"10891"}]}}`
	tests := []struct {
		name    string
		ifMatch string
		body    string
		status  int
		want    string
	}{
		{"without If-Match", "", valid, http.StatusPreconditionRequired, "If-Match"},
		{"an If-Match that is no version ETag", `"0"`, valid, http.StatusPreconditionFailed, "If-Match"},
		{"an unknown theme", `"v0"`, `{"freins":[{"theme":"loisirs","level":"leger"}]}`, http.StatusBadRequest, "freins.theme"},
		{"an unknown level", `"v0"`, `{"freins":[{"theme":"logement","level":"enorme"}]}`, http.StatusBadRequest, "freins.level"},
		{"an unknown field", `"v0"`, `{"freins":[],"niveau":1}`, http.StatusBadRequest, "niveau"},
		{"an unknown appellation", `"v0"`, `{"situation":{"project":[{"code":"99999999"}]}}`, http.StatusBadRequest, "situation.project"},
		{"a health frein without health", `"v0"`, `{"freins":[{"theme":"sante","level":"leger"}]}`, http.StatusForbidden, "health"},
		{"a stale version", `"v4"`, valid, http.StatusPreconditionFailed, "version"},
		{"a valid change", `"v0"`, valid, http.StatusOK, "Aide-soignant"},
		{"the same change over the old version", `"v0"`, valid, http.StatusPreconditionFailed, "version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := map[string]string{}
			if tt.ifMatch != "" {
				h["If-Match"] = tt.ifMatch
			}
			status, body, _ := e.diagnosticCall("PUT", path, tt.body, h)
			if status != tt.status || !strings.Contains(body, tt.want) {
				t.Errorf("PUT: %d %s, want %d naming %q", status, body, tt.status, tt.want)
			}
		})
	}
	status, body, etag = e.diagnosticCall("GET", path, "", nil)
	var d socle.Diagnostic
	if err := json.Unmarshal([]byte(body), &d); err != nil || status != http.StatusOK {
		t.Fatalf("GET: %d %s", status, body)
	}
	if etag != `"v1"` || d.Frein(socle.ThemeMobilite) == nil || d.Frein(socle.ThemeMobilite).By.AgentID != e.ml.AgentID ||
		len(d.Situation.Project) != 1 || d.Situation.Project[0].ROME != "J1501" {
		t.Errorf("diagnostic read back (ETag %s): %s", etag, body)
	}
}

func TestPlanAPI(t *testing.T) {
	e := newParcoursEnv(t)
	base := "/api/v1/persons/" + e.alice.ID + "/plan"
	if status, body, _ := e.diagnosticCall("GET", base, "", nil); status != http.StatusNotFound {
		t.Fatalf("GET without a plan: %d %s", status, body)
	}
	status, body, _ := e.diagnosticCall("POST", base, `{"objectives":[{"title":"Obtenir le permis B","freins":["mobilite"]}],
		"actions":[{"objective_id":"1","title":"Code de la route","provider":"Auto-école sociale de Lyon","start":"2026-04-01","due":"2026-06-30"}]}`, nil)
	var pl socle.Plan
	if err := json.Unmarshal([]byte(body), &pl); err != nil || status != http.StatusCreated || pl.Version != 1 || len(pl.Actions) != 1 {
		t.Fatalf("POST plan: %d %s", status, body)
	}
	if status, body, _ := e.diagnosticCall("POST", base, `{"objectives":[{"title":"Se soigner","freins":["sante"]}]}`, nil); status != http.StatusForbidden {
		t.Errorf("a health objective without health: %d %s, want 403", status, body)
	}
	if status, body, _ := e.diagnosticCall("POST", base, `{"objectives":[{"title":"X"}],"actions":[{"objective_id":"1","title":"Atelier"}]}`, nil); status != http.StatusBadRequest || !strings.Contains(body, "actions.provider") {
		t.Errorf("an action without provider: %d %s, want 400 naming actions.provider", status, body)
	}
	action := base + "/actions/" + pl.Actions[0].ID
	for _, tt := range []struct {
		name, body string
		status     int
	}{
		{"abandon without a reason", `{"status":"abandonnee"}`, http.StatusBadRequest},
		{"start it", `{"status":"en_cours"}`, http.StatusOK},
		{"it is done", `{"status":"realisee"}`, http.StatusOK},
		{"a done action is final", `{"status":"en_cours"}`, http.StatusConflict},
	} {
		if status, body, _ := e.diagnosticCall("PATCH", action, tt.body, nil); status != tt.status {
			t.Errorf("%s: %d %s, want %d", tt.name, status, body, tt.status)
		}
	}
	if status, body, _ := e.diagnosticCall("PATCH", base+"/actions/act_aaaaaaaaaaaaaaaaaaaa", `{"status":"en_cours"}`, nil); status != http.StatusNotFound {
		t.Errorf("an unknown action: %d %s", status, body)
	}
	if status, body, _ := e.diagnosticCall("POST", base+"/agreement", `{"version":2}`, nil); status != http.StatusConflict {
		t.Errorf("agreement to a version that is not current: %d %s", status, body)
	}
	if status, body, _ := e.diagnosticCall("POST", base+"/agreement", `{"version":1}`, nil); status != http.StatusOK || !strings.Contains(body, `"agreement"`) {
		t.Errorf("agreement: %d %s", status, body)
	}
	// Alice has no confirmed orientation: no contract can be drawn up yet.
	if status, body, _ := e.diagnosticCall("POST", base+"/contract", "", nil); status != http.StatusConflict {
		t.Errorf("contract without an orientation: %d %s, want 409", status, body)
	}
}

func TestDiagnosticAndPlanPagesKeepAnswersAndHideHealth(t *testing.T) {
	e := newParcoursEnv(t)
	c := e.staff[e.ml.OrganisationID]
	diag := "/usagers/" + e.alice.ID + "/diagnostic"
	status, body := e.staffGet(e.ml.OrganisationID, diag)
	if status != http.StatusOK || strings.Contains(body, `id="frein-sante"`) || !strings.Contains(body, "Le thème santé n'est visible") {
		t.Fatalf("diagnostic page of a mission locale: %d, health theme shown or not explained", status)
	}
	resp, body := e.net.postForm(c, diag, diag, url.Values{"version": {"0"}, "niveau_logement": {""}, "commentaire_logement": {"Hébergée chez sa sœur."},
		"niveau_mobilite": {"important"}, "metier_1": {"Aide-soignant / Aide-soignante"}, "metier_2": {"Dompteur de licornes"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="erreur-logement"`) || !strings.Contains(body, `id="erreur-metier-2"`) ||
		!strings.Contains(body, "Hébergée chez sa sœur.") || !strings.Contains(body, "Dompteur de licornes") {
		t.Errorf("diagnostic with errors: %d, want 400 with the errors next to their fields and the answers kept", resp.StatusCode)
	}
	resp, _ = e.net.postForm(c, diag, diag, url.Values{"version": {"0"}, "niveau_mobilite": {"important"}, "commentaire_mobilite": {"Pas de permis."},
		"metier_1": {"Aide-soignant / Aide-soignante"}})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasSuffix(resp.Header.Get("Location"), "/diagnostic?enregistre=1") {
		t.Errorf("diagnostic saved: %d to %s", resp.StatusCode, resp.Header.Get("Location"))
	}

	plan := "/usagers/" + e.alice.ID + "/plan"
	resp, body = e.net.postForm(c, plan, plan, url.Values{"objectif_titre_1": {"Obtenir le permis B"}, "objectif_freins_1": {"mobilite"},
		"action_titre_1": {"Code de la route"}, "action_objectif_1": {"1"}, "action_prestataire_1": {""}, "action_debut_1": {"2027-01-04"}, "action_fin_1": {"2026-12-01"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="erreur-action-prestataire-1"`) || !strings.Contains(body, `id="erreur-action-dates-1"`) ||
		!strings.Contains(body, `value="Obtenir le permis B"`) || strings.Contains(body, `value="sante"`) {
		t.Errorf("plan with errors: %d, want 400 with the errors next to their fields, the answers kept and no health theme", resp.StatusCode)
	}
	resp, _ = e.net.postForm(c, plan, plan, url.Values{"objectif_titre_1": {"Obtenir le permis B"}, "objectif_freins_1": {"mobilite"},
		"action_titre_1": {"Code de la route"}, "action_objectif_1": {"1"}, "action_prestataire_1": {"Auto-école sociale"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("plan saved: %d", resp.StatusCode)
	}
	pl, err := e.parcours.Plan(context.Background(), gate.Request{Actor: e.ml, Purpose: "accompagnement", RequestID: "test"}, e.alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	move := plan + "/actions/" + pl.Actions[0].ID
	resp, body = e.net.postForm(c, plan, move, url.Values{"statut": {"abandonnee"}, "raison": {" "}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Indiquez la raison") {
		t.Errorf("abandoning without a reason: %d, want 400 asking for the reason", resp.StatusCode)
	}
	resp, _ = e.net.postForm(c, plan, move, url.Values{"statut": {"en_cours"}})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasSuffix(resp.Header.Get("Location"), "fait=action") {
		t.Errorf("starting the action: %d to %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, _ = e.net.postForm(c, plan, plan+"/accord", url.Values{"version": {"1"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("recording the agreement: %d", resp.StatusCode)
	}
	resp, body = e.net.postForm(c, plan, plan+"/accord", url.Values{"version": {"1"}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "déjà") {
		t.Errorf("recording it twice: %d, want 409 saying so", resp.StatusCode)
	}
}
