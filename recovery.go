package socle

import "time"

// Statuses of a recovery request.
const (
	RecoveryPending  = "pending"
	RecoveryApproved = "approved"
)

// RecoveryRequest asks that an agent who lost her second factor re-enrol.
// It is carried out when two distinct administrators of her organisation
// have approved it.
type RecoveryRequest struct {
	ID             string
	AgentID        string
	OrganisationID string
	Status         string
	Approvers      []string // agent ids, distinct, in order
	RequestedBy    string   // the administrator who opened it; "" when the agent asked herself
	RequestedFrom  string   // address of the request
	CreatedAt      time.Time
	DecidedAt      time.Time
}
