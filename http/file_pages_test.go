package http

import (
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"socle"
)

// TestSectionFormSavesThroughTheGate edits the contact details of a file
// from its page: a form with errors comes back with French messages next
// to the fields and the answers kept; a valid save is applied and the
// file names the saving organisation as the section's source; a second
// adviser's save from the version she opened is refused as a conflict
// that shows the current values, keeps the field she changed (marked, as
// the first changed it too), fills the fields she left with the values
// saved meanwhile, and overwrites nothing.
func TestSectionFormSavesThroughTheGate(t *testing.T) {
	e := newNetworkEnv(t)
	first, second := e.clients[socle.KindYouth], e.clients[socle.KindDepartement]
	page := "/usagers/" + e.person.ID + "/rubriques/contact?finalite=accompagnement"
	path := "/usagers/" + e.person.ID + "/rubriques/contact"

	// Both advisers open the form at version 1.
	resp, body := e.get(second, page, "")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `name="version" value="1"`) {
		t.Fatalf("the form: status %d, want 200 with the version 1:\n%s", resp.StatusCode, body)
	}
	form := url.Values{"finalite": {"accompagnement"}, "version": {"1"}, "courriel": {"pas-une-adresse"},
		"telephone": {"06 12 34 56 78"}, "adresse": {"3 rue Mercière"}, "code_postal": {"69002"}, "commune": {"Lyon (69)"}}
	resp, body = e.postForm(first, page, path, form)
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("a save with an invalid address: status %d, want 400", resp.StatusCode)
	}
	for _, want := range []string{`id="erreur-courriel"`, `aria-invalid="true"`, "fr-input-group--error", html.EscapeString("adresse électronique valide"), `value="3 rue Mercière"`} {
		if !strings.Contains(body, want) && !strings.Contains(html.UnescapeString(body), html.UnescapeString(want)) {
			t.Errorf("the form in error lacks %q", want)
		}
	}

	form.Set("courriel", "camille.nouveau@example.fr")
	resp, _ = e.postForm(first, page, path, form)
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "enregistre=contact") {
		t.Fatalf("a valid save: status %d to %q, want 303 to the file", resp.StatusCode, resp.Header.Get("Location"))
	}
	stored, err := e.db.Person(t.Context(), e.person.ID, socle.SetOf(socle.CatContact))
	if err != nil {
		t.Fatal(err)
	}
	if stored.Contact.Email != "camille.nouveau@example.fr" || stored.Contact.Address != "3 rue Mercière" || stored.Version != 2 {
		t.Fatalf("stored %+v at version %d, want the save at version 2", stored.Contact, stored.Version)
	}
	_, file := e.get(first, "/usagers/"+e.person.ID+"?finalite=accompagnement&enregistre=contact", "")
	for _, want := range []string{"Modifié par Structure mission_locale le ", "a été enregistrée", "/rubriques/contact?finalite=accompagnement"} {
		if !strings.Contains(html.UnescapeString(file), want) {
			t.Errorf("the file page lacks %q", want)
		}
	}

	// The second adviser saves from version 1.
	stale := url.Values{"finalite": {"accompagnement"}, "version": {"1"}, "courriel": {"autre@example.fr"}, "orig.courriel": {e.person.Contact.Email},
		"telephone": {""}, "adresse": {""}, "code_postal": {"69001"}, "commune": {"69123"}}
	resp, body = e.postForm(second, page, path, stale)
	text := html.UnescapeString(body)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(text, "Quelqu'un d'autre a modifié ce dossier") ||
		!strings.Contains(text, "camille.nouveau@example.fr") || !strings.Contains(text, `value="autre@example.fr"`) ||
		!strings.Contains(body, `name="version" value="`+strconv.Itoa(2)+`"`) || !strings.Contains(text, "aussi été modifié entre-temps") ||
		!strings.Contains(text, `value="3 rue Mercière"`) {
		t.Fatalf("a stale save: status %d, want 409 with the current values, her change kept and marked, the fields she left taking the current values, and the current version:\n%s", resp.StatusCode, body)
	}
	stored, err = e.db.Person(t.Context(), e.person.ID, socle.SetOf(socle.CatContact))
	if err != nil {
		t.Fatal(err)
	}
	if stored.Contact.Email != "camille.nouveau@example.fr" || stored.Version != 2 {
		t.Errorf("after the stale save: %q at version %d, want the first save kept", stored.Contact.Email, stored.Version)
	}
}
