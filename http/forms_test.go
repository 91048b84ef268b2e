package http

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestBreakGlassFormErrorsNextToTheirFields posts the break-the-glass
// form with both fields wrong: each error is next to its field, with the
// DSFR error classes and aria attributes, and the justification typed is
// kept.
func TestBreakGlassFormErrorsNextToTheirFields(t *testing.T) {
	e := newParcoursEnv(t)
	page := "/usagers/" + e.bob.ID + "/bris-de-glace"
	resp, body := e.net.postForm(e.staff[e.dep.OrganisationID], page, page, url.Values{"finalite": {""}, "justification": {"Urgence"}})
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("status %d, want 400", resp.StatusCode)
	}
	for _, want := range []string{
		`fr-select-group fr-select-group--error`, `aria-describedby="erreur-finalite"`, `id="erreur-finalite"`,
		`fr-input-group fr-input-group--error`, `aria-describedby="erreur-justification"`, `id="erreur-justification"`,
		`>Urgence</textarea>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the form lacks %s", want)
		}
	}
}

// TestPersonRectificationErrorsNextToTheirFields posts the person's
// rectification request wrong: the error is next to the field at fault,
// and what she typed and chose is kept.
func TestPersonRectificationErrorsNextToTheirFields(t *testing.T) {
	e := newParcoursEnv(t)
	cl := e.client()
	cl.login(e.alice.Contact.Email)
	tests := []struct {
		name, section, correction, field string
	}{
		{"too short", "contact", "abc", "correction"},
		{"no such section", "horoscope", "Mon adresse a changé en mars.", "rubrique"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := cl.post("/usager/rectifications", url.Values{"csrf": {cl.csrf("/usager/parcours")}, "rubrique": {tt.section}, "correction": {tt.correction}})
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", resp.StatusCode)
			}
			for _, want := range []string{`aria-describedby="erreur-` + tt.field + `"`, `id="erreur-` + tt.field + `"`} {
				if !strings.Contains(body, want) {
					t.Errorf("the form lacks %s", want)
				}
			}
			if !strings.Contains(body, ">"+html.EscapeString(tt.correction)+"</textarea>") {
				t.Error("the correction typed is lost")
			}
			if tt.field == "correction" && !strings.Contains(body, `value="contact" selected`) {
				t.Error("the section chosen is lost")
			}
		})
	}
}
