package gate_test

import (
	"testing"

	"socle"
	"socle/policy"
)

// TestMyParcoursWithholdsSealedNotes: the person reads the ordinary notes
// written about her, those kept for the structure included, and her
// référent with his address; a note sealed in the health category is
// counted, not returned.
func TestMyParcoursWithholdsSealedNotes(t *testing.T) {
	ctx, e, p := newParcoursEnv(t)
	req := e.req(policy.PurposeAccompagnement)
	if err := e.gate.AddNote(ctx, req, &socle.Note{PersonID: e.followed.ID, Category: socle.CatParcours, Text: "Projet : aide-soignante."}); err != nil {
		t.Fatal(err)
	}
	// A second follow-up by the same structure, as a confirmed orientation
	// opens: still one line for it.
	if err := e.db.CreateFollowup(ctx, &socle.Followup{PersonID: e.followed.ID, OrganisationID: e.adviser.OrganisationID,
		AgentID: e.adviser.AgentID, Start: socle.NewDate(2025, 9, 1)}); err != nil {
		t.Fatal(err)
	}
	if err := e.db.AddNote(ctx, &socle.Note{ID: socle.NewID(socle.PrefixNote), PersonID: e.followed.ID, OrganisationID: e.adviser.OrganisationID,
		Category: socle.CatHealth, Text: "Suivi psychologique.", CreatedAt: e.gate.Now()}, nil); err != nil {
		t.Fatal(err)
	}
	m, err := p.MyParcours(ctx, e.self(e.followed))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Notes) != 1 || m.Notes[0].Text != "Projet : aide-soignante." || m.WithheldNotes != 1 {
		t.Errorf("notes %+v, %d withheld; want the ordinary note and one withheld", m.Notes, m.WithheldNotes)
	}
	if len(m.Referents) != 1 || m.Referents[0].Since != socle.NewDate(2025, 9, 1) || m.Referents[0].Organisation != "Mission Locale de Lyon" || m.Referents[0].Referent == "" || m.Referents[0].Email != "claire@ml-lyon.fr" {
		t.Errorf("référents %+v; want the mission locale, its référent and her address", m.Referents)
	}
}
