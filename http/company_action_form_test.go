package http

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"socle"
)

// TestCompanyActionErrorsStandBesideTheirFields posts the company file's
// prospection form with an action type not in the list or a note too
// long: each error stands beside its field, the answers come back, and no
// action is recorded.
func TestCompanyActionErrorsStandBesideTheirFields(t *testing.T) {
	e := newCompanyEnv(t)
	page := "/entreprises/" + e.offer.CompanyID
	long := strings.Repeat("a", 2001)
	tests := []struct {
		name, kind, note, field, message, kept string
	}{
		{"a type not in the list", "telepathie", "Appel au recruteur", "type", "Choisissez le type", `value="Appel au recruteur"`},
		{"a note too long", "", long, "note", "2 000 caractères", `value="` + long + `"`},
	}
	firstKind := socle.CompanyActionKinds[0]
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kind := tt.kind
			if kind == "" {
				kind = firstKind
			}
			resp, body := e.postForm(e.adviser, page, page+"/actions", url.Values{"type": {kind}, "note": {tt.note}})
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", resp.StatusCode)
			}
			checkFieldError(t, body, tt.field, tt.message, tt.kept)
			if tt.kind == "" && !strings.Contains(body, `value="`+firstKind+`" selected`) {
				t.Error("the type chosen did not come back")
			}
			if strings.Contains(body, `fr-alert--error fr-alert--sm erreur" role="alert">`) {
				t.Error("a field's error is also a page alert")
			}
		})
	}
	if _, body := e.net.get(e.adviser, page, ""); !strings.Contains(body, "Aucune action de prospection.") {
		t.Error("a refused form recorded an action")
	}
}

// TestProposalWithoutAgreementStandsBesideTheBox proposes a candidate
// without her agreement: the error stands beside her agreement box on the
// matching page, and the employer sees no candidate. Proposing her twice
// stays a page message: it is about no field.
func TestProposalWithoutAgreementStandsBesideTheBox(t *testing.T) {
	e := newCompanyEnv(t)
	page := "/offres/" + e.offer.ID + "/appariement"
	box := "consentement-" + e.followed.ID
	resp, body := e.postForm(e.adviser, page, "/offres/"+e.offer.ID+"/propositions", url.Values{"personne": {e.followed.ID}})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("status %d, want 403", resp.StatusCode)
	}
	group := section(t, body, `id="`+box+`"`, `</div>`)
	if !strings.Contains(group, `aria-invalid="true" aria-describedby="erreur-`+box+`"`) || !strings.Contains(section(t, group, `id="erreur-`+box+`"`, `</p>`), "recueillez son accord") {
		t.Errorf("the agreement box does not carry its error:\n%s", group)
	}
	if strings.Contains(body, `fr-alert--error fr-alert--sm erreur" role="alert">`) {
		t.Error("the missing agreement is also a page alert")
	}
	if _, cards := e.net.get(e.employerClient(), "/employeur/offres/"+e.offer.ID+"/candidats", ""); strings.Contains(cards, e.followed.Identity.GivenName) {
		t.Error("a refused proposal reached the employer")
	}
	for i, want := range []int{http.StatusSeeOther, http.StatusConflict} {
		resp, body = e.postForm(e.adviser, page, "/offres/"+e.offer.ID+"/propositions", url.Values{"personne": {e.followed.ID}, "consentement": {"1"}})
		if resp.StatusCode != want {
			t.Fatalf("proposal %d with agreement: %d, want %d", i+1, resp.StatusCode, want)
		}
	}
	if !strings.Contains(body, `fr-alert--error fr-alert--sm erreur" role="alert">`) || strings.Contains(body, `aria-invalid="true"`) {
		t.Error("proposing twice is not one page message")
	}
}
