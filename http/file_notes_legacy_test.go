package http

import (
	"html"
	"net/http"
	"strings"
	"testing"
	"time"

	"socle"
	"socle/policy"
)

// TestFollowupPageListsOldNotesKeptAsEvents writes a note the old way, as
// an event of kind note, beside one of the notes table: the follow-up
// page lists both among the notes, newest first, and in the timeline.
func TestFollowupPageListsOldNotesKeptAsEvents(t *testing.T) {
	e := newParcoursEnv(t)
	req := e.adviserReq(policy.PurposeAccompagnement)
	old := &socle.Event{PersonID: e.alice.ID, Kind: socle.EventNote, Title: "Ancienne note : permis B en cours",
		Description: "Code obtenu en janvier.", Start: time.Date(2025, 1, 20, 10, 0, 0, 0, time.UTC)}
	if err := e.parcours.CreateEvent(t.Context(), req, old); err != nil {
		t.Fatal(err)
	}
	if err := e.gate.AddNote(t.Context(), req, &socle.Note{PersonID: e.alice.ID, Category: socle.CatParcours, Text: "Nouvelle note : stage trouvé."}); err != nil {
		t.Fatal(err)
	}
	status, body := e.staffGet(e.ml.OrganisationID, "/usagers/"+e.alice.ID+"/suivi")
	text := html.UnescapeString(body)
	notes, timeline, _ := strings.Cut(text, `id="chronologie"`)
	if status != http.StatusOK || !strings.Contains(notes, "Ancienne note : permis B en cours — Code obtenu en janvier.") {
		t.Fatalf("the notes (status %d) lack the note kept as an event", status)
	}
	if i, j := strings.Index(notes, "Nouvelle note"), strings.Index(notes, "Ancienne note"); i < 0 || i > j {
		t.Errorf("the notes are not newest first (new at %d, old at %d)", i, j)
	}
	if !strings.Contains(timeline, "Ancienne note : permis B en cours") || !strings.Contains(timeline, "Nouvelle note : stage trouvé.") {
		t.Error("the timeline lacks one of the notes")
	}
}
