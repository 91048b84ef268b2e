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

// suppresses reports whether the verdict silences the same pattern.
func suppresses(v socle.Verdict) bool {
	return v == socle.VerdictJustified || v == socle.VerdictBadRule || v == socle.VerdictBadData
}

// RuleInline is the rule of the alerts the gate's inline throttle raises
// when it blocks a principal.
const RuleInline = "volume_inline"

// Store keeps cases, alerts, suppressions, the live detector's cursor and
// bulk tasks. *sqlstore.DB implements it.
type Store interface {
	// AddAlert stores a, attached to the open case of its principal or to
	// a new case, and returns that case.
	AddAlert(ctx context.Context, a *socle.Alert) (*socle.Case, error)
	Case(ctx context.Context, id string) (*socle.Case, error)
	Cases(ctx context.Context, f socle.CaseFilter) ([]*socle.Case, error)
	CaseAlerts(ctx context.Context, caseID string) ([]*socle.Alert, error)
	// Alerts returns the alerts since a time, without their evidence.
	Alerts(ctx context.Context, since time.Time) ([]*socle.Alert, error)
	// UpdateCase writes c if it is still in state from (ECONFLICT
	// otherwise) and adds e to its timeline.
	UpdateCase(ctx context.Context, c *socle.Case, from socle.CaseState, e *socle.CaseEntry) error
	AddCaseEntry(ctx context.Context, e *socle.CaseEntry) error
	CaseEntries(ctx context.Context, caseID string) ([]*socle.CaseEntry, error)
	PutSuppression(ctx context.Context, s *socle.Suppression) error
	// Suppressions returns those still in force at a time.
	Suppressions(ctx context.Context, at time.Time) ([]*socle.Suppression, error)
	DetectCursor(ctx context.Context, name string) (uint64, error)
	SetDetectCursor(ctx context.Context, name string, position uint64) error
	CreateBulkTask(ctx context.Context, t *socle.BulkTask) error
	BulkTask(ctx context.Context, id string) (*socle.BulkTask, error)
	// ApproveBulkTask records the approval; ECONFLICT when already approved.
	ApproveBulkTask(ctx context.Context, id, by string, at time.Time) error
	// BulkTasks returns the tasks of an organisation ("" for all) ending
	// after a time, newest first.
	BulkTasks(ctx context.Context, organisationID string, endsAfter time.Time) ([]*socle.BulkTask, error)
	Agent(ctx context.Context, id string) (*socle.Agent, error)
	AgentsOf(ctx context.Context, organisationID string) ([]*socle.Agent, error)
}
