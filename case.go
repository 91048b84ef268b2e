package socle

import "time"

// CaseState is where a misuse case stands in the workflow.
type CaseState string

// The states of a case.
const (
	CaseNew           CaseState = "nouveau"
	CaseTriage        CaseState = "triage"
	CaseInvestigating CaseState = "enquete"
	CaseClosed        CaseState = "clos"
)

// CaseStates lists the states in workflow order.
var CaseStates = []CaseState{CaseNew, CaseTriage, CaseInvestigating, CaseClosed}

// Label is the French name of s.
func (s CaseState) Label() string {
	switch s {
	case CaseNew:
		return "Nouveau"
	case CaseTriage:
		return "En triage"
	case CaseInvestigating:
		return "En enquête"
	case CaseClosed:
		return "Clos"
	}
	return string(s)
}

// Verdict is how a closed case ended.
type Verdict string

// The verdicts of a closed case.
const (
	VerdictMisuse    Verdict = "abus_confirme"
	VerdictJustified Verdict = "justifie"
	VerdictBadRule   Verdict = "faux_positif_regle"
	VerdictBadData   Verdict = "faux_positif_donnees"
)

// Verdicts lists the verdicts.
var Verdicts = []Verdict{VerdictMisuse, VerdictJustified, VerdictBadRule, VerdictBadData}

// Label is the French name of v.
func (v Verdict) Label() string {
	switch v {
	case VerdictMisuse:
		return "Abus confirmé"
	case VerdictJustified:
		return "Justifié"
	case VerdictBadRule:
		return "Faux positif : règle inadaptée"
	case VerdictBadData:
		return "Faux positif : données erronées"
	}
	return string(v)
}

// AlertEvidence is one audit entry behind an alert, with the explanation
// the gate recorded for it.
type AlertEvidence struct {
	Index       uint64    `json:"index"`
	Time        time.Time `json:"time"`
	Action      string    `json:"action,omitempty"`
	Purpose     string    `json:"purpose,omitempty"`
	PersonRef   string    `json:"person_ref,omitempty"`
	Allowed     bool      `json:"allowed"`
	Explanation string    `json:"explanation,omitempty"`
}

// Alert is one suspected misuse, attached to the open case of its
// principal.
type Alert struct {
	ID             string          `json:"id"`
	CaseID         string          `json:"case_id"`
	Rule           string          `json:"rule"`
	Score          float64         `json:"score"`
	Critical       bool            `json:"critical"`
	Principal      string          `json:"principal"` // "agent:ID" or "client:ID"
	OrganisationID string          `json:"organisation_id"`
	Reason         string          `json:"reason"`
	Evidence       []AlertEvidence `json:"evidence"`
	OccurredAt     time.Time       `json:"occurred_at"`
	CreatedAt      time.Time       `json:"created_at"`
}

// Case is a misuse case (dossier d'enquête): it groups the alerts of one
// principal until a verdict closes it.
type Case struct {
	ID             string    `json:"id"`
	Principal      string    `json:"principal"`
	OrganisationID string    `json:"organisation_id"`
	State          CaseState `json:"state"`
	Verdict        Verdict   `json:"verdict,omitempty"`
	Assignee       string    `json:"assignee,omitempty"`
	Critical       bool      `json:"critical"`
	Alerts         int       `json:"alerts"`
	OpenedAt       time.Time `json:"opened_at"`
	TriagedAt      time.Time `json:"triaged_at,omitzero"`
	ClosedAt       time.Time `json:"closed_at,omitzero"`
	UpdatedAt      time.Time `json:"updated_at"`
	// Score is the highest score of the case's alerts: the console ranks
	// open cases by it. Filled by listings.
	Score float64 `json:"score"`
}

// AgentID returns the agent behind the case ("" for a partner system).
func (c *Case) AgentID() string {
	if len(c.Principal) > 6 && c.Principal[:6] == "agent:" {
		return c.Principal[6:]
	}
	return ""
}

// Kinds of case timeline entries.
const (
	CaseEntryComment = "comment"
	CaseEntryState   = "state"
	CaseEntryAssign  = "assign"
	// The explanation exchange: a privacy officer asks the agent
	// concerned, whose answer is kept as evidence.
	CaseEntryQuestion = "question"
	CaseEntryAnswer   = "reponse"
)

// CaseEntry is a comment, a state change or an assignment on a case's
// timeline.
type CaseEntry struct {
	ID        string    `json:"id"`
	CaseID    string    `json:"case_id"`
	Kind      string    `json:"kind"`
	Author    string    `json:"author"`
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"created_at"`
}

// Suppression silences a detection rule for a principal until a time; a
// "justified" or "false positive" verdict creates one.
type Suppression struct {
	Principal string    `json:"principal"`
	Rule      string    `json:"rule"`
	Until     time.Time `json:"until"`
	CaseID    string    `json:"case_id"`
	CreatedAt time.Time `json:"created_at"`
}

// CaseFilter selects cases. Empty fields do not filter.
type CaseFilter struct {
	State          CaseState
	Rule           string // cases with at least one alert of the rule
	Principal      string
	OrganisationID string
	Limit          int
}

// BulkTask is a tâche de masse déclarée: an agent reads a population
// (listed persons, or described in Population) for a purpose during a
// window. Approved by an administrator of her organisation, it exempts her
// accesses for that purpose from the volume limits.
type BulkTask struct {
	ID             string    `json:"id"`
	OrganisationID string    `json:"organisation_id"`
	AgentID        string    `json:"agent_id"`
	Purpose        string    `json:"purpose"`
	Population     string    `json:"population"`
	Persons        []string  `json:"persons"`
	Start          time.Time `json:"start"`
	End            time.Time `json:"end"`
	DeclaredBy     string    `json:"declared_by"`
	ApprovedBy     string    `json:"approved_by,omitempty"`
	ApprovedAt     time.Time `json:"approved_at,omitzero"`
	CreatedAt      time.Time `json:"created_at"`
}

// Approved reports whether an administrator approved t.
func (t *BulkTask) Approved() bool { return t.ApprovedBy != "" }

// Active reports whether t is approved and covers at.
func (t *BulkTask) Active(at time.Time) bool {
	return t.Approved() && !at.Before(t.Start) && !at.After(t.End)
}
