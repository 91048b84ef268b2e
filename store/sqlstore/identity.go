package sqlstore

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"socle"
)

// UpdateAgent replaces the names, roles and disabled flag of an agent.
func (s *DB) UpdateAgent(ctx context.Context, a *socle.Agent) error {
	defer s.sessionsChanged()
	if err := a.Validate(); err != nil {
		return err
	}
	res, err := s.write.ExecContext(ctx, s.q(`UPDATE agents SET given_name = ?, family_name = ?, roles = ?, disabled = ? WHERE id = ?`),
		a.GivenName, a.FamilyName, listJSON(a.Roles), a.Disabled, a.ID)
	if err != nil {
		return s.fail(err, "agent")
	}
	return oneRow(res, "agent")
}

// oneRow returns ENOTFOUND when res changed no row.
func oneRow(res sql.Result, what string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if n == 0 {
		return notFound(what)
	}
	return nil
}

// Credential returns the credential of an agent, empty when none.
func (s *DB) Credential(ctx context.Context, agentID string) (*socle.AgentCredential, error) {
	c := socle.AgentCredential{AgentID: agentID}
	err := s.read.QueryRowContext(ctx, s.q(`SELECT password_hash, totp_secret, totp_last_step, updated_at FROM agent_credentials WHERE agent_id = ?`), agentID).
		Scan(&c.PasswordHash, &c.TOTPSecret, &c.TOTPLastStep, scanTime(&c.UpdatedAt))
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("reading credential: %w", err)
	}
	return &c, nil
}

// ensureCredential creates the empty credential row of an agent.
func (s *DB) ensureCredential(ctx context.Context, agentID string) error {
	_, err := s.write.ExecContext(ctx, s.q(`INSERT INTO agent_credentials (agent_id, updated_at) VALUES (?, ?) ON CONFLICT (agent_id) DO NOTHING`), agentID, now())
	return s.fail(err, "credential")
}

// SetPassword replaces the password hash of an agent.
func (s *DB) SetPassword(ctx context.Context, agentID, hash string) error {
	if err := s.ensureCredential(ctx, agentID); err != nil {
		return err
	}
	_, err := s.write.ExecContext(ctx, s.q(`UPDATE agent_credentials SET password_hash = ?, updated_at = ? WHERE agent_id = ?`), hash, now(), agentID)
	return s.fail(err, "credential")
}

// SetTOTP replaces the TOTP secret of an agent and resets its last step.
func (s *DB) SetTOTP(ctx context.Context, agentID, secret string) error {
	if err := s.ensureCredential(ctx, agentID); err != nil {
		return err
	}
	_, err := s.write.ExecContext(ctx, s.q(`UPDATE agent_credentials SET totp_secret = ?, totp_last_step = 0, updated_at = ? WHERE agent_id = ?`), secret, now(), agentID)
	return s.fail(err, "credential")
}

// UseTOTPStep marks step used if it is later than the last used, in one
// statement, so that two requests racing with one code cannot both pass.
func (s *DB) UseTOTPStep(ctx context.Context, agentID string, step int64) (bool, error) {
	res, err := s.write.ExecContext(ctx, s.q(`UPDATE agent_credentials SET totp_last_step = ? WHERE agent_id = ? AND totp_last_step < ? AND totp_secret <> ''`), step, agentID, step)
	if err != nil {
		return false, s.fail(err, "credential")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("credential: %w", err)
	}
	return n == 1, nil
}

var credIDEncoding = base64.RawURLEncoding

// AddWebAuthnCredential stores a security key of an agent.
func (s *DB) AddWebAuthnCredential(ctx context.Context, c *socle.WebAuthnCredential) error {
	_, err := s.write.ExecContext(ctx, s.q(`INSERT INTO webauthn_credentials (id, agent_id, name, data, created_at) VALUES (?, ?, ?, ?, ?)`),
		credIDEncoding.EncodeToString(c.ID), c.AgentID, c.Name, string(c.Data), stamp(c.CreatedAt))
	return s.fail(err, "webauthn credential")
}

// WebAuthnCredentials lists the security keys of an agent, oldest first.
func (s *DB) WebAuthnCredentials(ctx context.Context, agentID string) ([]*socle.WebAuthnCredential, error) {
	return queryAll(ctx, s, func(sc rowScanner) (*socle.WebAuthnCredential, error) {
		var c socle.WebAuthnCredential
		var id, data string
		if err := sc.Scan(&id, &c.AgentID, &c.Name, &data, scanTime(&c.CreatedAt), scanTime(&c.LastUsed)); err != nil {
			return nil, err
		}
		var err error
		if c.ID, err = credIDEncoding.DecodeString(id); err != nil {
			return nil, err
		}
		c.Data = []byte(data)
		return &c, nil
	}, "webauthn credentials", `SELECT id, agent_id, name, data, created_at, last_used FROM webauthn_credentials WHERE agent_id = ? ORDER BY created_at, id`, agentID)
}

// UpdateWebAuthnCredential saves the state of a key after a login (its
// signature counter) and when it was used.
func (s *DB) UpdateWebAuthnCredential(ctx context.Context, c *socle.WebAuthnCredential) error {
	res, err := s.write.ExecContext(ctx, s.q(`UPDATE webauthn_credentials SET data = ?, last_used = ? WHERE id = ? AND agent_id = ?`),
		string(c.Data), stamp(c.LastUsed), credIDEncoding.EncodeToString(c.ID), c.AgentID)
	if err != nil {
		return s.fail(err, "webauthn credential")
	}
	return oneRow(res, "webauthn credential")
}

// DeleteWebAuthnCredentials removes every key of an agent.
func (s *DB) DeleteWebAuthnCredentials(ctx context.Context, agentID string) error {
	_, err := s.write.ExecContext(ctx, s.q(`DELETE FROM webauthn_credentials WHERE agent_id = ?`), agentID)
	return s.fail(err, "webauthn credential")
}

// CreateSession stores a new session.
func (s *DB) CreateSession(ctx context.Context, se *socle.AgentSession) error {
	_, err := s.write.ExecContext(ctx, s.q(`INSERT INTO sessions (id, agent_id, strength, method, csrf, pending, created_at, last_seen, expires_at, remote_addr, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		se.ID, se.AgentID, int(se.Strength), se.Method, se.CSRF, se.Pending, stamp(se.CreatedAt), stamp(se.LastSeen), stamp(se.ExpiresAt), se.RemoteAddr, se.UserAgent)
	return s.fail(err, "session")
}

const sessionSelect = `SELECT id, agent_id, strength, method, csrf, pending, created_at, last_seen, expires_at, remote_addr, user_agent FROM sessions`

func scanSession(sc interface{ Scan(...any) error }) (*socle.AgentSession, error) {
	var se socle.AgentSession
	var strength int
	if err := sc.Scan(&se.ID, &se.AgentID, &strength, &se.Method, &se.CSRF, &se.Pending, scanTime(&se.CreatedAt), scanTime(&se.LastSeen), scanTime(&se.ExpiresAt), &se.RemoteAddr, &se.UserAgent); err != nil {
		return nil, err
	}
	se.Strength = socle.AuthStrength(strength)
	return &se, nil
}

// Session returns the session with that id, ENOTFOUND if none.
func (s *DB) Session(ctx context.Context, id string) (*socle.AgentSession, error) {
	return queryOne(ctx, s, scanSession, "session", sessionSelect+` WHERE id = ?`, id)
}

// TouchSession records that a session was used at at.
func (s *DB) TouchSession(ctx context.Context, id string, at time.Time) error {
	_, err := s.write.ExecContext(ctx, s.q(`UPDATE sessions SET last_seen = ? WHERE id = ?`), stamp(at), id)
	return s.fail(err, "session")
}

// SetSessionPending saves the state of a ceremony in progress.
func (s *DB) SetSessionPending(ctx context.Context, id string, pending []byte) error {
	defer s.sessionsChanged()
	res, err := s.write.ExecContext(ctx, s.q(`UPDATE sessions SET pending = ? WHERE id = ?`), pending, id)
	if err != nil {
		return s.fail(err, "session")
	}
	return oneRow(res, "session")
}

// DeleteSession ends a session; ENOTFOUND if there was none.
func (s *DB) DeleteSession(ctx context.Context, id string) error {
	defer s.sessionsChanged()
	res, err := s.write.ExecContext(ctx, s.q(`DELETE FROM sessions WHERE id = ?`), id)
	if err != nil {
		return s.fail(err, "session")
	}
	return oneRow(res, "session")
}

// DeleteSessionsOf ends every session of an agent.
func (s *DB) DeleteSessionsOf(ctx context.Context, agentID string) error {
	defer s.sessionsChanged()
	_, err := s.write.ExecContext(ctx, s.q(`DELETE FROM sessions WHERE agent_id = ?`), agentID)
	return s.fail(err, "session")
}

// SessionsOf lists the sessions of an agent, newest first.
func (s *DB) SessionsOf(ctx context.Context, agentID string) ([]*socle.AgentSession, error) {
	return queryAll(ctx, s, scanSession, "sessions", sessionSelect+` WHERE agent_id = ? ORDER BY created_at DESC, id`, agentID)
}

func micros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// Throttle returns the failures of key, zero when none.
func (s *DB) Throttle(ctx context.Context, key string) (socle.SignInFailures, error) {
	t := socle.SignInFailures{Key: key}
	var first, last int64
	err := s.read.QueryRowContext(ctx, s.q(`SELECT failures, first_us, last_us FROM login_throttles WHERE key = ?`), key).Scan(&t.Failures, &first, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return t, nil
	} else if err != nil {
		return t, fmt.Errorf("reading throttle: %w", err)
	}
	t.First, t.Last = micros(first), micros(last)
	return t, nil
}

// RecordFailure counts one more failure of key in one statement; a failure
// more than window after the last one starts a new run.
func (s *DB) RecordFailure(ctx context.Context, key string, at time.Time, window time.Duration) (socle.SignInFailures, error) {
	us, stale := at.UnixMicro(), at.Add(-window).UnixMicro()
	t := socle.SignInFailures{Key: key}
	var first, last int64
	err := s.write.QueryRowContext(ctx, s.q(`INSERT INTO login_throttles (key, failures, first_us, last_us) VALUES (?, 1, ?, ?)
ON CONFLICT (key) DO UPDATE SET
	failures = CASE WHEN login_throttles.last_us < ? THEN 1 ELSE login_throttles.failures + 1 END,
	first_us = CASE WHEN login_throttles.last_us < ? THEN excluded.first_us ELSE login_throttles.first_us END,
	last_us = excluded.last_us
RETURNING failures, first_us, last_us`), key, us, us, stale, stale).Scan(&t.Failures, &first, &last)
	if err != nil {
		return t, s.fail(err, "throttle")
	}
	t.First, t.Last = micros(first), micros(last)
	return t, nil
}

// ResetFailures forgets the failures of key.
func (s *DB) ResetFailures(ctx context.Context, key string) error {
	_, err := s.write.ExecContext(ctx, s.q(`DELETE FROM login_throttles WHERE key = ?`), key)
	return s.fail(err, "throttle")
}

// CreateToken stores a one-time link.
func (s *DB) CreateToken(ctx context.Context, t *socle.AgentToken) error {
	_, err := s.write.ExecContext(ctx, s.q(`INSERT INTO identity_tokens (hash, agent_id, purpose, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`),
		t.Hash, t.AgentID, t.Purpose, stamp(t.CreatedAt), stamp(t.ExpiresAt))
	return s.fail(err, "token")
}

const tokenColumns = `hash, agent_id, purpose, created_at, expires_at`

func scanToken(sc interface{ Scan(...any) error }) (*socle.AgentToken, error) {
	var t socle.AgentToken
	err := sc.Scan(&t.Hash, &t.AgentID, &t.Purpose, scanTime(&t.CreatedAt), scanTime(&t.ExpiresAt))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("token")
	} else if err != nil {
		return nil, fmt.Errorf("reading token: %w", err)
	}
	return &t, nil
}

// Token returns a one-time link without consuming it.
func (s *DB) Token(ctx context.Context, hash string) (*socle.AgentToken, error) {
	return scanToken(s.read.QueryRowContext(ctx, s.q(`SELECT `+tokenColumns+` FROM identity_tokens WHERE hash = ?`), hash))
}

// ConsumeToken deletes a one-time link and returns it if it was unexpired:
// the delete makes it single-use even under concurrent requests.
func (s *DB) ConsumeToken(ctx context.Context, hash string, at time.Time) (*socle.AgentToken, error) {
	t, err := scanToken(s.write.QueryRowContext(ctx, s.q(`DELETE FROM identity_tokens WHERE hash = ? RETURNING `+tokenColumns), hash))
	if err != nil {
		return nil, err
	}
	if !at.Before(t.ExpiresAt) {
		return nil, notFound("token")
	}
	return t, nil
}

// CreateRecovery stores a recovery request.
func (s *DB) CreateRecovery(ctx context.Context, r *socle.RecoveryRequest) error {
	_, err := s.write.ExecContext(ctx, s.q(`INSERT INTO recovery_requests (id, agent_id, organisation_id, status, created_at, requested_by, requested_from) VALUES (?, ?, ?, ?, ?, ?, ?)`),
		r.ID, r.AgentID, r.OrganisationID, r.Status, stamp(r.CreatedAt), r.RequestedBy, r.RequestedFrom)
	return s.fail(err, "recovery request")
}

const recoverySelect = `SELECT id, agent_id, organisation_id, status, created_at, decided_at, requested_by, requested_from FROM recovery_requests`

// recoveries reads requests with their approvers.
func (s *DB) recoveries(ctx context.Context, q queryer, where string, arg any) ([]*socle.RecoveryRequest, error) {
	// The rows are closed before the approvers are read: a transaction
	// has one connection.
	out, err := queryAllIn(ctx, s, q, func(sc rowScanner) (*socle.RecoveryRequest, error) {
		var r socle.RecoveryRequest
		err := sc.Scan(&r.ID, &r.AgentID, &r.OrganisationID, &r.Status, scanTime(&r.CreatedAt), scanTime(&r.DecidedAt), &r.RequestedBy, &r.RequestedFrom)
		return &r, err
	}, "recovery requests", recoverySelect+where, arg)
	if err != nil {
		return nil, err
	}
	for _, r := range out {
		if err := s.approvers(ctx, q, r); err != nil {
			return nil, err
		}
	}
	return out, nil
}

type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (s *DB) approvers(ctx context.Context, q queryer, r *socle.RecoveryRequest) error {
	var err error
	r.Approvers, err = queryAllIn(ctx, s, q, scanString, "approvals", `SELECT approver_id FROM recovery_approvals WHERE recovery_id = ? ORDER BY position`, r.ID)
	return err
}

// Recovery returns a recovery request, ENOTFOUND if none.
func (s *DB) Recovery(ctx context.Context, id string) (*socle.RecoveryRequest, error) {
	rs, err := s.recoveries(ctx, s.read, ` WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, notFound("recovery request")
	}
	return rs[0], nil
}

// RecoveriesOf lists the recovery requests of an organisation, newest first.
func (s *DB) RecoveriesOf(ctx context.Context, organisationID string) ([]*socle.RecoveryRequest, error) {
	return s.recoveries(ctx, s.read, ` WHERE organisation_id = ? ORDER BY created_at DESC, id`, organisationID)
}

// ApproveRecovery adds a distinct approver to a pending request, and marks
// it approved when approvals reach need, in one transaction.
func (s *DB) ApproveRecovery(ctx context.Context, id, approverID string, need int, at time.Time) (*socle.RecoveryRequest, bool, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, false, fmt.Errorf("approving recovery: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO recovery_approvals (recovery_id, approver_id, position, approved_at)
SELECT r.id, ?, (SELECT count(*) FROM recovery_approvals a WHERE a.recovery_id = r.id), ? FROM recovery_requests r WHERE r.id = ? AND r.status = ?
ON CONFLICT (recovery_id, approver_id) DO NOTHING`), approverID, stamp(at), id, socle.RecoveryPending); err != nil {
		return nil, false, s.fail(err, "recovery approval")
	}
	rs, err := s.recoveries(ctx, tx, ` WHERE id = ?`, id)
	if err != nil {
		return nil, false, err
	}
	if len(rs) == 0 {
		return nil, false, notFound("recovery request")
	}
	r, decided := rs[0], false
	if r.Status == socle.RecoveryPending && len(r.Approvers) >= need {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE recovery_requests SET status = ?, decided_at = ? WHERE id = ? AND status = ?`), socle.RecoveryApproved, stamp(at), id, socle.RecoveryPending)
		if err != nil {
			return nil, false, s.fail(err, "recovery request")
		}
		n, err := res.RowsAffected()
		if err != nil {
			return nil, false, fmt.Errorf("approving recovery: %w", err)
		}
		decided = n == 1
		r.Status, r.DecidedAt = socle.RecoveryApproved, stamp(at)
	}
	if err := s.commit(tx, "recovery approval"); err != nil {
		return nil, false, err
	}
	return r, decided, nil
}

// AddNotification stores a notification.
func (s *DB) AddNotification(ctx context.Context, n *socle.Notification) error {
	_, err := s.write.ExecContext(ctx, s.q(`INSERT INTO notifications (id, agent_id, subject, body, created_at) VALUES (?, ?, ?, ?, ?)`),
		n.ID, n.AgentID, n.Subject, n.Body, stamp(n.CreatedAt))
	return s.fail(err, "notification")
}

// Notifications returns the latest notifications of an agent, newest first.
func (s *DB) Notifications(ctx context.Context, agentID string, limit int) ([]*socle.Notification, error) {
	return queryAll(ctx, s, func(sc rowScanner) (*socle.Notification, error) {
		var n socle.Notification
		if err := sc.Scan(&n.ID, &n.AgentID, &n.Subject, &n.Body, scanTime(&n.CreatedAt)); err != nil {
			return nil, err
		}
		return &n, nil
	}, "notifications", `SELECT id, agent_id, subject, body, created_at FROM notifications WHERE agent_id = ? ORDER BY created_at DESC, id LIMIT ?`, agentID, clampLimit(limit, 50, 500))
}

// KeepPendingTOTP keeps the first secret proposed for a token and returns
// it; expired secrets are forgotten on the way.
func (s *DB) KeepPendingTOTP(ctx context.Context, hash, agentID, secret string, at, expires time.Time) (string, error) {
	if _, err := s.write.ExecContext(ctx, s.q(`DELETE FROM pending_totp WHERE expires_us <= ?`), at.UnixMicro()); err != nil {
		return "", fmt.Errorf("forgetting expired enrolment secrets: %w", err)
	}
	var kept string
	err := s.write.QueryRowContext(ctx, s.q(`INSERT INTO pending_totp (token_hash, agent_id, secret, expires_us) VALUES (?, ?, ?, ?)
ON CONFLICT (token_hash) DO UPDATE SET token_hash = excluded.token_hash
RETURNING secret`), hash, agentID, secret, expires.UnixMicro()).Scan(&kept)
	if err != nil {
		return "", s.fail(err, "enrolment secret")
	}
	return kept, nil
}

// PendingTOTP returns the secret kept for a token.
func (s *DB) PendingTOTP(ctx context.Context, hash string, at time.Time) (string, error) {
	var secret string
	err := s.read.QueryRowContext(ctx, s.q(`SELECT secret FROM pending_totp WHERE token_hash = ? AND expires_us > ?`), hash, at.UnixMicro()).Scan(&secret)
	if errors.Is(err, sql.ErrNoRows) {
		return "", socle.Errorf(socle.ENOTFOUND, "no enrolment secret for this link")
	} else if err != nil {
		return "", fmt.Errorf("reading the enrolment secret: %w", err)
	}
	return secret, nil
}

// DropPendingTOTP forgets the secret kept for a token.
func (s *DB) DropPendingTOTP(ctx context.Context, hash string) error {
	_, err := s.write.ExecContext(ctx, s.q(`DELETE FROM pending_totp WHERE token_hash = ?`), hash)
	return s.fail(err, "enrolment secret")
}
