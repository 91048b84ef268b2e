package storetest

import (
	"bytes"
	"context"
	"testing"

	"socle"
)

// testNotes checks the notes of a follow-up: listed newest first by the
// categories asked only; a health note sealed at rest, opened with the
// person's key, and gone once her key is shredded; an ordinary note kept.
func testNotes(t *testing.T, r Raw) {
	ctx := context.Background()
	s := r.Store
	org := createOrganisation(t, s, "Cap emploi Rhône", socle.KindDisability, "69")
	p := NewPerson(41)
	p.Health, p.Justice, p.Bank = nil, nil, nil
	must(t, s.CreatePerson(ctx, p))

	ordinary := &socle.Note{PersonID: p.ID, OrganisationID: org.ID, Category: socle.CatParcours, Text: "Atelier CV suivi avec assiduité."}
	health := &socle.Note{PersonID: p.ID, OrganisationID: org.ID, Category: socle.CatHealth, NetworkVisible: true, Text: "Aménagement de poste à prévoir (station debout)."}
	must(t, s.AddNote(ctx, ordinary, nil))
	must(t, s.AddNote(ctx, health, nil))
	wantCode(t, s.AddNote(ctx, &socle.Note{PersonID: p.ID, OrganisationID: org.ID, Category: socle.CatBank, Text: "x"}, nil), socle.EINVALID)
	wantCode(t, s.AddNote(ctx, &socle.Note{PersonID: p.ID, OrganisationID: org.ID, Category: socle.CatParcours, Text: "  "}, nil), socle.EINVALID)

	tests := []struct {
		name string
		cats socle.CategorySet
		want []string
	}{
		{"parcours only", socle.SetOf(socle.CatParcours), []string{ordinary.Text}},
		{"parcours and health, newest first", socle.SetOf(socle.CatParcours, socle.CatHealth), []string{health.Text, ordinary.Text}},
		{"no note category", socle.SetOf(socle.CatIdentity), nil},
	}
	for _, tt := range tests {
		got, err := s.Notes(ctx, p.ID, tt.cats)
		must(t, err)
		texts := mapped(got, func(n *socle.Note) string { return n.Text })
		if len(texts) != len(tt.want) || (len(texts) > 0 && (texts[0] != tt.want[0] || texts[len(texts)-1] != tt.want[len(tt.want)-1])) {
			t.Errorf("%s: notes %q, want %q", tt.name, texts, tt.want)
		}
	}

	var body []byte
	must(t, r.DB.QueryRowContext(ctx, `SELECT body FROM notes WHERE id = '`+health.ID+`'`).Scan(&body))
	if bytes.Contains(body, []byte("Aménagement")) {
		t.Error("the health note is stored in clear")
	}

	must(t, s.ShredPerson(ctx, p.ID))
	got, err := s.Notes(ctx, p.ID, socle.SetOf(socle.CatParcours, socle.CatHealth))
	must(t, err)
	if len(got) != 1 || got[0].ID != ordinary.ID {
		t.Errorf("after shredding her key: %d notes, want the ordinary one only", len(got))
	}
}
