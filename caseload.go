package socle

import "time"

// CaseloadQuery selects an adviser's caseload ("Mes usagers"): the persons
// her organisation follows today, one page at a time.
type CaseloadQuery struct {
	// OrganisationID is the organisation whose open follow-ups list the
	// persons. Required.
	OrganisationID string
	// ReferentID keeps only the persons whose référent is this agent.
	ReferentID string
	// PersonIDs keeps only these persons (the names of an agenda).
	PersonIDs []string
	// FamilyName keeps the names starting with it (case- and
	// accent-insensitive).
	FamilyName string
	// WithAlert keeps only the files with an alert (CaseloadEntry.Alerts).
	WithAlert bool
	// Today is the day follow-ups are open on; Now starts the search for
	// the next appointment.
	Today Date
	Now   time.Time
	// Offset and Limit page through the list, ordered by name.
	Offset, Limit int
}

// CaseloadEntry is one person of a caseload: list-level data only, what
// an adviser needs to choose the file she opens.
type CaseloadEntry struct {
	PersonID   string `json:"person_id"`
	GivenName  string `json:"given_name"`
	FamilyName string `json:"family_name"`
	BirthDate  Date   `json:"birth_date"`
	// ReferentID and ReferentName name the référent of the follow-up, if
	// any.
	ReferentID   string `json:"referent_id,omitempty"`
	ReferentName string `json:"referent_name,omitempty"`
	// FollowedSince is the start of the organisation's follow-up.
	FollowedSince Date `json:"followed_since"`
	// NextAppointment is the start of her next planned appointment (not
	// cancelled, no attendance recorded), zero if none.
	NextAppointment time.Time `json:"next_appointment,omitzero"`
	// ContractStatus is the status of her current contract, "" if none.
	ContractStatus string `json:"contract_status,omitempty"`
	// OpenRectifications counts her rectification requests to answer.
	OpenRectifications int `json:"open_rectifications"`
	// AnsweredMatches counts the offers the organisation proposed her on
	// that an employer answered (interview, hired, declined) within
	// CaseloadAnswerWindow.
	AnsweredMatches int `json:"answered_matches"`
	// MissedAppointments counts her appointments with the organisation
	// recorded "absent non excusé" within CaseloadMissedWindow.
	MissedAppointments int `json:"missed_appointments"`
}

// CaseloadMissedWindow is how long a missed appointment (absent non
// excusé) stays something that waits for the adviser.
const CaseloadMissedWindow = 30 * 24 * time.Hour

// CaseloadAnswerWindow is how long an employer's answer on a proposal
// stays something that waits for the adviser.
const CaseloadAnswerWindow = 30 * 24 * time.Hour

// Alerts reports whether the file waits for the adviser: a rectification
// request to answer, a contract to sign, an employer's recent answer or a
// recently missed appointment.
func (e *CaseloadEntry) Alerts() bool {
	return e.OpenRectifications > 0 || e.ContractStatus == CommitmentToSign || e.AnsweredMatches > 0 || e.MissedAppointments > 0
}
