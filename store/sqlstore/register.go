package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"socle"
)

// LatestRegister returns the newest stored version of the register of
// purposes and agreements, ENOTFOUND when none is stored yet.
func (s *DB) LatestRegister(ctx context.Context) (*socle.RegisterVersion, error) {
	v := &socle.RegisterVersion{}
	err := s.read.QueryRowContext(ctx, `SELECT version, register, author, reason, created_at FROM policy_registers ORDER BY version DESC LIMIT 1`).
		Scan(&v.Version, &v.JSON, &v.Author, &v.Reason, scanTime(&v.CreatedAt))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("register")
	} else if err != nil {
		return nil, fmt.Errorf("reading the register: %w", err)
	}
	return v, nil
}

// AddRegister stores a new version of the register. ECONFLICT when that
// version number is taken: another administrator saved first.
func (s *DB) AddRegister(ctx context.Context, v *socle.RegisterVersion) error {
	v.CreatedAt = stamp(v.CreatedAt)
	_, err := s.write.ExecContext(ctx, s.q(`INSERT INTO policy_registers (version, register, author, reason, created_at) VALUES (?, ?, ?, ?, ?)`),
		v.Version, v.JSON, v.Author, v.Reason, v.CreatedAt)
	if err != nil {
		if kind, _ := s.constraint(err); kind == UniqueViolation {
			return socle.Errorf(socle.ECONFLICT, "register version %d already exists: reload and edit again", v.Version)
		}
		return s.fail(err, "register")
	}
	return nil
}

// RegisterVersions returns the history of the register, newest first,
// without the registers themselves.
func (s *DB) RegisterVersions(ctx context.Context, limit int) ([]socle.RegisterVersion, error) {
	return queryAll(ctx, s, func(sc rowScanner) (socle.RegisterVersion, error) {
		var v socle.RegisterVersion
		err := sc.Scan(&v.Version, &v.Author, &v.Reason, scanTime(&v.CreatedAt))
		return v, err
	}, "register versions", `SELECT version, author, reason, created_at FROM policy_registers ORDER BY version DESC LIMIT ?`, clampLimit(limit, 100, 1000))
}

// constraint classifies a driver error with the dialect, if it can.
func (s *DB) constraint(err error) (ConstraintKind, string) {
	if s.d.Constraint == nil {
		return NoConstraint, ""
	}
	return s.d.Constraint(err)
}

// AddGrant stores a break-the-glass grant.
func (s *DB) AddGrant(ctx context.Context, g *socle.BreakGlassGrant) error {
	if g.ID == "" {
		g.ID = socle.NewID("bdg")
	}
	g.Created = stamp(g.Created)
	g.Expires = stamp(g.Expires)
	_, err := s.write.ExecContext(ctx, s.q(`INSERT INTO break_glass_grants
		(id, agent_id, organisation_id, person_id, purpose, justification, created_at, expires_at, reviewed, reviewed_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '')`),
		g.ID, g.AgentID, g.OrganisationID, g.PersonID, g.Purpose, g.Justification, g.Created, g.Expires, false)
	return s.fail(err, "break-the-glass grant")
}

const grantColumns = `id, agent_id, organisation_id, person_id, purpose, justification, created_at, expires_at, reviewed, reviewed_by, reviewed_at`

func scanGrant(sc interface{ Scan(...any) error }) (*socle.BreakGlassGrant, error) {
	g := &socle.BreakGlassGrant{}
	var reviewedAt time.Time
	if err := sc.Scan(&g.ID, &g.AgentID, &g.OrganisationID, &g.PersonID, &g.Purpose, &g.Justification,
		scanTime(&g.Created), scanTime(&g.Expires), &g.Reviewed, &g.ReviewedBy, scanTime(&reviewedAt)); err != nil {
		return nil, err
	}
	g.ReviewedAt = reviewedAt
	return g, nil
}

// ActiveGrant returns the latest grant of agent on person still valid at t,
// ENOTFOUND when none.
func (s *DB) ActiveGrant(ctx context.Context, agentID, personID string, t time.Time) (*socle.BreakGlassGrant, error) {
	return queryOne(ctx, s, scanGrant, "break-the-glass grant", `SELECT `+grantColumns+` FROM break_glass_grants
		WHERE agent_id = ? AND person_id = ? AND expires_at > ? ORDER BY expires_at DESC LIMIT 1`, agentID, personID, stamp(t))
}

// GrantsToReview returns break-the-glass grants, newest first, filtered on
// their review state.
func (s *DB) GrantsToReview(ctx context.Context, reviewed bool, limit int) ([]*socle.BreakGlassGrant, error) {
	return queryAll(ctx, s, scanGrant, "break-the-glass grants", `SELECT `+grantColumns+` FROM break_glass_grants
		WHERE reviewed = ? ORDER BY created_at DESC, id LIMIT ?`, reviewed, clampLimit(limit, 100, 1000))
}

// ReviewGrant marks a grant reviewed by an auditor, ENOTFOUND if none.
func (s *DB) ReviewGrant(ctx context.Context, id, reviewer string, t time.Time) error {
	return s.updateOne(ctx, s.write, "break-the-glass grant", `UPDATE break_glass_grants SET reviewed = ?, reviewed_by = ?, reviewed_at = ? WHERE id = ?`,
		true, reviewer, stamp(t), id)
}
