package http

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"socle"
)

// TestFileSourceNamesTheAgentAndHerStructure: once the adviser of the
// mission locale saved Alice's contact details, the file says who did,
// by name and structure, and on which day; no id.
func TestFileSourceNamesTheAgentAndHerStructure(t *testing.T) {
	e := newParcoursEnv(t)
	staff := &networkEnv{t: t, srv: e.srv}
	c := e.alice.Contact
	page := "/usagers/" + e.alice.ID + "/rubriques/contact?finalite=accompagnement"
	values := url.Values{"finalite": {"accompagnement"}, "version": {"1"}, "courriel": {c.Email},
		"telephone": {"06 98 76 54 32"}, "adresse": {c.Address}, "code_postal": {c.PostalCode}, "commune": {c.CommuneCode}}
	if resp, body := staff.postForm(e.staff[e.ml.OrganisationID], page, "/usagers/"+e.alice.ID+"/rubriques/contact", values); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving: status %d:\n%s", resp.StatusCode, body)
	}
	today := socle.DateOf(time.Now().In(paris(t))).French()
	_, file := e.staffGet(e.ml.OrganisationID, "/usagers/"+e.alice.ID+"?finalite=accompagnement")
	contact := html.UnescapeString(section(t, file, `id="rubrique-contact"`, `</section>`))
	want := "Modifié par Claire Fontaine (Mission Locale de Lyon) le " + today
	if !strings.Contains(contact, want) || strings.Contains(contact, "agt_") || strings.Contains(contact, "org_") {
		t.Errorf("the contact section does not say %q, or shows an id:\n%s", want, contact)
	}
}

func paris(t *testing.T) *time.Location {
	t.Helper()
	l, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	return l
}
