package gate_test

import (
	"testing"
	"time"

	"socle"
	"socle/policy"
)

// TestFileHistoryIsOneAuditedRead reads the follow-up history of a file:
// the follow-ups with the names of their organisation and référent, the
// events and the notes the organisation may see, in one audit entry; a
// person the organisation does not follow gives nothing.
func TestFileHistoryIsOneAuditedRead(t *testing.T) {
	ctx, e, p := newParcoursEnv(t)
	req := e.req(policy.PurposeAccompagnement)
	if err := p.CreateEvent(ctx, req, &socle.Event{PersonID: e.followed.ID, Kind: socle.EventAppointment, Title: "Entretien mensuel",
		Start: time.Date(2026, 3, 4, 9, 30, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	if err := e.gate.AddNote(ctx, req, &socle.Note{PersonID: e.followed.ID, Category: socle.CatParcours, Text: "Projet : aide-soignante."}); err != nil {
		t.Fatal(err)
	}
	size := e.log.Size()
	h, err := p.FileHistory(ctx, req, e.followed.ID)
	if err != nil {
		t.Fatal(err)
	}
	if e.log.Size() != size+1 {
		t.Errorf("the history grew the log by %d entries, want 1", e.log.Size()-size)
	}
	if len(h.Followups) != 1 || h.Names[h.Followups[0].OrganisationID] != "Mission Locale de Lyon" || h.Names[h.Followups[0].AgentID] == "" {
		t.Errorf("follow-ups %+v named %v; want the mission locale and its référent named", h.Followups, h.Names)
	}
	if len(h.Events) != 1 || len(h.Notes) != 1 {
		t.Errorf("%d events and %d notes, want 1 and 1", len(h.Events), len(h.Notes))
	}
	if _, err := p.FileHistory(ctx, req, e.stranger.ID); socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Errorf("the history of a person not followed: %v, want %s", err, socle.ENOTFOUND)
	}
}
