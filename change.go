package socle

import "time"

// Kinds of Change.
const (
	ChangeRoles    = "roles"    // grant roles to an agent (Payload: the new roles, JSON)
	ChangeRegister = "register" // a new register of purposes and agreements (Payload: its JSON)
)

// Statuses of a Change.
const (
	ChangePending  = "pending"
	ChangeApproved = "approved"
	ChangeRejected = "rejected"
)

// Change is an administrative change that widens who sees what (a role
// with access to sensitive data, an edit of the register of agreements).
// It waits, stored, until a second administrator approves it under the
// four-eyes rule of identity, and applies only then: one person never
// changes alone who sees what.
type Change struct {
	ID   string
	Kind string // ChangeRoles, ChangeRegister
	// OrganisationID is the organisation whose administrators approve a
	// role change; "" for the register (platform administrators).
	OrganisationID string
	// Subject is the agent whose roles change; "" for the register.
	Subject string
	// Base is the register version the change was made on, 0 for roles:
	// a change on a stale version is refused at approval.
	Base          int
	Payload       string // the change itself, JSON
	Summary       string // what changes, in French, for the approver's page
	Reason        string
	RequestedBy   string // agent id
	RequestedFrom string // address of the request
	RequestedAt   time.Time
	Status        string
	DecidedBy     string
	DecidedAt     time.Time
}
