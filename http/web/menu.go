package web

import (
	"net/http"
	"slices"
	"strings"

	"socle"
	"socle/http/httpx"
)

// menuEntry is one entry of the main menu: a page and the roles that may
// open it. The same table builds each role's menu and refuses, with an
// explanation, a page to an agent whose roles do not open it.
type menuEntry struct {
	Path  string
	Label string
	// Roles open the page; empty means every agent.
	Roles []socle.Role
}

var (
	adviserRoles = []socle.Role{socle.RoleAdviser}
	companyRoles = []socle.Role{socle.RoleCompanyAdviser, socle.RoleAdviser}
	officerRoles = []socle.Role{socle.RoleAuditor}
	adminRoles   = []socle.Role{socle.RoleOrgAdmin, socle.RolePlatformAdmin}
)

// staffMenu is the agents' menu, in its display order. The roles follow
// what the gate and the services accept: a page a role cannot use is not
// shown to it.
var staffMenu = []menuEntry{
	{Path: "/", Label: "Accueil"},
	{Path: "/usagers", Label: "Usagers", Roles: []socle.Role{socle.RoleAdviser, socle.RoleContractManager}},
	{Path: "/agenda", Label: "Agenda", Roles: adviserRoles},
	{Path: "/creneaux", Label: "Créneaux", Roles: adviserRoles},
	{Path: "/rectifications", Label: "Rectifications", Roles: adviserRoles},
	{Path: "/demandes-orientation", Label: "Demandes d'orientation", Roles: adviserRoles},
	{Path: "/entreprises", Label: "Entreprises", Roles: companyRoles},
	{Path: "/offres", Label: "Offres", Roles: companyRoles},
	{Path: "/alertes", Label: "Alertes", Roles: officerRoles},
	{Path: "/bris-de-glace", Label: "Bris de glace", Roles: officerRoles},
	// Every agent declares her walk-ins, conflicts of interest and bulk tasks.
	{Path: "/declarations", Label: "Déclarations"},
	{Path: "/personnes-protegees", Label: "Personnes protégées", Roles: officerRoles},
	{Path: "/journal", Label: "Journal des accès", Roles: officerRoles},
	{Path: "/indicateurs", Label: "Indicateurs", Roles: []socle.Role{socle.RoleStatistician, socle.RoleOrgAdmin, socle.RolePlatformAdmin}},
	{Path: "/agents", Label: "Agents", Roles: []socle.Role{socle.RoleOrgAdmin}},
	{Path: "/demandes", Label: "Demandes à valider", Roles: adminRoles},
	{Path: "/admin/conventions", Label: "Conventions", Roles: []socle.Role{socle.RolePlatformAdmin}},
	// Served only when the OAuth service is wired (renderer.menuLinks).
	{Path: clientsPath, Label: "Clients de l'API", Roles: adminRoles},
	// Served only when FranceConnect is on (renderer.menuLinks).
	{Path: identityChecksPath, Label: "Vérifications d'identité", Roles: []socle.Role{socle.RolePlatformAdmin}},
	{Path: "/structures", Label: "Structures"},
	{Path: "/sessions", Label: "Mes sessions"},
}

// publicMenu is the menu of anonymous visitors.
var publicMenu = []menuEntry{
	{Path: "/", Label: "Accueil"},
	{Path: "/structures", Label: "Structures"},
	{Path: "/offres", Label: "Offres"},
	{Path: "/usager", Label: "Espace usager"},
	{Path: "/employeur", Label: "Espace employeur"},
}

// personMenu is the menu of a person in her space.
var personMenu = []menuEntry{
	{Path: "/usager/parcours", Label: "Mon parcours"},
	{Path: "/usager/rendez-vous", Label: "Mes rendez-vous"},
	{Path: "/usager/dossier", Label: "Mon dossier"},
	{Path: "/usager/acces", Label: "Accès à mes données"},
	{Path: "/usager/mes-donnees", Label: "Télécharger mes données"},
}

// employerMenu is the menu of a company contact in the employer space.
var employerMenu = []menuEntry{
	{Path: "/employeur/offres", Label: "Mes offres"},
}

// opens reports whether an agent with roles may open the entry's page.
func (e menuEntry) opens(roles []socle.Role) bool {
	if len(e.Roles) == 0 {
		return true
	}
	for _, r := range roles {
		if slices.Contains(e.Roles, r) {
			return true
		}
	}
	return false
}

// menuOf returns the menu of actor: the entries its roles open.
func menuOf(actor socle.Actor) []menuEntry {
	switch {
	case actor.AgentID != "" && actor.Strength >= socle.AuthMFA:
		var out []menuEntry
		for _, e := range staffMenu {
			if e.opens(actor.Roles) {
				out = append(out, e)
			}
		}
		return out
	case actor.PersonID != "":
		return personMenu
	case actor.ContactID != "":
		return employerMenu
	}
	return publicMenu
}

// navLink is a link of the menu or the breadcrumb as the layout shows it.
type navLink struct {
	Path, Label string
	Current     bool
}

// menuLinks returns actor's menu for a request on path: the entry with the
// longest prefix of path is the current one.
func menuLinks(actor socle.Actor, path string) []navLink {
	menu := menuOf(actor)
	current := currentEntry(menu, path)
	links := make([]navLink, len(menu))
	for i, e := range menu {
		links[i] = navLink{Path: e.Path, Label: e.Label, Current: i == current}
	}
	return links
}

// identityChecksPath is the page of the FranceConnect logins to check by
// hand (identity_checks.go).
const identityChecksPath = "/verifications-identite"

// menuLinks is menuLinks without the pages this server does not serve:
// the identity checks when FranceConnect is off.
func (s *renderer) menuLinks(actor socle.Actor, path string) []navLink {
	links := menuLinks(actor, path)
	if !s.franceConnect {
		links = slices.DeleteFunc(links, func(l navLink) bool { return l.Path == identityChecksPath })
	}
	if !s.apiClients {
		links = slices.DeleteFunc(links, func(l navLink) bool { return l.Path == clientsPath })
	}
	return links
}

// currentEntry returns the index of the entry of menu whose page holds
// path, -1 when none does.
func currentEntry(menu []menuEntry, path string) int {
	best := -1
	for i, e := range menu {
		if e.Path == path || (e.Path != "/" && strings.HasPrefix(path, e.Path+"/")) {
			if best < 0 || len(e.Path) > len(menu[best].Path) {
				best = i
			}
		}
	}
	return best
}

// breadcrumb returns the trail of an inner page: home, the menu entry the
// page belongs to, then the page itself. The home page has none.
func breadcrumb(actor socle.Actor, path, title string) []navLink {
	if path == "/" {
		return nil
	}
	trail := []navLink{{Path: "/", Label: "Accueil"}}
	menu := menuOf(actor)
	if i := currentEntry(menu, path); i >= 0 && menu[i].Path != path && menu[i].Path != "/" {
		trail = append(trail, navLink{Path: menu[i].Path, Label: menu[i].Label})
	}
	return append(trail, navLink{Path: path, Label: title, Current: true})
}

// roleGuard wraps handle so that an agent signed in with her second factor
// who opens a page of staffMenu her roles do not open gets the forbidden
// page, which names the roles that open it. Anonymous visitors go on to
// the handler, which sends them to the sign-in page.
func roleGuard(s *renderer, handle func(string, http.Handler)) func(string, http.Handler) {
	return func(pattern string, h http.Handler) {
		path, ok := strings.CutPrefix(pattern, "GET ")
		if !ok {
			handle(pattern, h)
			return
		}
		i := slices.IndexFunc(staffMenu, func(e menuEntry) bool { return e.Path == path && len(e.Roles) > 0 })
		public := slices.ContainsFunc(publicMenu, func(e menuEntry) bool { return e.Path == path })
		if i < 0 || public {
			handle(pattern, h)
			return
		}
		entry := staffMenu[i]
		handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			actor := httpx.ActorFrom(r.Context())
			if actor.AgentID != "" && actor.Strength >= socle.AuthMFA && !entry.opens(actor.Roles) {
				s.renderForbiddenRole(w, r, entry)
				return
			}
			h.ServeHTTP(w, r)
		}))
	}
}

// forbiddenRoleView explains which roles open a page the agent may not.
type forbiddenRoleView struct {
	Page  string
	Roles []string
}

func (s *renderer) renderForbiddenRole(w http.ResponseWriter, r *http.Request, e menuEntry) {
	v := forbiddenRoleView{Page: e.Label, Roles: roleLabels(e.Roles)}
	s.render(w, r, http.StatusForbidden, "interdit", view{Title: "Accès réservé", Data: v})
}
