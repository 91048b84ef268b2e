package socle

import "time"

// Relations are the facts about a person that may allow an organisation to
// access her record, as the store reads them for the policy engine.
// They may hold relations with other organisations too: the engine only
// uses those of the organisation asked.
type Relations struct {
	// Departement is the code of the département where the person lives
	// (from her commune), "" when unknown.
	Departement string
	// Situation is the person's administrative situation, "" when unknown.
	Situation Situation
	// Followups are the follow-ups of the person by the organisation, ended
	// ones included so that a denial can say when the last one ended.
	Followups []RelationFollowup
	// Proposals are the offers, taken by the organisation, on which the
	// person is proposed (mise en relation).
	Proposals []RelationProposal
	// Appointments are the person's appointments with the organisation on
	// the day asked.
	Appointments []RelationAppointment
	// Orientation is the person's current orientation, nil when none.
	Orientation *RelationAssignment
	// OrientationRequests are the open orientation requests addressed to
	// the organisation: it may read what it needs to answer them.
	OrientationRequests []RelationOrientationRequest
}

// RelationOrientationRequest is an open orientation request addressed to
// the organisation, with the orienting one's name for the explanation.
type RelationOrientationRequest struct {
	RequestID            string
	ToOrganisationID     string
	FromOrganisationName string
	Sent                 Date
	Deadline             Date
}

// RelationFollowup is a follow-up (accompagnement) of the person, with the
// name of the organisation for the explanation.
type RelationFollowup struct {
	ID               string
	OrganisationID   string
	OrganisationName string
	AgentID          string // the référent, "" when none
	Start            Date
	End              Date // zero while open
}

// RelationProposal is the person proposed on an offer (a match).
type RelationProposal struct {
	MatchID        string
	OfferID        string
	OfferTitle     string
	CompanyName    string
	OrganisationID string // the organisation that took the offer
	Status         string // proposee, entretien, embauche, refusee
	Since          Date
}

// RelationAppointment is an appointment of the person with an organisation.
type RelationAppointment struct {
	EventID        string
	OrganisationID string
	AgentID        string
	Start          time.Time
}

// RelationAssignment is the outcome of the person's orientation: the
// organisation that is to follow her.
type RelationAssignment struct {
	OrientationID    string
	OrganisationID   string
	OrganisationName string
	OperatorKind     OrgKind
	Parcours         string
	Status           string // proposee, confirmee
	Decided          Date
}
