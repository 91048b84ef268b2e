package socle

import "time"

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
}

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
	NetworkVisible bool `json:"network_visible"`
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
}
