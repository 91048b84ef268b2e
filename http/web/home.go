package web

import (
	"net/http"
	"slices"

	"socle"
	"socle/cases"
	"socle/directory"
	"socle/gate"
	"socle/http/httpx"
)

// homePages serve the home page: the presentation of Socle to visitors,
// and to a signed-in agent what waits for her in her roles. Every read of
// personal data goes through the gate (the agenda, the rectification
// queue, the companies followed, the break-the-glass grants).
type homePages struct {
	*publicPages
	gate      *gate.Gate
	parcours  *gate.Parcours
	cases     *cases.Service
	detection *directory.Service
}

// agentHomeView is the home of a signed-in agent: her name, and one block
// per role she holds.
type agentHomeView struct {
	form
	Name  string
	Roles []string
	// Adviser: today's and tomorrow's appointments and what waits for her.
	Adviser        bool
	Today          []homeEvent
	Tomorrow       []homeEvent
	Rectifications int
	Caseload       *caseloadView
	Waiting        []waitingItem
	// Handoffs are the orientation requests addressed to her structure,
	// nil when its agreement does not grant the purpose orientation.
	Handoffs *homeHandoffs
	// Company adviser: the companies followed by her structure.
	CompanyAdviser bool
	Companies      []homeCompany
	MoreCompanies  bool
	// Privacy officer: her queue.
	Officer            bool
	OpenCases          int
	BreakGlassToReview int
	// Cases and Grants are the first of her queue.
	Cases  []caseRow
	Grants []breakGlassRow
	// Questions are the first explanations she asked agents (answers to
	// read first); QuestionsWaiting counts them. Rights are the
	// rectification requests waiting in her structure.
	Questions        []officerQuestion
	QuestionsWaiting int
	Rights           *officerRights
	// Administrators: agents, agreements and the four-eyes requests.
	OrgAdmin, PlatformAdmin bool
	PendingChanges          int
	// APIClients says the API clients are administered here.
	APIClients bool
	// Problems name the blocks that could not be read; the others show.
	Problems []string
	// Links are the other pages of her menu.
	Links []navLink
}

// homeEvent is an appointment on the home page.
type homeEvent struct {
	Time, Title, Kind, Location, Modalite, PersonID string
	// Attendance is the attendance recorded, in words.
	Attendance string
	Cancelled  bool
	// Person is the person's name, empty when the caseload does not list
	// her.
	Person string
}

func (s *homePages) handleHome() http.Handler {
	public := s.publicPages.handleHome()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		actor := httpx.ActorFrom(r.Context())
		switch {
		case actor.PersonID != "":
			http.Redirect(w, r, "/usager/parcours", http.StatusSeeOther)
		case actor.ContactID != "":
			http.Redirect(w, r, "/employeur/offres", http.StatusSeeOther)
		case actor.AgentID != "" && actor.Strength >= socle.AuthMFA && s.identity != nil:
			s.agentHome(w, r, actor)
		default:
			public.ServeHTTP(w, r)
		}
	})
}

func (s *homePages) agentHome(w http.ResponseWriter, r *http.Request, actor socle.Actor) {
	_, agent, err := s.identity.CurrentSession(r)
	if err != nil || agent == nil {
		s.renderError(w, r, socle.Errorf(socle.EUNAUTHENTICATED, "no session"))
		return
	}
	has := func(ro socle.Role) bool { return slices.Contains(actor.Roles, ro) }
	v := &agentHomeView{
		Name: agent.GivenName + " " + agent.FamilyName, Roles: roleLabels(actor.Roles),
		Adviser: has(socle.RoleAdviser), CompanyAdviser: has(socle.RoleCompanyAdviser), Officer: has(socle.RoleAuditor),
		OrgAdmin: has(socle.RoleOrgAdmin), PlatformAdmin: has(socle.RolePlatformAdmin), APIClients: s.apiClients,
	}
	ctx := r.Context()
	// A block that cannot be read is named on the page and logged; the
	// others still show.
	problem := func(msg string, err error) {
		httpx.LoggerFrom(ctx).Warn("home block failed", "block", msg, "err", err, "request_id", httpx.RequestID(ctx))
		v.Problems = append(v.Problems, msg)
	}
	if v.Adviser && s.parcours != nil {
		s.adviserHome(ctx, r, v, problem)
	}
	if v.CompanyAdviser {
		companies, err := s.gate.Portfolio(ctx, matchingRequest(r))
		if err != nil {
			problem(msgHomeCompanies, err)
		}
		s.companyHome(ctx, actor, companies, v, problem)
	}
	if v.Officer {
		s.officerHome(ctx, r, actor, v, problem)
	}
	if v.OrgAdmin || v.PlatformAdmin {
		changes, err := s.identity.PendingChanges(ctx, actor)
		if err == nil {
			v.PendingChanges = len(changes)
		} else if socle.ErrorCode(err) != socle.EFORBIDDEN {
			problem(msgHomeChanges, err)
		}
	}
	for _, l := range s.renderer.menuLinks(actor, "/") {
		if l.Path != "/" {
			v.Links = append(v.Links, l)
		}
	}
	staffPage(s.renderer, w, r, http.StatusOK, "accueil-agent", "Accueil", "accueil", v)
}
