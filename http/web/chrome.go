package web

import (
	"net/http"

	"socle"
)

// chrome is what the layout shows around every page: the connected user
// in the header, her menu, the breadcrumb and the sign-out form.
type chrome struct {
	// User is the connected agent's name, empty for anyone else.
	User string
	// Roles are the labels of the agent's roles.
	Roles []string
	// Space names the person's or the employer's space when signed in there.
	Space string
	// Logout is the sign-out form's action, empty when nobody is signed in
	// or the page has no form token to post it with.
	Logout, CSRF string
	Menu         []navLink
	Breadcrumb   []navLink
}

// csrfHolder is a page view that carries its form token (see form).
type csrfHolder interface{ csrfToken() string }

func (f *form) csrfToken() string { return f.CSRF }

// chromeOf builds the layout's chrome of a request.
func (s *renderer) chromeOf(r *http.Request, actor socle.Actor, title string, data any) chrome {
	c := chrome{Menu: s.menuLinks(actor, r.URL.Path), Breadcrumb: breadcrumb(actor, r.URL.Path, title)}
	if h, ok := data.(csrfHolder); ok {
		c.CSRF = h.csrfToken()
	}
	switch {
	case actor.AgentID != "":
		c.Logout, c.Roles = "/deconnexion", roleLabels(actor.Roles)
		if s.identity != nil {
			if sess, a, err := s.identity.CurrentSession(r); err == nil && a != nil {
				c.User = a.GivenName + " " + a.FamilyName
				c.CSRF = sess.CSRF
			}
		}
	case actor.PersonID != "":
		c.Space, c.Logout = "Espace usager", "/usager/deconnexion"
	case actor.ContactID != "":
		c.Space, c.Logout = "Espace employeur", "/employeur/deconnexion"
	}
	if c.CSRF == "" {
		c.Logout = ""
	}
	return c
}

// roleLabels lists the French labels of roles.
func roleLabels(roles []socle.Role) []string {
	out := make([]string, 0, len(roles))
	for _, ro := range roles {
		out = append(out, ro.Label())
	}
	return out
}

// handleInfoPage serves a page of fixed text (the accessibility statement,
// the legal notices, the personal-data page).
func handleInfoPage(s *renderer, name, title string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.render(w, r, http.StatusOK, name, view{Title: title})
	})
}
