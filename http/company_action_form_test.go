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
