package http

import (
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
	net := &networkEnv{t: t, srv: e.srv}
	resp, body := net.postForm(e.staff[e.dep.OrganisationID], page, page, url.Values{"finalite": {""}, "justification": {"Urgence"}})
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
