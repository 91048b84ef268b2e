package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"socle"
)

var _ socle.ThrottleStore = (*DB)(nil)

// ThrottleState returns the principal's state by its primary key: every
// personal-data read asks it, so a block, a step-up or a lifted block
// written by any server is seen at the next check.
func (s *DB) ThrottleState(ctx context.Context, principal string) (socle.ThrottleState, error) {
	st, err := scanThrottleState(s.read.QueryRowContext(ctx, s.q(`SELECT `+throttleStateColumns+`
FROM gate_throttle_states WHERE principal = ?`), principal))
	if errors.Is(err, sql.ErrNoRows) {
		return socle.ThrottleState{Principal: principal}, nil
	}
	if err != nil {
		return socle.ThrottleState{}, fmt.Errorf("reading throttle state: %w", err)
	}
	return st, nil
}

// ThrottleReads returns the subjects the principal read after since, by
// the index (principal, at_us).
func (s *DB) ThrottleReads(ctx context.Context, principal string, since time.Time) ([]socle.ThrottleCounted, error) {
	return queryAll(ctx, s, func(sc rowScanner) (socle.ThrottleCounted, error) {
		var c socle.ThrottleCounted
		var at int64
		if err := sc.Scan(&c.Subject, &c.Weight, &at); err != nil {
			return c, err
		}
		c.At = micros(at)
		return c, nil
	}, "throttled reads", `SELECT subject, weight, at_us FROM gate_throttle_reads WHERE principal = ? AND at_us > ?`, principal, since.UnixMicro())
}

const throttleStateColumns = `principal, organisation_id, stepup_asked_us, stepped_up_us, blocked_at_us, blocked_until_us, blocked_weight, reads_version`

func scanThrottleState(sc interface{ Scan(...any) error }) (socle.ThrottleState, error) {
	var st socle.ThrottleState
	var asked, stepped, blockedAt, until int64
	if err := sc.Scan(&st.Principal, &st.OrganisationID, &asked, &stepped, &blockedAt, &until, &st.BlockedWeight, &st.ReadsVersion); err != nil {
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

// CountThrottleReads records reads in one transaction, forgets the
// principal's reads that left the window and returns her new reads
// version. Concurrent counts are committed together (groupCommit), one
// commit and one fsync for all, each durable when its call returns.
func (s *DB) CountThrottleReads(ctx context.Context, principal string, reads []socle.ThrottleRead, at, since time.Time) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	c := &throttleCount{principal: principal, reads: reads, at: at, since: since}
	if err := s.throttleCounts.do(c, s.writeThrottleCounts); err != nil {
		return 0, err
	}
	return c.version, nil
}

// throttleCount is the work of one CountThrottleReads, and the reads
// version it gave.
type throttleCount struct {
	principal string
	reads     []socle.ThrottleRead
	at, since time.Time
	version   int64
}

// writeThrottleCounts writes counts in one transaction. Each first bumps
// its principal's reads version, locking her state row as LiftBlock does
// first too, and in the order of principals, so that transactions of
// several servers on PostgreSQL wait for each other rather than deadlock.
func (s *DB) writeThrottleCounts(ctx context.Context, counts []*throttleCount) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("counting throttled reads: %w", err)
	}
	defer tx.Rollback()
	ordered := slices.Clone(counts)
	slices.SortStableFunc(ordered, func(a, b *throttleCount) int { return strings.Compare(a.principal, b.principal) })
	for _, c := range ordered {
		if err := tx.QueryRowContext(ctx, s.q(`INSERT INTO gate_throttle_states (principal, reads_version) VALUES (?, 1)
ON CONFLICT (principal) DO UPDATE SET reads_version = gate_throttle_states.reads_version + 1 RETURNING reads_version`), c.principal).Scan(&c.version); err != nil {
			return s.fail(err, "throttle reads version")
		}
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
	res, err := tx.ExecContext(ctx, s.q(`UPDATE gate_throttle_states SET blocked_until_us = 0, stepup_asked_us = 0, reads_version = reads_version + 1
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
