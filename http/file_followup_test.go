package http

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"socle"
	"socle/gate"
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
	page := "/usagers/" + e.alice.ID + "/suivi"
	path := "/usagers/" + e.alice.ID + "/notes"

	resp, body := e.net.postForm(ml, page, path, url.Values{"texte": {"  "}, "categorie": {"parcours"}, "visibilite": {"reseau"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="erreur-texte"`) || !strings.Contains(html.UnescapeString(body), "Écrivez la note") {
		t.Fatalf("an empty note: status %d, want 400 with the message next to the field:\n%s", resp.StatusCode, body)
	}
	resp, _ = e.net.postForm(ml, page, path, url.Values{"texte": {"Projet : aide-soignante, stage en mars."}, "categorie": {"parcours"}, "visibilite": {"reseau"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("a note: status %d, want 303", resp.StatusCode)
	}
	resp, body = e.net.postForm(ml, page, path, url.Values{"texte": {"Suivi psychologique."}, "categorie": {"health"}, "visibilite": {"structure"}})
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
	if strings.Contains(text, "Suivi psychologique") || strings.Contains(shown(body), e.ml.OrganisationID) || strings.Contains(shown(body), e.ml.AgentID) {
		t.Error("the page shows the refused note or an internal id")
	}
	if status, _ := e.staffGet(e.dep.OrganisationID, page); status == http.StatusOK {
		t.Error("the département, which does not follow her, reads her follow-up")
	}
}

// TestAcceptAndCorrectFromTheRectificationsPage has Alice ask for her
// phone number to be corrected; the adviser follows "Accepter et
// corriger" to the contact form, which shows the request; without a
// reason nothing is saved; with one, the correction and the answer are
// saved together and Alice reads the answer in her space.
func TestAcceptAndCorrectFromTheRectificationsPage(t *testing.T) {
	e := newParcoursEnv(t)
	ml := e.staff[e.ml.OrganisationID]
	r, err := e.parcours.RequestRectification(t.Context(), e.self(e.alice), socle.CatContact, "Mon numéro est le 06 98 76 54 32.")
	if err != nil {
		t.Fatal(err)
	}
	_, list := e.staffGet(e.ml.OrganisationID, "/usagers/"+e.alice.ID+"/rectifications")
	form := "/usagers/" + e.alice.ID + "/rubriques/contact?finalite=accompagnement&rectification=" + r.ID
	if !strings.Contains(html.UnescapeString(list), form) {
		t.Fatalf("the rectifications page does not link to the contact form with the request:\n%s", list)
	}
	status, page := e.staffGet(e.ml.OrganisationID, form)
	if status != http.StatusOK || !strings.Contains(html.UnescapeString(page), "Mon numéro est le 06 98 76 54 32.") {
		t.Fatalf("the form: status %d, want the request shown", status)
	}
	c := e.alice.Contact
	values := url.Values{"finalite": {"accompagnement"}, "version": {"1"}, "rectification": {r.ID}, "courriel": {c.Email},
		"telephone": {"06 98 76 54 32"}, "adresse": {c.Address}, "code_postal": {c.PostalCode}, "commune": {c.CommuneCode}}
	path := "/usagers/" + e.alice.ID + "/rubriques/contact"
	resp, body := e.net.postForm(ml, form, path, values)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="erreur-reponse"`) {
		t.Fatalf("without a reason: status %d, want 400 with the message next to the answer:\n%s", resp.StatusCode, body)
	}
	values.Set("reponse", "Numéro corrigé dans votre dossier.")
	resp, body = e.net.postForm(ml, form, path, values)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept and correct: status %d:\n%s", resp.StatusCode, body)
	}
	p, _, err := e.gate.ReadPerson(t.Context(), gate.Request{Actor: e.ml, Purpose: "accompagnement"}, e.alice.ID, socle.SetOf(socle.CatContact))
	if err != nil {
		t.Fatal(err)
	}
	mine, err := e.parcours.MyParcours(t.Context(), e.self(e.alice))
	if err != nil {
		t.Fatal(err)
	}
	if p.Contact.Phone != "0698765432" || mine.Rectifications[0].Status != socle.RectificationAccepted || mine.Rectifications[0].Answer != "Numéro corrigé dans votre dossier." {
		t.Errorf("phone %q, request %+v; want the correction and the accepted answer", p.Contact.Phone, mine.Rectifications[0])
	}
}
