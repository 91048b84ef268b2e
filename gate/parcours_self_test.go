package gate_test

import (
	"testing"

	"socle"
	"socle/gate"
)

// TestRectificationAndExport walks a rectification request from the
// person to the organisation that follows her and back, and her export.
func TestRectificationAndExport(t *testing.T) {
	ctx, e, p := newParcoursEnv(t)
	self := e.self(e.followed)

	tests := []struct {
		name     string
		cat      socle.Category
		text     string
		wantCode string
	}{
		{"unknown section", "adresse", "Mon adresse a changé.", socle.EINVALID},
		{"too short", socle.CatContact, "x", socle.EINVALID},
		{"valid", socle.CatContact, "Mon numéro de téléphone a changé : 06 12 34 56 78.", ""},
	}
	var r *socle.RectificationRequest
	for _, tt := range tests {
		got, err := p.RequestRectification(ctx, self, tt.cat, tt.text)
		if tt.wantCode != "" {
			wantErr(t, err, tt.wantCode)
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		r = got
	}
	_, err := p.RequestRectification(ctx, e.req("accompagnement"), socle.CatContact, "Par un conseiller.")
	wantErr(t, err, socle.EUNAUTHENTICATED)

	_, err = p.AnswerRectification(ctx, e.req("accompagnement"), e.followed.ID, r.ID, true, "")
	wantErr(t, err, socle.EINVALID) // a reason is required
	ans, err := p.AnswerRectification(ctx, e.req("accompagnement"), e.followed.ID, r.ID, true, "Numéro corrigé dans le dossier.")
	if err != nil {
		t.Fatal(err)
	}
	if ans.Status != socle.RectificationAccepted || ans.AnsweredBy != e.adviser.OrganisationID {
		t.Fatalf("answer %+v", ans)
	}
	_, err = p.AnswerRectification(ctx, e.req("accompagnement"), e.followed.ID, r.ID, false, "Deuxième réponse.")
	wantErr(t, err, socle.ECONFLICT)

	mine, err := p.MyParcours(ctx, self)
	if err != nil {
		t.Fatal(err)
	}
	if len(mine.Rectifications) != 1 || mine.Rectifications[0].Status != socle.RectificationAccepted {
		t.Fatalf("her requests %+v", mine.Rectifications)
	}
	ex, err := p.MyExport(ctx, self)
	if err != nil {
		t.Fatal(err)
	}
	if ex.Format != gate.ExportFormat || ex.Person == nil || ex.Person.ID != e.followed.ID || len(ex.Followups) == 0 {
		t.Fatalf("export %+v", ex)
	}
	_, err = p.MyExport(ctx, e.req("accompagnement"))
	wantErr(t, err, socle.EUNAUTHENTICATED)
}
