// Package cases turns misuse alerts into investigation cases for the
// privacy officers (délégués à la protection des données): alerts grouped
// per agent or partner system, a workflow with valid transitions only
// (nouveau → triage → enquête → clos with a verdict), assignment to the
// auditors of the right organisation, comments, suppressions that a
// "justified" or "false positive" verdict creates for the detector, metrics,
// and the declared bulk tasks (tâches de masse) that exempt an agent from
// the volume limits.
package cases

import (
	"context"
	"time"

	"socle"
)

// State is where a case stands in the workflow.
type State string

// The states of a case.
const (
	StateNew           State = "nouveau"
	StateTriage        State = "triage"
	StateInvestigating State = "enquete"
	StateClosed        State = "clos"
)

// States lists the states in workflow order.
var States = []State{StateNew, StateTriage, StateInvestigating, StateClosed}

// Label is the French name of s.
func (s State) Label() string {
	switch s {
	case StateNew:
		return "Nouveau"
	case StateTriage:
		return "En triage"
	case StateInvestigating:
		return "En enquête"
	case StateClosed:
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

// suppresses reports whether the verdict silences the same pattern.
func (v Verdict) suppresses() bool {
	return v == VerdictJustified || v == VerdictBadRule || v == VerdictBadData
}

// RuleInline is the rule of the alerts the gate's inline throttle raises
// when it blocks a principal.
const RuleInline = "volume_inline"

// Evidence is one audit entry behind an alert, with the explanation the
// gate recorded for it.
type Evidence struct {
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
	ID             string     `json:"id"`
	CaseID         string     `json:"case_id"`
	Rule           string     `json:"rule"`
	Score          float64    `json:"score"`
	Critical       bool       `json:"critical"`
	Principal      string     `json:"principal"` // "agent:ID" or "client:ID"
	OrganisationID string     `json:"organisation_id"`
	Reason         string     `json:"reason"`
	Evidence       []Evidence `json:"evidence"`
	OccurredAt     time.Time  `json:"occurred_at"`
	CreatedAt      time.Time  `json:"created_at"`
}

// Case groups the alerts of one principal until a verdict closes it.
type Case struct {
	ID             string    `json:"id"`
	Principal      string    `json:"principal"`
	OrganisationID string    `json:"organisation_id"`
	State          State     `json:"state"`
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

// Kinds of timeline entries.
const (
	EntryComment = "comment"
	EntryState   = "state"
	EntryAssign  = "assign"
)

// Entry is a comment, a state change or an assignment on a case.
type Entry struct {
	ID        string    `json:"id"`
	CaseID    string    `json:"case_id"`
	Kind      string    `json:"kind"`
	Author    string    `json:"author"`
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"created_at"`
}

// Suppression silences a rule for a principal until a time.
type Suppression struct {
	Principal string    `json:"principal"`
	Rule      string    `json:"rule"`
	Until     time.Time `json:"until"`
	CaseID    string    `json:"case_id"`
	CreatedAt time.Time `json:"created_at"`
}

// Filter selects cases. Empty fields do not filter.
type Filter struct {
	State          State
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

// Store keeps cases, alerts, suppressions, the live detector's cursor and
// bulk tasks. *sqlstore.DB implements it.
type Store interface {
	// AddAlert stores a, attached to the open case of its principal or to
	// a new case, and returns that case.
	AddAlert(ctx context.Context, a *Alert) (*Case, error)
	Case(ctx context.Context, id string) (*Case, error)
	Cases(ctx context.Context, f Filter) ([]*Case, error)
	CaseAlerts(ctx context.Context, caseID string) ([]*Alert, error)
	// Alerts returns the alerts since a time, without their evidence.
	Alerts(ctx context.Context, since time.Time) ([]*Alert, error)
	// UpdateCase writes c if it is still in state from (ECONFLICT
	// otherwise) and adds e to its timeline.
	UpdateCase(ctx context.Context, c *Case, from State, e *Entry) error
	AddCaseEntry(ctx context.Context, e *Entry) error
	CaseEntries(ctx context.Context, caseID string) ([]*Entry, error)
	PutSuppression(ctx context.Context, s *Suppression) error
	// Suppressions returns those still in force at a time.
	Suppressions(ctx context.Context, at time.Time) ([]*Suppression, error)
	DetectCursor(ctx context.Context, name string) (uint64, error)
	SetDetectCursor(ctx context.Context, name string, position uint64) error
	CreateBulkTask(ctx context.Context, t *BulkTask) error
	BulkTask(ctx context.Context, id string) (*BulkTask, error)
	// ApproveBulkTask records the approval; ECONFLICT when already approved.
	ApproveBulkTask(ctx context.Context, id, by string, at time.Time) error
	// BulkTasks returns the tasks of an organisation ("" for all) ending
	// after a time, newest first.
	BulkTasks(ctx context.Context, organisationID string, endsAfter time.Time) ([]*BulkTask, error)
	Agent(ctx context.Context, id string) (*socle.Agent, error)
	AgentsOf(ctx context.Context, organisationID string) ([]*socle.Agent, error)
}
