package http

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"socle"
)

// TestSearchErrorsStandBesideTheirFields: the person search shows each
// wrong criterion's error beside its field, marked invalid, with every
// criterion typed kept; a summary linked to the fields tops the page only
// when there are several errors; a purpose closed to the role is an error
// of the purpose field that names the purposes she may use.
func TestSearchErrorsStandBesideTheirFields(t *testing.T) {
	e := newNetworkEnv(t)
	c := e.clients[socle.KindYouth]
	tests := []struct {
		name    string
		query   url.Values
		status  int
		errors  map[string]string // field → part of its message
		kept    string
		summary bool
	}{
		{"a birth date that is no date", url.Values{"finalite": {"accompagnement"}, "nom": {"Dupont"}, "naissance": {"32/13/1990"}}, http.StatusBadRequest,
			map[string]string{"naissance": "AAAA-MM-JJ"}, `value="Dupont"`, false},
		{"a NIR whose key is wrong", url.Values{"finalite": {"accompagnement"}, "nir": {"1 85 05 78 006 084 99"}}, http.StatusBadRequest,
			map[string]string{"nir": "clé"}, `value="1 85 05 78 006 084 99"`, false},
		{"no purpose, an unknown commune and a wrong NIR", url.Values{"prenom": {"Léa"}, "commune": {"Atlantide"}, "nir": {"123"}}, http.StatusBadRequest,
			map[string]string{"finalite": "finalité de votre recherche", "commune": "Choisissez la commune", "nir": "15 caractères"}, `value="Atlantide"`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.log.Size()
			resp, body := e.get(c, "/usagers?"+tt.query.Encode(), "")
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			text := html.UnescapeString(body)
			for field, msg := range tt.errors {
				checkFieldError(t, text, field, msg, tt.kept)
			}
			if got := strings.Contains(body, `id="resume-erreurs"`); got != tt.summary {
				t.Fatalf("summary shown: %v, want %v", got, tt.summary)
			}
			if tt.summary {
				sum := section(t, text, `id="resume-erreurs"`, `</div>`)
				for field := range tt.errors {
					if !strings.Contains(sum, `href="#`+field+`"`) {
						t.Errorf("the summary does not link to %s:\n%s", field, sum)
					}
				}
			}
			if strings.Contains(body, `id="resultats"`) || e.log.Size() != before {
				t.Error("criteria in error were searched")
			}
		})
	}

	// A purpose the role may not declare: the gate refuses it, and the
	// page says so beside the purpose, naming the purposes open to her.
	var kind socle.OrgKind
	var closed string
	for _, k := range socle.OrgKinds {
		for _, p := range e.gate.Purposes() {
			if closed == "" && !e.gate.PurposeOpenTo(e.actors[k], p.Code) && len(e.gate.PurposesFor(e.actors[k])) > 0 {
				kind, closed = k, p.Code
			}
		}
	}
	if closed == "" {
		t.Fatal("every purpose is open to every role: the test proves nothing")
	}
	resp, body := e.get(e.clients[kind], "/usagers?"+url.Values{"finalite": {closed}, "nom": {"Dupont"}}.Encode(), "")
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a closed purpose: status %d, want 403", resp.StatusCode)
	}
	checkFieldError(t, html.UnescapeString(body), "finalite", "Finalités que vous pouvez déclarer", `value="Dupont"`)
}
