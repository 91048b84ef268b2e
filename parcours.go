package socle

import (
	"context"
	"encoding/json"
	"time"
)

// Parcours kinds decided at orientation.
const (
	ParcoursProfessional       = "professionnel"
	ParcoursSocioProfessional  = "socio-professionnel"
	ParcoursSocial             = "social"
	ModaliteSuivi              = "suivi"
	ModaliteGuide              = "guide"
	ModaliteRenforce           = "renforce"
	ModaliteGlobal             = "global"
	OrientationStatusProposed  = "proposee"
	OrientationStatusConfirmed = "confirmee"
)

// Orientation is the decision after the orientation interview: which
// operator follows the person, in which parcours and modalité, and why.
type Orientation struct {
	ID                   string    `json:"id"`
	PersonID             string    `json:"person_id"`
	OperatorKind         OrgKind   `json:"operator_kind"`
	OrganisationID       string    `json:"organisation_id,omitempty"`
	Parcours             string    `json:"parcours"`
	Modalite             string    `json:"modalite"`
	Reasons              []string  `json:"reasons"`
	OverrideReason       string    `json:"override_reason,omitempty"`
	Status               string    `json:"status"`
	DecidedByAgentID     string    `json:"decided_by_agent_id,omitempty"`
	DecidedAt            time.Time `json:"decided_at"`
	QuestionnaireVersion int       `json:"questionnaire_version"`
	RulesetVersion       int       `json:"ruleset_version"`
	// What the rules proposed, kept beside the decision so that an
	// override stays visible.
	ProposedOperatorKind OrgKind `json:"proposed_operator_kind,omitempty"`
	ProposedParcours     string  `json:"proposed_parcours,omitempty"`
	ProposedModalite     string  `json:"proposed_modalite,omitempty"`
	// Departement is where the person lived when oriented (indicators).
	Departement string `json:"departement,omitempty"`
	// Answers are the questionnaire's answers, as the orientation package
	// encodes them.
	Answers   json.RawMessage `json:"answers,omitempty"`
	CreatedAt time.Time       `json:"created_at"`
}

// Overridden reports whether the adviser departed from the rules' proposal.
func (o *Orientation) Overridden() bool {
	return o.ProposedOperatorKind != "" && (o.ProposedOperatorKind != o.OperatorKind ||
		o.ProposedParcours != o.Parcours || o.ProposedModalite != o.Modalite)
}

// Commitment is a contrat d'engagement: the signed plan of a person's
// obligations and actions. Amendments are new versions.
type Commitment struct {
	ID            string    `json:"id"`
	PersonID      string    `json:"person_id"`
	OrientationID string    `json:"orientation_id"`
	Version       int       `json:"version"`
	Actions       []string  `json:"actions"`
	DocumentHash  string    `json:"document_hash"`
	CreatedAt     time.Time `json:"created_at"`
	// OrganisationID and AgentID are who drew up the contract.
	OrganisationID string `json:"organisation_id,omitempty"`
	AgentID        string `json:"agent_id,omitempty"`
	// PreviousID is the version this one amends, "" for the first.
	PreviousID string                `json:"previous_id,omitempty"`
	Status     string                `json:"status"`
	Signatures []CommitmentSignature `json:"signatures"`
	// Document is the canonical document whose SHA-256 is DocumentHash.
	Document []byte `json:"-"`

	// PlanVersion is the version of the plan d'action the contract was
	// generated from, 0 for a contract written without a plan.
	PlanVersion int `json:"plan_version,omitempty"`
}

// Commitment statuses and signer roles.
const (
	CommitmentToSign     = "a_signer"
	CommitmentSigned     = "signe"
	CommitmentSuperseded = "remplace"
	SignerPerson         = "personne"
	SignerAdviser        = "conseiller"
)

// SignedBy returns the signature of the role, nil when absent.
func (c *Commitment) SignedBy(role string) *CommitmentSignature {
	for i := range c.Signatures {
		if c.Signatures[i].Role == role {
			return &c.Signatures[i]
		}
	}
	return nil
}

// CommitmentSignature is one signature of a contract: the platform's
// Ed25519 signature over the document hash, the signer, her role and the
// time, so that anyone with the platform's public key can verify it.
type CommitmentSignature struct {
	Role      string    `json:"role"` // personne, conseiller
	SignerID  string    `json:"signer_id"`
	SignedAt  time.Time `json:"signed_at"`
	Signature string    `json:"signature"` // base64 (standard) of the Ed25519 signature
}

// PrefixRectification prefixes the ids of rectification requests.
const PrefixRectification = "rec"

// Event kinds.
const (
	EventAppointment = "rendez_vous"
	EventTraining    = "formation"
	EventImmersion   = "immersion"
	EventNote        = "note"
)

// Event is an appointment, a training, an immersion or a note in a person's parcours.
type Event struct {
	ID             string    `json:"id"`
	PersonID       string    `json:"person_id"`
	OrganisationID string    `json:"organisation_id"`
	AgentID        string    `json:"agent_id,omitempty"`
	Kind           string    `json:"kind"`
	Title          string    `json:"title"`
	Start          time.Time `json:"start"`
	End            time.Time `json:"end"`
	// NetworkVisible notes are shown to the whole network, others to the
	// organisation only.
	NetworkVisible bool      `json:"network_visible"`
	Description    string    `json:"description,omitempty"`
	Location       string    `json:"location,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
}

// EventKinds lists the event kinds.
var EventKinds = []string{EventAppointment, EventTraining, EventImmersion, EventNote}

// EventQuery selects events; empty fields do not filter, but a query names
// a person, an organisation or an agent.
type EventQuery struct {
	PersonID       string
	OrganisationID string
	AgentID        string
	Kind           string
	From, To       time.Time // Start in [From, To)
	Limit          int
}

// Rectification statuses.
const (
	RectificationOpen     = "ouverte"
	RectificationAccepted = "acceptee"
	RectificationRefused  = "refusee"
)

// RectificationRequest is a person asking to correct her file (GDPR art. 16).
type RectificationRequest struct {
	ID         string    `json:"id"`
	PersonID   string    `json:"person_id"`
	Field      string    `json:"field"`
	Requested  string    `json:"requested"`
	Status     string    `json:"status"`
	Answer     string    `json:"answer,omitempty"`
	AnsweredBy string    `json:"answered_by,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	AnsweredAt time.Time `json:"answered_at"`
}

// ParcoursStore holds orientations, contracts, events and rectification
// requests. Callers are the gate, which decides every access first.
type ParcoursStore interface {
	CreateOrientation(ctx context.Context, o *Orientation) error
	// UpdateOrientation replaces the decision fields of an orientation.
	UpdateOrientation(ctx context.Context, o *Orientation) error
	// ConfirmOrientation stores the decision of a proposed orientation
	// and opens f, the follow-up of the chosen organisation, in one
	// transaction: ECONFLICT if it is no longer proposed, and nothing is
	// stored when either fails.
	ConfirmOrientation(ctx context.Context, o *Orientation, f *Followup) error
	Orientation(ctx context.Context, id string) (*Orientation, error)
	// Orientations returns a person's orientations, newest first.
	Orientations(ctx context.Context, personID string) ([]*Orientation, error)
	// CreateCommitment stores a contract with its document; a previous
	// version it names becomes superseded in the same transaction.
	CreateCommitment(ctx context.Context, c *Commitment) error
	Commitment(ctx context.Context, id string) (*Commitment, error)
	// Commitments returns a person's contracts, newest version first.
	Commitments(ctx context.Context, personID string) ([]*Commitment, error)
	// AddSignature records a signature; a second one for the same role is
	// ECONFLICT. It marks the contract signed when both roles have signed.
	AddSignature(ctx context.Context, commitmentID string, sig CommitmentSignature) (*Commitment, error)
	CreateEvent(ctx context.Context, e *Event) error
	Events(ctx context.Context, q EventQuery) ([]*Event, error)
	CreateRectification(ctx context.Context, r *RectificationRequest) error
	AnswerRectification(ctx context.Context, r *RectificationRequest) error
	Rectifications(ctx context.Context, personID string) ([]*RectificationRequest, error)
}

// Match is a person proposed on an offer (mise en relation).
type Match struct {
	ID        string    `json:"id"`
	OfferID   string    `json:"offer_id"`
	PersonID  string    `json:"person_id"`
	AgentID   string    `json:"agent_id,omitempty"`
	Score     float64   `json:"score"`
	Reasons   []string  `json:"reasons"`
	Status    string    `json:"status"` // proposee, entretien, embauche, refusee
	CreatedAt time.Time `json:"created_at"`
	// OrganisationID is the organisation of the proposing agent; Basis
	// says why the person could be proposed (MatchBasisConsent or
	// MatchBasisReferent).
	OrganisationID string    `json:"organisation_id,omitempty"`
	Basis          string    `json:"basis,omitempty"`
	UpdatedAt      time.Time `json:"updated_at,omitzero"`
}
