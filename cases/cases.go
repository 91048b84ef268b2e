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

type State = socle.CaseState

const (
	StateNew           = socle.CaseNew
	StateTriage        = socle.CaseTriage
	StateInvestigating = socle.CaseInvestigating
	StateClosed        = socle.CaseClosed
)

var States = socle.CaseStates

type Verdict = socle.Verdict

const (
	VerdictMisuse    = socle.VerdictMisuse
	VerdictJustified = socle.VerdictJustified
	VerdictBadRule   = socle.VerdictBadRule
	VerdictBadData   = socle.VerdictBadData
)

var Verdicts = socle.Verdicts

// suppresses reports whether the verdict silences the same pattern.
func suppresses(v socle.Verdict) bool {
	return v == socle.VerdictJustified || v == socle.VerdictBadRule || v == socle.VerdictBadData
}

// RuleInline is the rule of the alerts the gate's inline throttle raises
// when it blocks a principal.
const RuleInline = "volume_inline"

type Evidence = socle.AlertEvidence
type Alert = socle.Alert
type Case = socle.Case

const (
	EntryComment = socle.CaseEntryComment
	EntryState   = socle.CaseEntryState
	EntryAssign  = socle.CaseEntryAssign
)

type Entry = socle.CaseEntry
type Suppression = socle.Suppression
type Filter = socle.CaseFilter
type BulkTask = socle.BulkTask

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
