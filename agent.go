package socle

import (
	"slices"
	"time"
)

// Role is a habilitation of an agent.
type Role string

// The roles of agents.
const (
	RoleAdviser         Role = "conseiller"            // follows persons
	RoleCompanyAdviser  Role = "conseiller_entreprise" // follows companies and offers
	RoleOrgAdmin        Role = "administrateur"        // manages the agents of its organisation
	RoleAuditor         Role = "auditeur"              // privacy officer: reads the audit log, reviews alerts
	RolePlatformAdmin   Role = "admin_plateforme"      // edits purposes and agreements
	RoleStatistician    Role = "statisticien"          // reads indicators
	RoleContractManager Role = "gestionnaire"          // compensation and control
)

// Roles lists every role.
var Roles = []Role{RoleAdviser, RoleCompanyAdviser, RoleOrgAdmin, RoleAuditor, RolePlatformAdmin, RoleStatistician, RoleContractManager}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Label is the French name of r.
func (r Role) Label() string {
	switch r {
	case RoleAdviser:
		return "Conseiller"
	case RoleCompanyAdviser:
		return "Conseiller entreprise"
	case RoleOrgAdmin:
		return "Administrateur"
	case RoleAuditor:
		return "Délégué à la protection des données"
	case RolePlatformAdmin:
		return "Administrateur de la plateforme"
	case RoleStatistician:
		return "Statisticien"
	case RoleContractManager:
		return "Gestionnaire"
	}
	return string(r)
}

// Agent is a staff user of an organisation.
type Agent struct {
	ID             string    `json:"id"`
	OrganisationID string    `json:"organisation_id"`
	Email          string    `json:"email"`
	GivenName      string    `json:"given_name"`
	FamilyName     string    `json:"family_name"`
	Roles          []Role    `json:"roles"`
	Disabled       bool      `json:"disabled"`
	CreatedAt      time.Time `json:"created_at"`
}

// HasRole reports whether a holds r.
func (a *Agent) HasRole(r Role) bool { return slices.Contains(a.Roles, r) }

// FullName is "Given Family".
func (a *Agent) FullName() string { return a.GivenName + " " + a.FamilyName }

// Validate checks a's fields.
func (a *Agent) Validate() error {
	var p Problems
	p.OptionalID("id", PrefixAgent, a.ID)
	p.ID("organisation_id", PrefixOrganisation, a.OrganisationID)
	if !ValidEmail(a.Email) {
		p.Add("email", "not a valid e-mail address")
	}
	if a.GivenName == "" || len(a.GivenName) > 100 {
		p.Add("given_name", "required, at most 100 characters")
	}
	if a.FamilyName == "" || len(a.FamilyName) > 100 {
		p.Add("family_name", "required, at most 100 characters")
	}
	if len(a.Roles) == 0 {
		p.Add("roles", "at least one role")
	}
	for _, r := range a.Roles {
		if !r.Valid() {
			p.Add("roles", "unknown role %q", r)
		}
	}
	return p.Err("agent")
}
