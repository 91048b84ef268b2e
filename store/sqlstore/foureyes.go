package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"socle"
)

// AgentOrigin returns where an agent's account comes from; an empty origin
// when nothing was recorded (an account provisioned outside Socle's pages).
func (s *DB) AgentOrigin(ctx context.Context, agentID string) (*socle.AgentOrigin, error) {
	o := socle.AgentOrigin{AgentID: agentID}
	var first int64
	err := s.read.QueryRowContext(ctx, s.q(`SELECT created_by, created_from, enrolled_from, enrolled_ua, enrolled_beside, first_factor_us FROM agent_origins WHERE agent_id = ?`), agentID).
		Scan(&o.CreatedBy, &o.CreatedFrom, &o.EnrolledFrom, &o.EnrolledUA, &o.EnrolledBeside, &first)
	if errors.Is(err, sql.ErrNoRows) {
		return &o, nil
	} else if err != nil {
		return nil, fmt.Errorf("reading the origin of an account: %w", err)
	}
	if first != 0 {
		o.FirstFactor = micros(first)
	}
	return &o, nil
}

// RecordAgentCreated records who created an account, from where.
func (s *DB) RecordAgentCreated(ctx context.Context, agentID, by, from string) error {
	_, err := s.write.ExecContext(ctx, s.q(`INSERT INTO agent_origins (agent_id, created_by, created_from) VALUES (?, ?, ?)
ON CONFLICT (agent_id) DO UPDATE SET created_by = excluded.created_by, created_from = excluded.created_from`), agentID, by, from)
	return s.fail(err, "agent origin")
}

// RecordEnrolment records the address, browser and signed-in agent of an
// activation; a re-enrolment replaces them.
func (s *DB) RecordEnrolment(ctx context.Context, agentID, from, userAgent, beside string) error {
	_, err := s.write.ExecContext(ctx, s.q(`INSERT INTO agent_origins (agent_id, enrolled_from, enrolled_ua, enrolled_beside) VALUES (?, ?, ?, ?)
ON CONFLICT (agent_id) DO UPDATE SET enrolled_from = excluded.enrolled_from, enrolled_ua = excluded.enrolled_ua, enrolled_beside = excluded.enrolled_beside`), agentID, from, userAgent, beside)
	return s.fail(err, "agent origin")
}

// RecordFactorSignIn records the first sign-in of an agent with her own
// second factor; later ones leave it.
func (s *DB) RecordFactorSignIn(ctx context.Context, agentID string, at time.Time) error {
	_, err := s.write.ExecContext(ctx, s.q(`INSERT INTO agent_origins (agent_id, first_factor_us) VALUES (?, ?)
ON CONFLICT (agent_id) DO UPDATE SET first_factor_us = excluded.first_factor_us WHERE agent_origins.first_factor_us = 0`), agentID, at.UnixMicro())
	return s.fail(err, "agent origin")
}

// AgentsWithRole lists at most limit agents holding role, of one
// organisation or of all (""), by id.
func (s *DB) AgentsWithRole(ctx context.Context, role socle.Role, organisationID string, limit int) ([]*socle.Agent, error) {
	like := `%"` + string(role) + `"%`
	return queryAll(ctx, s, scanAgent, "agents", agentSelect+` WHERE CAST(roles AS TEXT) LIKE ? AND (? = '' OR organisation_id = ?) ORDER BY id LIMIT ?`,
		like, organisationID, organisationID, clampLimit(limit, 100, 1000))
}

const changeSelect = `SELECT id, kind, organisation_id, subject, base, payload, summary, reason, requested_by, requested_from, requested_at, status, decided_by, decided_at FROM admin_changes`

func scanChange(sc rowScanner) (*socle.Change, error) {
	var c socle.Change
	err := sc.Scan(&c.ID, &c.Kind, &c.OrganisationID, &c.Subject, &c.Base, &c.Payload, &c.Summary, &c.Reason,
		&c.RequestedBy, &c.RequestedFrom, scanTime(&c.RequestedAt), &c.Status, &c.DecidedBy, scanTime(&c.DecidedAt))
	return &c, err
}

// CreateChange stores an administrative change waiting for approval.
func (s *DB) CreateChange(ctx context.Context, c *socle.Change) error {
	if c.ID == "" {
		c.ID = socle.NewID("chg")
	}
	c.RequestedAt = stamp(c.RequestedAt)
	_, err := s.write.ExecContext(ctx, s.q(`INSERT INTO admin_changes (id, kind, organisation_id, subject, base, payload, summary, reason, requested_by, requested_from, requested_at, status)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`), c.ID, c.Kind, c.OrganisationID, c.Subject, c.Base, c.Payload, c.Summary, c.Reason, c.RequestedBy, c.RequestedFrom, c.RequestedAt, c.Status)
	return s.fail(err, "change")
}

// Change returns an administrative change, ENOTFOUND if none.
func (s *DB) Change(ctx context.Context, id string) (*socle.Change, error) {
	return queryOne(ctx, s, scanChange, "change", changeSelect+` WHERE id = ?`, id)
}

// PendingChanges lists the pending changes of kind for an organisation
// ("" for the register), oldest first.
func (s *DB) PendingChanges(ctx context.Context, kind, organisationID string) ([]*socle.Change, error) {
	return queryAll(ctx, s, scanChange, "changes", changeSelect+` WHERE kind = ? AND organisation_id = ? AND status = ? ORDER BY requested_at, id`, kind, organisationID, socle.ChangePending)
}

// DecideChange sets the status of a pending change; the condition on the
// status makes exactly one of concurrent decisions win.
func (s *DB) DecideChange(ctx context.Context, id, status, by string, at time.Time) (bool, error) {
	res, err := s.write.ExecContext(ctx, s.q(`UPDATE admin_changes SET status = ?, decided_by = ?, decided_at = ? WHERE id = ? AND status = ?`), status, by, stamp(at), id, socle.ChangePending)
	if err != nil {
		return false, s.fail(err, "change")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("deciding change: %w", err)
	}
	return n == 1, nil
}
