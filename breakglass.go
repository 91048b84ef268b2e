package socle

import "time"

// BreakGlassGrant is a break-the-glass access: an agent opened a person's
// file outside the rules, with a written justification, until Expires.
// Every grant is listed for the privacy officers until one reviews it.
type BreakGlassGrant struct {
	ID             string    `json:"id"`
	AgentID        string    `json:"agent_id"`
	OrganisationID string    `json:"organisation_id"`
	PersonID       string    `json:"-"` // auditors see PersonRef, as in the audit log
	PersonRef      string    `json:"person_ref,omitempty"`
	Purpose        string    `json:"purpose"`
	Justification  string    `json:"justification"`
	Created        time.Time `json:"created_at"`
	Expires        time.Time `json:"expires_at"`
	Reviewed       bool      `json:"reviewed"`
	ReviewedBy     string    `json:"reviewed_by,omitempty"`
	ReviewedAt     time.Time `json:"reviewed_at,omitzero"`
}
