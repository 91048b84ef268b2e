package http

import (
	"html"
	"strings"
	"testing"
)

// TestEmployerHeaderNamesTheContact reads the employer space's pages: the
// header names the contact and her company, and offers "Se déconnecter".
func TestEmployerHeaderNamesTheContact(t *testing.T) {
	e := newCompanyEnv(t)
	emp := e.employerClient()
	for _, page := range []string{"/employeur/offres", "/employeur/offres/" + e.offer.ID + "/candidats"} {
		_, body := e.net.get(emp, page, "")
		tools := section(t, body, `class="fr-header__tools-links"`, `</ul>`)
		who := html.EscapeString(e.contact.GivenName + " " + e.contact.FamilyName)
		if !strings.Contains(tools, who) || !strings.Contains(tools, "Espace employeur") {
			t.Errorf("%s: the header does not name the contact:\n%s", page, tools)
		}
		if !strings.Contains(tools, `action="/employeur/deconnexion"`) || !strings.Contains(tools, "Se déconnecter") {
			t.Errorf("%s: the header has no sign-out:\n%s", page, tools)
		}
	}
}
