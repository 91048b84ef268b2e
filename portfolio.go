package socle

import (
	"slices"
	"time"
)

// CompanyFollowup says that an organisation (and one of its company
// advisers) follows a company: its portfolio. Follow-ups are shared across
// the network so that two operators never prospect the same employer
// unknowingly.
type CompanyFollowup struct {
	ID               string `json:"id"`
	CompanyID        string `json:"company_id"`
	OrganisationID   string `json:"organisation_id"`
	OrganisationName string `json:"organisation_name,omitempty"` // filled on reads
	AgentID          string `json:"agent_id,omitempty"`
	AgentName        string `json:"agent_name,omitempty"` // filled on reads
	Start            Date   `json:"start"`
	End              Date   `json:"end"`
}

// Validate checks f's fields.
func (f *CompanyFollowup) Validate() error {
	var p Problems
	p.ID("company_id", PrefixCompany, f.CompanyID)
	p.followup(f.OrganisationID, f.AgentID, f.Start, f.End)
	return p.Err("company follow-up")
}

// Kinds of prospection action on a company.
var CompanyActionKinds = []string{"appel", "visite", "courriel", "rendez_vous", "besoin_recrutement", "note"}

// CompanyAction is one prospection action on a company, kept as history.
type CompanyAction struct {
	ID               string    `json:"id"`
	CompanyID        string    `json:"company_id"`
	OrganisationID   string    `json:"organisation_id"`
	OrganisationName string    `json:"organisation_name,omitempty"` // filled on reads
	AgentID          string    `json:"agent_id,omitempty"`
	Kind             string    `json:"kind"`
	Note             string    `json:"note,omitempty"`
	CreatedAt        time.Time `json:"created_at"`
}

// Validate checks a's fields.
func (a *CompanyAction) Validate() error {
	var p Problems
	p.ID("company_id", PrefixCompany, a.CompanyID)
	p.ID("organisation_id", PrefixOrganisation, a.OrganisationID)
	if !slices.Contains(CompanyActionKinds, a.Kind) {
		p.Add("kind", "one of %v", CompanyActionKinds)
	}
	if len(a.Note) > 2000 {
		p.Add("note", "at most 2000 characters")
	}
	return p.Err("company action")
}

// Statuses of a match.
const (
	MatchProposed  = "proposee"
	MatchInterview = "entretien"
	MatchHired     = "embauche"
	MatchDeclined  = "refusee"
)

// MatchStatuses lists the statuses of a match.
var MatchStatuses = []string{MatchProposed, MatchInterview, MatchHired, MatchDeclined}

// Bases of a match: why the person could be proposed.
const (
	MatchBasisConsent  = "consentement" // the person agreed to be proposed
	MatchBasisReferent = "referent"     // her référent proposed her
)

// MatchEvent is one step of a match's history.
type MatchEvent struct {
	MatchID   string    `json:"match_id"`
	Status    string    `json:"status"`
	Actor     string    `json:"actor"` // agent or company contact id
	Note      string    `json:"note,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}
