package cases

import (
	"context"
	"fmt"
	"socle/audit"

	"socle"
)

// Audit actions of the case workflow and of bulk tasks: every
// administrative change is an event of the tamper-evident log.
const (
	AuditCaseState    = "case_state"
	AuditCaseAssign   = "case_assigned"
	AuditCaseComment  = "case_comment"
	AuditTaskDeclared = "bulk_task_declared"
	AuditTaskApproved = "bulk_task_approved"
	// Reads: the evidence of a case is about persons and agents, so a
	// privacy officer's reading is recorded like any other access.
	AuditCaseList = "case_list"
	AuditCaseRead = "case_read"
)

// SetAuditor gives the service the audit log its changes are written to.
// Until it is set, every change is refused: a change that cannot be
// audited must not happen.
func (s *Service) SetAuditor(a socle.Auditor) {
	s.mu.Lock()
	s.auditor = a
	s.mu.Unlock()
}

// audit appends the event of a change by actor on the resource (kind, id),
// before the change is written.
func (s *Service) audit(ctx context.Context, actor socle.Actor, action, kind, id, explanation string, facts ...socle.Fact) error {
	return s.auditRecords(ctx, actor, action, kind, id, explanation, 1, facts...)
}

// auditRecords is audit for an access that returns records entries.
func (s *Service) auditRecords(ctx context.Context, actor socle.Actor, action, kind, id, explanation string, records int, facts ...socle.Fact) error {
	s.mu.Lock()
	a := s.auditor
	s.mu.Unlock()
	if a == nil {
		return socle.Errorf(socle.EUNAVAILABLE, "the audit log is not available: the change is refused")
	}
	ev, err := audit.Event(s.Now(), audit.Act{AgentID: actor.AgentID, ClientID: actor.ClientID, OrganisationID: actor.OrganisationID,
		Action: action, ResourceKind: kind, ResourceID: id, Allowed: true, Explanation: explanation, Facts: facts, Records: records})
	if err != nil {
		return fmt.Errorf("auditing %s of %s: %w", action, id, err)
	}
	if err := a.Append(ctx, ev); err != nil {
		return fmt.Errorf("auditing %s of %s: %w", action, id, err)
	}
	return nil
}
