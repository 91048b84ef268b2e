package http

import (
	"html"
	"strings"
	"testing"
)

// TestPersonHeaderNamesHer reads pages of the person's space: the header
// names her, and offers "Se déconnecter".
func TestPersonHeaderNamesHer(t *testing.T) {
	e := newSpaceEnv(t)
	c := e.client()
	c.login("alice.usager@example.fr")
	who := html.EscapeString(e.alice.Identity.GivenName + " " + e.alice.Identity.FamilyName)
	for _, page := range []string{"/usager/dossier", "/usager/acces"} {
		_, body := c.get(page)
		tools := section(t, body, `class="fr-header__tools-links"`, `</ul>`)
		if !strings.Contains(tools, who) || !strings.Contains(tools, "Espace usager") {
			t.Errorf("%s: the header does not name her:\n%s", page, tools)
		}
		if !strings.Contains(tools, `action="/usager/deconnexion"`) {
			t.Errorf("%s: the header has no sign-out:\n%s", page, tools)
		}
	}
}

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
