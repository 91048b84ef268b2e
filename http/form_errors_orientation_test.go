package http

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"socle"
)

// TestOrientationAnswerErrorsStandBesideTheirFields: the receiving
// structure answers a request with no decision, a refusal without reason,
// "Autre motif" without comment and a comment too long; each error stands
// beside its field, the choices and the comment come back, and the
// request stays open.
func TestOrientationAnswerErrorsStandBesideTheirFields(t *testing.T) {
	e := newParcoursEnv(t)
	ml, dep := e.ml.OrganisationID, e.dep.OrganisationID
	status, h, body := e.apiCall(ml, "POST", "/api/v1/persons/"+e.alice.ID+"/orientation-requests",
		`{"to_organisation_id":"`+dep+`","parcours":"social","motive":"Difficultés de logement."}`, nil)
	if status != http.StatusCreated {
		t.Fatalf("send: %d %s", status, body)
	}
	page := "/demandes-orientation/" + strings.TrimPrefix(h.Get("Location"), "/api/v1/orientation-requests/")
	long := strings.Repeat("Trop long. ", 200)
	tests := []struct {
		name                 string
		form                 url.Values
		field, message, kept string
	}{
		{"no decision", url.Values{"comment": {"À voir."}}, "decision", "Choisissez d&#39;accepter ou de refuser", ">À voir.</textarea>"},
		{"a refusal without reason", url.Values{"decision": {"refuser"}, "comment": {"Complet."}}, "reason", "motif du refus", `value="refuser" checked`},
		{"another reason without comment", url.Values{"decision": {"refuser"}, "reason": {socle.HandoffOtherReason}}, "comment", "demande une explication",
			`value="` + socle.HandoffOtherReason + `" selected`},
		{"a comment too long", url.Values{"decision": {"accepter"}, "comment": {long}}, "comment", "au plus 2 000 caractères", `value="accepter" checked`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := e.net.postForm(e.staff[dep], page, page, tt.form)
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", resp.StatusCode)
			}
			form := section(t, body, `id="reponse"`, `</form>`)
			checkChoiceOrFieldError(t, form, tt.field, "decision", tt.message, tt.kept)
		})
	}
	if _, body := e.staffGet(dep, page); !strings.Contains(body, `id="reponse"`) {
		t.Error("a refused answer closed the request")
	}
}

// TestOrientationRequestErrorsStandBesideTheirFields: the orienting
// adviser sends a request without structure, parcours or motive, then,
// after a refusal, ends the parcours without saying why: each error stands
// beside its field, the answers come back, and nothing is sent or
// concluded.
func TestOrientationRequestErrorsStandBesideTheirFields(t *testing.T) {
	e := newParcoursEnv(t)
	ml, dep := e.ml.OrganisationID, e.dep.OrganisationID
	page := "/usagers/" + e.alice.ID + "/demandes-orientation"
	tests := []struct {
		name                 string
		form                 url.Values
		field, message, kept string
	}{
		{"no structure", url.Values{"parcours": {"social"}, "motive": {"Logement précaire."}}, "to_organisation_id", "Choisissez la structure", `value="social" selected`},
		{"no parcours", url.Values{"to_organisation_id": {dep}, "motive": {"Logement précaire."}}, "parcours", "Choisissez le parcours", ">Logement précaire.</textarea>"},
		{"no motive", url.Values{"to_organisation_id": {dep}, "parcours": {"social"}, "motive": {"  "}}, "motive", "Expliquez en quelques mots", `value="` + dep + `" selected`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := e.net.postForm(e.staff[ml], page, page, tt.form)
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", resp.StatusCode)
			}
			checkFieldError(t, section(t, body, `id="nouvelle-demande"`, `</form>`), tt.field, tt.message, tt.kept)
		})
	}
	if _, body := e.staffGet(ml, page); strings.Contains(body, `id="demandes"`) {
		t.Fatal("a refused form sent a request")
	}

	status, h, body := e.apiCall(ml, "POST", "/api/v1/persons/"+e.alice.ID+"/orientation-requests",
		`{"to_organisation_id":"`+dep+`","parcours":"social","motive":"Difficultés de logement."}`, nil)
	if status != http.StatusCreated {
		t.Fatalf("send: %d %s", status, body)
	}
	rid := strings.TrimPrefix(h.Get("Location"), "/api/v1/orientation-requests/")
	if status, _, body := e.apiCall(dep, "POST", "/api/v1/orientation-requests/"+rid+"/answer", `{"accept":false,"reason":"`+socle.HandoffRefusalReasons[0]+`"}`, nil); status != http.StatusOK {
		t.Fatalf("refusal: %d %s", status, body)
	}
	resp, body := e.net.postForm(e.staff[ml], page, page+"/"+rid+"/suite", url.Values{"outcome": {socle.HandoffOutcomeExit}})
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("an exit without reason: %d, want 400", resp.StatusCode)
	}
	checkFieldError(t, section(t, body, `id="decision-sortie"`, `</form>`), "exit_reason", "motif de la sortie", "")
	if _, body := e.staffGet(ml, page); !strings.Contains(body, `id="apres-refus"`) {
		t.Error("a refused exit concluded the request")
	}
}

// checkChoiceOrFieldError checks the error of field in a form: a group of
// choices (the fieldset named choice, described by its error) or a
// field (checkFieldError); and that the answer kept came back.
func checkChoiceOrFieldError(t *testing.T, form, field, choice, message, kept string) {
	t.Helper()
	if field == choice {
		if !strings.Contains(form, `aria-describedby="erreur-`+field+`"`) || !strings.Contains(section(t, form, `id="erreur-`+field+`"`, `</p>`), message) {
			t.Errorf("the choice %s does not carry its error:\n%s", field, form)
		}
	} else {
		checkFieldError(t, form, field, message, kept)
	}
	if !strings.Contains(form, kept) {
		t.Errorf("the answer %s did not come back", kept)
	}
}
