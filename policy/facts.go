package policy

import (
	"context"
	"time"

	"socle"
)

// Facts is what the engine needs to know from storage about one person as
// seen by one organisation on one day. The integrator implements it over the
// stores; the engine caches its answers, so it is called once per
// (organisation, person, day) until Invalidate or the cache TTL.
//
// The answer must not depend on who in the organisation asks: the engine
// itself compares the référent of each follow-up with the acting agent.
type Facts interface {
	// Relations returns the relations of person personID with organisation
	// orgID relevant on day. A person unknown to the store is not an error:
	// return empty Relations, and the engine denies.
	Relations(ctx context.Context, orgID, personID string, day socle.Date) (Relations, error)
}

// Relations are the facts about a person that may allow an organisation to
// access her record. Implementations may return relations with other
// organisations too: the engine only uses those of the organisation asked.
type Relations struct {
	// Departement is the code of the département where the person lives
	// (from her commune), "" when unknown.
	Departement string
	// Situation is the person's administrative situation, "" when unknown.
	Situation socle.Situation
	// Followups are the follow-ups of the person by the organisation, ended
	// ones included so that a denial can say when the last one ended.
	Followups []Followup
	// Proposals are the offers, taken by the organisation, on which the
	// person is proposed (mise en relation).
	Proposals []Proposal
	// Appointments are the person's appointments with the organisation on
	// the day asked.
	Appointments []Appointment
	// Orientation is the person's current orientation, nil when none.
	Orientation *Assignment
}

// Followup is a follow-up (accompagnement) of the person, with the name of
// the organisation for the explanation.
type Followup struct {
	ID               string
	OrganisationID   string
	OrganisationName string
	AgentID          string // the référent, "" when none
	Start            socle.Date
	End              socle.Date // zero while open
}

// Proposal is the person proposed on an offer (a match).
type Proposal struct {
	MatchID        string
	OfferID        string
	OfferTitle     string
	CompanyName    string
	OrganisationID string // the organisation that took the offer
	Status         string // proposee, entretien, embauche, refusee
	Since          socle.Date
}

// Appointment is an appointment of the person with an organisation.
type Appointment struct {
	EventID        string
	OrganisationID string
	AgentID        string
	Start          time.Time
}

// Assignment is the outcome of the person's orientation: the organisation
// that is to follow her.
type Assignment struct {
	OrientationID    string
	OrganisationID   string
	OrganisationName string
	OperatorKind     socle.OrgKind
	Parcours         string
	Status           string // proposee, confirmee
	Decided          socle.Date
}
