package web

import (
	"bytes"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestFieldErrorsAreTiedToTheirField: a field in error is marked for
// assistive technologies (aria-invalid, aria-describedby naming the
// message next to it) and styled by the DSFR; a field without error is not.
func TestFieldErrorsAreTiedToTheirField(t *testing.T) {
	tests := []struct {
		name   string
		errors map[string]string
		field  string
		wantID string // the id of the error message, "" for none
	}{
		{"code in error", map[string]string{"rome": "Le code ROME est inconnu."}, "rome", "erreur-rome"},
		{"title in error", map[string]string{"titre": "Choisissez une appellation."}, "titre", "erreur-titre"},
		{"type of contract in error", map[string]string{"contrat": "Type de contrat inconnu."}, "contrat", "erreur-contrat"},
		{"no error", nil, "rome", ""},
	}
	p := loadPages()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			data := struct {
				CSRF   string
				Form   offerForm
				Errors map[string]string
			}{Errors: tt.errors}
			if err := p.byName["offre"].ExecuteTemplate(&buf, "offer-fields", data); err != nil {
				t.Fatal(err)
			}
			html := buf.String()
			control := regexp.MustCompile(`<(input|select) [^>]*id="` + tt.field + `"[^>]*>`).FindString(html)
			if control == "" {
				t.Fatalf("no field %s in %s", tt.field, html)
			}
			if tt.wantID == "" {
				if strings.Contains(control, "aria-invalid") || strings.Contains(html, "--error") {
					t.Errorf("a form without errors marks a field: %s", control)
				}
				return
			}
			describedBy := regexp.MustCompile(`aria-describedby="([^"]*)"`).FindStringSubmatch(control)
			if !strings.Contains(control, `aria-invalid="true"`) || describedBy == nil || !slices.Contains(strings.Fields(describedBy[1]), tt.wantID) {
				t.Errorf("the field in error is not marked: %s", control)
			}
			msg := regexp.MustCompile(`<p class="fr-error-text erreur" id="` + tt.wantID + `">([^<]*)</p>`).FindStringSubmatch(html)
			if msg == nil || msg[1] != tt.errors[tt.field] {
				t.Errorf("no message %q with id %s: %s", tt.errors[tt.field], tt.wantID, html)
			}
			if !strings.Contains(html, "group--error") {
				t.Errorf("the field's group is not styled as in error")
			}
		})
	}
}
