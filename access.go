package socle

import (
	"context"
	"slices"
	"time"
)

// AuthStrength says how an actor proved who she is.
type AuthStrength int

// Authentication strengths, weakest first.
const (
	AuthNone     AuthStrength = iota
	AuthPassword              // a first factor only: never enough for personal data
	AuthClient                // a partner system with a signed client assertion or secret
	AuthMFA                   // password and a second factor (TOTP, WebAuthn, SSO with MFA)
)

// Actor is who asks: an agent in a session, or a partner system (client).
type Actor struct {
	AgentID        string       `json:"agent_id,omitempty"`
	ClientID       string       `json:"client_id,omitempty"`
	PersonID       string       `json:"person_id,omitempty"` // a person in her own space
	OrganisationID string       `json:"organisation_id,omitempty"`
	OrgKind        OrgKind      `json:"org_kind,omitempty"`
	OrgName        string       `json:"org_name,omitempty"`
	Roles          []Role       `json:"roles,omitempty"`
	Departements   []string     `json:"departements,omitempty"`
	Scopes         []string     `json:"scopes,omitempty"`
	Strength       AuthStrength `json:"strength"`
	SessionID      string       `json:"-"`
	// ContactID is a company contact in the employer space. Such an actor
	// is not Authenticated for the policy: only the gate's employer
	// methods, which check her company themselves, accept her.
	ContactID string `json:"contact_id,omitempty"`
}

// Authenticated reports whether a is someone at all.
func (a *Actor) Authenticated() bool {
	return a != nil && a.Strength > AuthNone && (a.AgentID != "" || a.ClientID != "" || a.PersonID != "")
}

// Action is what an actor does to a resource.
type Action string

// The actions the gate decides.
const (
	ActionRead   Action = "read"
	ActionSearch Action = "search"
	ActionCreate Action = "create"
	ActionUpdate Action = "update"
	ActionExport Action = "export"
)

// ResourceKind names the kinds of resource that hold personal data.
type ResourceKind string

// Resource kinds.
const (
	ResourcePerson  ResourceKind = "person"
	ResourceCompany ResourceKind = "company"
)

// Resource is what is accessed.
type Resource struct {
	Kind ResourceKind `json:"kind"`
	ID   string       `json:"id,omitempty"`
}

// AccessRequest is one question to the policy: may Actor do Action on
// Resource, for these categories, for this purpose, in this context?
type AccessRequest struct {
	Actor      Actor
	Action     Action
	Resource   Resource
	Categories CategorySet // what is asked; the decision may grant less
	Purpose    string
	BreakGlass string // a written justification to access outside the rules
	Time       time.Time
	RequestID  string
	RemoteAddr string
}

// Fact is one element of an explanation, structured so that detection and
// the audit log can use it, and rendered in French for people.
type Fact struct {
	Kind   string            `json:"kind"`             // "followup", "referent", "territory", "agreement", "role", "break_glass", "denied"…
	Detail map[string]string `json:"detail,omitempty"` // the ids and dates behind it
	Text   string            `json:"text"`             // a French sentence
}

// Decision is the policy's answer: allow or deny, the categories granted (the
// field mask) and why.
type Decision struct {
	Allow      bool        `json:"allow"`
	Categories CategorySet `json:"-"`
	// Facts explain the decision to people; nothing acts on them.
	Facts      []Fact `json:"facts"`
	BreakGlass bool   `json:"break_glass,omitempty"`
	// Populations are those an allowed search or export is restricted to
	// (the persons the organisation follows, those living in its
	// territory…), or PopulationLookup for a person found by her exact
	// identifier: the gate filters the store query on them.
	Populations []Population `json:"-"`
	// Situations restricts PopulationTerritory to persons in one of these
	// situations; nil means any situation.
	Situations []Situation `json:"-"`
	// Referent says that the acting agent is the person's référent: she
	// may propose her to employers without collecting her agreement.
	Referent bool `json:"-"`
}

// Grants reports whether the decision grants the population p.
func (d Decision) Grants(p Population) bool { return slices.Contains(d.Populations, p) }

// Explanation is the decision's facts as one French paragraph.
func (d Decision) Explanation() string {
	s := ""
	for i, f := range d.Facts {
		if i > 0 {
			s += " "
		}
		s += f.Text
	}
	return s
}

// Policy decides accesses. Implementations deny by default.
type Policy interface {
	Decide(ctx context.Context, req AccessRequest) (Decision, error)
}

// AuditEvent is one entry of the journal des accès.
type AuditEvent struct {
	Time           time.Time `json:"time"`
	RequestID      string    `json:"request_id,omitempty"`
	AgentID        string    `json:"agent_id,omitempty"`
	ClientID       string    `json:"client_id,omitempty"`
	OrganisationID string    `json:"organisation_id,omitempty"`
	Action         string    `json:"action"`
	ResourceKind   string    `json:"resource_kind,omitempty"`
	ResourceID     string    `json:"resource_id,omitempty"`
	PersonRef      string    `json:"person_ref,omitempty"` // pseudonymous id of the person concerned
	Categories     string    `json:"categories,omitempty"`
	Purpose        string    `json:"purpose,omitempty"`
	Allowed        bool      `json:"allowed"`
	Explanation    string    `json:"explanation,omitempty"`
	Facts          []Fact    `json:"facts,omitempty"`
	RemoteAddr     string    `json:"remote_addr,omitempty"`
	Records        int       `json:"records"`
	BreakGlass     string    `json:"break_glass,omitempty"`
	// PersonRefs are the pseudonymous references of every person a
	// search, an export or a matching disclosed (PersonRef names the one
	// person of a read).
	PersonRefs []string `json:"person_refs,omitempty"`
	// Basis is the most specific explanation kind of the decision
	// (MostSpecific), for detection.
	Basis string `json:"basis,omitempty"`
	// Session and Remote are keyed hashes of the session (the device) and
	// of the remote address: detection compares them, nobody reads them.
	Session string `json:"session,omitempty"`
	Remote  string `json:"remote,omitempty"`
	// CallRef is the phone platform's reference of the call during which
	// the access was made, as the agent's tool gave it.
	CallRef string `json:"call_ref,omitempty"`
}

// Auditor appends events to the tamper-evident log. Append returns only once
// the event is durable; an error means the access must not proceed.
type Auditor interface {
	Append(ctx context.Context, ev AuditEvent) error
}

// Purpose is a registered purpose (finalité) with its legal basis and retention.
type Purpose struct {
	Code          string `json:"code"`
	Label         string `json:"label"`
	LegalBasis    string `json:"legal_basis"`
	RetentionDays int    `json:"retention_days"`
}

// Population says over whom an agreement grants access.
type Population string

// Populations of an agreement, narrowest last.
const (
	PopulationFollowed  Population = "suivies"     // persons the organisation follows
	PopulationTerritory Population = "territoire"  // persons living in its territory
	PopulationLookup    Population = "identifiant" // exact-identifier lookup only
)

// AgreementRule is one line of a data-sharing agreement (convention): for an
// organisation kind (or one organisation) and a purpose, which categories it
// may read and write, over which population.
type AgreementRule struct {
	ID             string      `json:"id"`
	OrgKind        OrgKind     `json:"org_kind,omitempty"`
	OrganisationID string      `json:"organisation_id,omitempty"`
	Purpose        string      `json:"purpose"`
	Read           CategorySet `json:"-"`
	Write          CategorySet `json:"-"`
	Population     Population  `json:"population"`
	Roles          []Role      `json:"roles,omitempty"` // roles that may use it; empty means any
}

// AuditQuery selects entries of the audit log, newest first. Empty fields
// do not filter.
type AuditQuery struct {
	PersonRef      string
	AgentID        string
	OrganisationID string
	Purpose        string
	Action         string
	From, To       time.Time
	// Before pages backwards: only entries with an index below it (0: from
	// the newest).
	Before uint64
	Limit  int
}

// AuditHit is one entry of the log: its index in the Merkle tree and its event.
type AuditHit struct {
	Index uint64     `json:"index"`
	Event AuditEvent `json:"event"`
}
