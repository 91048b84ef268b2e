package http

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestFollowupPageWritesAndListsNotes writes notes from the follow-up page
// of a file: an empty one comes back with a French error next to the
// field; a note for the network is listed with its author and visibility,
// and in the timeline with the start of the follow-up; a health note is
// refused to a mission locale with a French explanation; the département,
// which does not follow her, does not get the page.
func TestFollowupPageWritesAndListsNotes(t *testing.T) {
	e := newParcoursEnv(t)
	ml := e.staff[e.ml.OrganisationID]
	staff := &networkEnv{t: t, srv: e.srv}
	page := "/usagers/" + e.alice.ID + "/suivi"
	path := "/usagers/" + e.alice.ID + "/notes"

	resp, body := staff.postForm(ml, page, path, url.Values{"texte": {"  "}, "categorie": {"parcours"}, "visibilite": {"reseau"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="erreur-texte"`) || !strings.Contains(html.UnescapeString(body), "Écrivez la note") {
		t.Fatalf("an empty note: status %d, want 400 with the message next to the field:\n%s", resp.StatusCode, body)
	}
	resp, _ = staff.postForm(ml, page, path, url.Values{"texte": {"Projet : aide-soignante, stage en mars."}, "categorie": {"parcours"}, "visibilite": {"reseau"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("a note: status %d, want 303", resp.StatusCode)
	}
	resp, body = staff.postForm(ml, page, path, url.Values{"texte": {"Suivi psychologique."}, "categorie": {"health"}, "visibilite": {"structure"}})
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(html.UnescapeString(body), "catégorie protégée « Santé et handicap »") {
		t.Fatalf("a health note by a mission locale: status %d, want 403 explained:\n%s", resp.StatusCode, body)
	}
	status, body := e.staffGet(e.ml.OrganisationID, page+"?note=ajoutee")
	text := html.UnescapeString(body)
	for _, want := range []string{"La note a été enregistrée", "Projet : aide-soignante, stage en mars.", "Le réseau", "Mission Locale de Lyon",
		"Début du suivi par Mission Locale de Lyon", "En cours"} {
		if !strings.Contains(text, want) {
			t.Errorf("the follow-up page (status %d) lacks %q", status, want)
		}
	}
	if strings.Contains(text, "Suivi psychologique") || strings.Contains(body, e.ml.OrganisationID) || strings.Contains(body, e.ml.AgentID) {
		t.Error("the page shows the refused note or an internal id")
	}
	if status, _ := e.staffGet(e.dep.OrganisationID, page); status == http.StatusOK {
		t.Error("the département, which does not follow her, reads her follow-up")
	}
}
