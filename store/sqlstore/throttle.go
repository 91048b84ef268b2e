package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"socle"
)

var _ socle.ThrottleStore = (*DB)(nil)

// ThrottleWindow returns the principal's throttle state, the weight read
// after since and which of subjects are already counted. Every
// personal-data read asks it: two queries, each by an index alone.
func (s *DB) ThrottleWindow(ctx context.Context, principal string, since time.Time, subjects []string) (socle.ThrottleState, int, []string, error) {
	after := since.UnixMicro()
	st := socle.ThrottleState{Principal: principal}
	var asked, stepped, blockedAt, until int64
	var weight int
	// The state (a principal without one has the zero state) and the
	// weight of her window, in one statement.
	err := s.read.QueryRowContext(ctx, s.q(`SELECT
	(SELECT COALESCE(SUM(weight), 0) FROM gate_throttle_reads WHERE principal = ? AND at_us > ?),
	COALESCE(st.organisation_id, ''), COALESCE(st.stepup_asked_us, 0), COALESCE(st.stepped_up_us, 0),
	COALESCE(st.blocked_at_us, 0), COALESCE(st.blocked_until_us, 0), COALESCE(st.blocked_weight, 0)
FROM (SELECT 1 AS one) one LEFT JOIN gate_throttle_states st ON st.principal = ?`), principal, after, principal).
		Scan(&weight, &st.OrganisationID, &asked, &stepped, &blockedAt, &until, &st.BlockedWeight)
	if err != nil {
		return st, 0, nil, fmt.Errorf("reading throttle state: %w", err)
	}
	st.StepUpAsked, st.SteppedUp, st.BlockedAt, st.BlockedUntil = microsOrZero(asked), microsOrZero(stepped), microsOrZero(blockedAt), microsOrZero(until)
	var counted []string
	for len(subjects) > 0 {
		batch := subjects[:min(len(subjects), s.d.MaxParams-1)]
		subjects = subjects[len(batch):]
		args := make([]any, 0, len(batch)+1)
		args = append(args, principal)
		for _, sub := range batch {
			args = append(args, sub)
		}
		// By the primary key (principal, subject); the time is compared
		// here, so that no planner prefers scanning the window.
		rows, err := s.read.QueryContext(ctx, s.q(`SELECT subject, at_us FROM gate_throttle_reads WHERE principal = ? AND subject IN (`+
			strings.TrimSuffix(strings.Repeat("?, ", len(batch)), ", ")+`)`), args...)
		if err != nil {
			return st, 0, nil, fmt.Errorf("reading throttled reads: %w", err)
		}
		for rows.Next() {
			var sub string
			var at int64
			if err := rows.Scan(&sub, &at); err != nil {
				rows.Close()
				return st, 0, nil, fmt.Errorf("reading throttled reads: %w", err)
			}
			if at > after {
				counted = append(counted, sub)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return st, 0, nil, fmt.Errorf("reading throttled reads: %w", err)
		}
	}
	return st, weight, counted, nil
}

const throttleStateColumns = `principal, organisation_id, stepup_asked_us, stepped_up_us, blocked_at_us, blocked_until_us, blocked_weight`

func scanThrottleState(sc interface{ Scan(...any) error }) (socle.ThrottleState, error) {
	var st socle.ThrottleState
	var asked, stepped, blockedAt, until int64
	if err := sc.Scan(&st.Principal, &st.OrganisationID, &asked, &stepped, &blockedAt, &until, &st.BlockedWeight); err != nil {
		return socle.ThrottleState{}, err
	}
	st.StepUpAsked, st.SteppedUp, st.BlockedAt, st.BlockedUntil = microsOrZero(asked), microsOrZero(stepped), microsOrZero(blockedAt), microsOrZero(until)
	return st, nil
}

func microsOrZero(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return micros(us)
}

// CountThrottleReads records reads in one transaction and forgets the
// principal's reads that left the window. Every personal-data read counts
// one: concurrent counts are committed together (groupCommit), one commit
// and one fsync for all, each durable when its call returns.
func (s *DB) CountThrottleReads(ctx context.Context, principal string, reads []socle.ThrottleRead, at, since time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.throttleCounts.do(throttleCount{principal, reads, at, since}, s.writeThrottleCounts)
}

// throttleCount is the work of one CountThrottleReads.
type throttleCount struct {
	principal string
	reads     []socle.ThrottleRead
	at, since time.Time
}

// writeThrottleCounts writes counts in one transaction.
func (s *DB) writeThrottleCounts(ctx context.Context, counts []throttleCount) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("counting throttled reads: %w", err)
	}
	defer tx.Rollback()
	for _, c := range counts {
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM gate_throttle_reads WHERE principal = ? AND at_us <= ?`), c.principal, c.since.UnixMicro()); err != nil {
			return fmt.Errorf("forgetting throttled reads: %w", err)
		}
		for _, r := range c.reads {
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO gate_throttle_reads (principal, subject, weight, at_us) VALUES (?, ?, ?, ?)
ON CONFLICT (principal, subject) DO UPDATE SET at_us = excluded.at_us, weight = excluded.weight`), c.principal, r.Subject, r.Weight, c.at.UnixMicro()); err != nil {
				return s.fail(err, "throttled read")
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("counting throttled reads: %w", err)
	}
	return nil
}

// AskStepUp records a step-up asked of the principal.
func (s *DB) AskStepUp(ctx context.Context, principal, organisationID string, at time.Time) error {
	_, err := s.write.ExecContext(ctx, s.q(`INSERT INTO gate_throttle_states (principal, organisation_id, stepup_asked_us) VALUES (?, ?, ?)
ON CONFLICT (principal) DO UPDATE SET stepup_asked_us = excluded.stepup_asked_us, organisation_id = excluded.organisation_id`),
		principal, organisationID, at.UnixMicro())
	return s.fail(err, "throttle step-up")
}

// RecordStepUp records a fresh second factor of the principal.
func (s *DB) RecordStepUp(ctx context.Context, principal string, at time.Time) error {
	_, err := s.write.ExecContext(ctx, s.q(`INSERT INTO gate_throttle_states (principal, stepped_up_us) VALUES (?, ?)
ON CONFLICT (principal) DO UPDATE SET stepped_up_us = excluded.stepped_up_us`), principal, at.UnixMicro())
	return s.fail(err, "throttle step-up")
}

// BlockPrincipal records a block.
func (s *DB) BlockPrincipal(ctx context.Context, principal, organisationID string, at, until time.Time, weight int) error {
	_, err := s.write.ExecContext(ctx, s.q(`INSERT INTO gate_throttle_states (principal, organisation_id, blocked_at_us, blocked_until_us, blocked_weight) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (principal) DO UPDATE SET organisation_id = excluded.organisation_id, blocked_at_us = excluded.blocked_at_us,
	blocked_until_us = excluded.blocked_until_us, blocked_weight = excluded.blocked_weight`),
		principal, organisationID, at.UnixMicro(), until.UnixMicro(), weight)
	return s.fail(err, "throttle block")
}

// LiftBlock ends the block in force and gives the principal a fresh window.
func (s *DB) LiftBlock(ctx context.Context, principal string, at time.Time) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("lifting a block: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, s.q(`UPDATE gate_throttle_states SET blocked_until_us = 0, stepup_asked_us = 0
WHERE principal = ? AND blocked_until_us > ?`), principal, at.UnixMicro())
	if err != nil {
		return fmt.Errorf("lifting a block: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("lifting a block: %w", err)
	} else if n == 0 {
		return socle.Errorf(socle.ENOTFOUND, "no block in force for this account")
	}
	if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM gate_throttle_reads WHERE principal = ?`), principal); err != nil {
		return fmt.Errorf("lifting a block: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("lifting a block: %w", err)
	}
	return nil
}

// ThrottleBlocks lists the blocks in force, newest first.
func (s *DB) ThrottleBlocks(ctx context.Context, at time.Time, limit int) ([]socle.ThrottleState, error) {
	return queryAll(ctx, s, scanThrottleState, "blocks", `SELECT `+throttleStateColumns+`
FROM gate_throttle_states WHERE blocked_until_us > ? ORDER BY blocked_at_us DESC, principal LIMIT ?`, at.UnixMicro(), limit)
}
