package gate_test

import (
	"context"
	"slices"
	"testing"

	"socle"
	"socle/gate"
	"socle/policy"
	"socle/store/storetest"
)

// TestNotesAreSealedAndAudited has a disability operator and a mission
// locale follow the same person. The operator files a health note, a note
// for its own structure and one for the network; the mission locale reads
// only the network note (no health category, not the operator's own
// notes) and may not file a health note; every read, allowed or refused,
// is one audit entry.
func TestNotesAreSealedAndAudited(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	capEmploi := newAdviser(t, e.db, storetest.NewOrganisation("Cap emploi Rhône", socle.KindDisability, "69"), "conseil@capemploi69.fr")
	if err := e.db.CreateFollowup(ctx, &socle.Followup{PersonID: e.followed.ID, OrganisationID: capEmploi.OrganisationID, AgentID: capEmploi.AgentID,
		Start: socle.NewDate(2026, 1, 5)}); err != nil {
		t.Fatal(err)
	}
	operator := gate.Request{Actor: capEmploi, Purpose: policy.PurposeAccompagnement, RequestID: "test"}
	mine := e.req(policy.PurposeAccompagnement)

	notes := []*socle.Note{
		{PersonID: e.followed.ID, Category: socle.CatHealth, NetworkVisible: true, Text: "Station debout prolongée déconseillée."},
		{PersonID: e.followed.ID, Category: socle.CatParcours, Text: "Entretien de suivi : projet en cours de définition."},
		{PersonID: e.followed.ID, Category: socle.CatParcours, NetworkVisible: true, Text: "Inscrite à l'atelier numérique du 12 janvier."},
	}
	for _, n := range notes {
		if err := e.gate.AddNote(ctx, operator, n); err != nil {
			t.Fatalf("AddNote %q: %v", n.Text, err)
		}
	}
	texts := func(ns []*socle.Note) []string {
		var out []string
		for _, n := range ns {
			out = append(out, n.Text)
		}
		slices.Sort(out)
		return out
	}
	sorted := func(s ...string) []string { slices.Sort(s); return s }

	tests := []struct {
		name     string
		req      gate.Request
		want     []string
		wantCode string
	}{
		{"the operator reads its notes and the health note", operator, sorted(notes[0].Text, notes[1].Text, notes[2].Text), ""},
		{"the mission locale reads the network note only", mine, sorted(notes[2].Text), ""},
		{"another purpose is refused", e.req(policy.PurposeOrientation), nil, socle.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			size := e.log.Size()
			got, err := e.gate.Notes(ctx, tt.req, e.followed.ID)
			if socle.ErrorCode(err) != tt.wantCode {
				t.Fatalf("Notes: %v, want %q", err, tt.wantCode)
			}
			if !slices.Equal(texts(got), tt.want) {
				t.Errorf("notes %q, want %q", texts(got), tt.want)
			}
			if tt.wantCode == "" && e.log.Size() != size+1 {
				t.Errorf("the read grew the log by %d entries, want 1", e.log.Size()-size)
			}
		})
	}

	// The mission locale's agreement does not cover health: its health
	// note is refused and nothing is written.
	err := e.gate.AddNote(ctx, mine, &socle.Note{PersonID: e.followed.ID, Category: socle.CatHealth, Text: "Suivi psychologique."})
	if socle.ErrorCode(err) != socle.EFORBIDDEN {
		t.Fatalf("a health note by the mission locale: %v, want %s", err, socle.EFORBIDDEN)
	}
	// Nor may anyone write notes on a person her organisation does not follow.
	if err := e.gate.AddNote(ctx, mine, &socle.Note{PersonID: e.stranger.ID, Category: socle.CatParcours, Text: "Note."}); err == nil {
		t.Fatal("a note on a person nobody there follows was written")
	}
	got, err := e.gate.Notes(ctx, operator, e.followed.ID)
	if err != nil || len(got) != len(notes) {
		t.Fatalf("after the refused writes: %d notes, %v; want %d", len(got), err, len(notes))
	}

	// A retry with the same Idempotency-Key answers the first note.
	retry := operator
	retry.IdempotencyKey = "note-7f3a"
	first := &socle.Note{PersonID: e.followed.ID, Category: socle.CatParcours, Text: "Relance téléphonique."}
	again := *first
	if err := e.gate.AddNote(ctx, retry, first); err != nil {
		t.Fatal(err)
	}
	if err := e.gate.AddNote(ctx, retry, &again); err != nil || again.ID != first.ID {
		t.Fatalf("retry: %v, note %s; want the first note %s", err, again.ID, first.ID)
	}
}
