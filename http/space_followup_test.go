package http

import (
	"html"
	"net/http"
	"strings"
	"testing"

	"socle"
	"socle/policy"
)

// TestSpaceShowsReferentTimelineAndNotes signs Alice in to her space: her
// parcours page names the mission locale and her référent with the
// référent's address, lists the notes written about her (her structure's
// included, GDPR article 15), in the timeline too, with no internal id.
// (The sealed notes she is told of: gate TestMyParcoursWithholdsSealedNotes.)
func TestSpaceShowsReferentTimelineAndNotes(t *testing.T) {
	e := newParcoursEnv(t)
	req := e.adviserReq(policy.PurposeAccompagnement)
	for _, n := range []*socle.Note{
		{PersonID: e.alice.ID, Category: socle.CatParcours, Text: "Inscrite à l'atelier numérique."},
		{PersonID: e.alice.ID, Category: socle.CatParcours, NetworkVisible: true, Text: "Cherche un stage en crèche."},
	} {
		if err := e.gate.AddNote(t.Context(), req, n); err != nil {
			t.Fatal(err)
		}
	}
	cl := e.client()
	cl.login(e.alice.Contact.Email)
	resp, body := cl.get("/usager/parcours")
	text := html.UnescapeString(body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("her parcours page: status %d", resp.StatusCode)
	}
	for _, want := range []string{"Qui m'accompagne", "Mission Locale de Lyon", "votre référent : Claire Fontaine", "claire@ml-lyon.fr",
		"Inscrite à l'atelier numérique.", "Cherche un stage en crèche.", "La chronologie de mon parcours"} {
		if !strings.Contains(text, want) {
			t.Errorf("her parcours page lacks %q", want)
		}
	}
	if m := visibleID.FindString(body); m != "" {
		t.Errorf("her parcours page shows an internal id: %q", m)
	}
}
