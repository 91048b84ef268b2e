package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"socle"
)

const caseColumns = `id, principal, organisation_id, state, verdict, assignee, critical, alerts, opened_at, triaged_at, closed_at, updated_at`

func scanCase(sc interface{ Scan(...any) error }) (*socle.Case, error) {
	c := &socle.Case{}
	err := sc.Scan(&c.ID, &c.Principal, &c.OrganisationID, &c.State, &c.Verdict, &c.Assignee, &c.Critical, &c.Alerts,
		scanTime(&c.OpenedAt), scanTime(&c.TriagedAt), scanTime(&c.ClosedAt), scanTime(&c.UpdatedAt))
	return c, err
}

// AddAlert stores an alert with the open case of its principal, opening
// one when there is none.
func (s *DB) AddAlert(ctx context.Context, a *socle.Alert) (*socle.Case, error) {
	evidence, err := json.Marshal(a.Evidence)
	if err != nil {
		return nil, fmt.Errorf("encoding alert evidence: %w", err)
	}
	if a.Evidence == nil {
		evidence = []byte("[]")
	}
	at := now()
	a.ID, a.CreatedAt, a.OccurredAt = socle.NewID("alr"), at, stamp(a.OccurredAt)
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("adding alert: %w", err)
	}
	defer tx.Rollback()
	c, err := scanCase(tx.QueryRowContext(ctx, s.q(`SELECT `+caseColumns+` FROM detect_cases WHERE principal = ? AND state <> ? ORDER BY opened_at DESC LIMIT 1`),
		a.Principal, socle.CaseClosed))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		c = &socle.Case{ID: socle.NewID("dos"), Principal: a.Principal, OrganisationID: a.OrganisationID, State: socle.CaseNew, OpenedAt: at, UpdatedAt: at}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO detect_cases (`+caseColumns+`) VALUES (?, ?, ?, ?, '', '', ?, 0, ?, NULL, NULL, ?)`),
			c.ID, c.Principal, c.OrganisationID, c.State, a.Critical, at, at); err != nil {
			return nil, s.fail(err, "case")
		}
	case err != nil:
		return nil, fmt.Errorf("adding alert: finding the open case: %w", err)
	}
	a.CaseID = c.ID
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO detect_alerts (id, case_id, rule, score, critical, principal, organisation_id, reason, evidence, occurred_at, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		a.ID, a.CaseID, a.Rule, a.Score, a.Critical, a.Principal, a.OrganisationID, a.Reason, string(evidence), a.OccurredAt, a.CreatedAt); err != nil {
		return nil, s.fail(err, "alert")
	}
	c.Alerts++
	c.Critical = c.Critical || a.Critical
	c.UpdatedAt = at
	if _, err := tx.ExecContext(ctx, s.q(`UPDATE detect_cases SET alerts = ?, critical = ?, updated_at = ? WHERE id = ?`), c.Alerts, c.Critical, at, c.ID); err != nil {
		return nil, s.fail(err, "case")
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("adding alert: %w", err)
	}
	return c, nil
}

// Case returns a case, ENOTFOUND when absent.
func (s *DB) Case(ctx context.Context, id string) (*socle.Case, error) {
	return queryOne(ctx, s, scanCase, "case", `SELECT `+caseColumns+` FROM detect_cases WHERE id = ?`, id)
}

// Cases lists cases, most recently updated first.
func (s *DB) Cases(ctx context.Context, f socle.CaseFilter) ([]*socle.Case, error) {
	var where []string
	var args []any
	if f.State != "" {
		where, args = append(where, "state = ?"), append(args, f.State)
	}
	if f.Principal != "" {
		where, args = append(where, "principal = ?"), append(args, f.Principal)
	}
	if f.OrganisationID != "" {
		where, args = append(where, "organisation_id = ?"), append(args, f.OrganisationID)
	}
	if f.Rule != "" {
		where, args = append(where, "id IN (SELECT case_id FROM detect_alerts WHERE rule = ?)"), append(args, f.Rule)
	}
	q := `SELECT ` + caseColumns + `, (SELECT COALESCE(MAX(a.score), 0) FROM detect_alerts a WHERE a.case_id = detect_cases.id) FROM detect_cases`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY updated_at DESC, id LIMIT ?"
	args = append(args, clampLimit(f.Limit, 100, 100000))
	return queryAll(ctx, s, func(sc rowScanner) (*socle.Case, error) {
		c := &socle.Case{}
		if err := sc.Scan(&c.ID, &c.Principal, &c.OrganisationID, &c.State, &c.Verdict, &c.Assignee, &c.Critical, &c.Alerts,
			scanTime(&c.OpenedAt), scanTime(&c.TriagedAt), scanTime(&c.ClosedAt), scanTime(&c.UpdatedAt), &c.Score); err != nil {
			return nil, err
		}
		return c, nil
	}, "cases", q, args...)
}

func (s *DB) alerts(ctx context.Context, what, query string, withEvidence bool, args ...any) ([]*socle.Alert, error) {
	return queryAll(ctx, s, func(sc rowScanner) (*socle.Alert, error) {
		a := &socle.Alert{}
		var evidence []byte
		if err := sc.Scan(&a.ID, &a.CaseID, &a.Rule, &a.Score, &a.Critical, &a.Principal, &a.OrganisationID, &a.Reason, &evidence,
			scanTime(&a.OccurredAt), scanTime(&a.CreatedAt)); err != nil {
			return nil, err
		}
		if withEvidence {
			if err := json.Unmarshal(evidence, &a.Evidence); err != nil {
				return nil, fmt.Errorf("evidence of %s: %w", a.ID, err)
			}
		}
		return a, nil
	}, what, query, args...)
}

// CaseAlerts returns the alerts of a case with their evidence, oldest
// first.
func (s *DB) CaseAlerts(ctx context.Context, caseID string) ([]*socle.Alert, error) {
	return s.alerts(ctx, "case alerts", `SELECT id, case_id, rule, score, critical, principal, organisation_id, reason, evidence, occurred_at, created_at
FROM detect_alerts WHERE case_id = ? ORDER BY occurred_at, id`, true, caseID)
}

// Alerts returns the alerts since a time, oldest first, without evidence.
func (s *DB) Alerts(ctx context.Context, since time.Time) ([]*socle.Alert, error) {
	return s.alerts(ctx, "alerts", `SELECT id, case_id, rule, score, critical, principal, organisation_id, reason, '[]', occurred_at, created_at
FROM detect_alerts WHERE occurred_at >= ? ORDER BY occurred_at, id`, false, stamp(since))
}

// UpdateCase writes the workflow fields of c when it is still in state
// from, with e in its timeline.
func (s *DB) UpdateCase(ctx context.Context, c *socle.Case, from socle.CaseState, e *socle.CaseEntry) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("updating case: %w", err)
	}
	defer tx.Rollback()
	// The case's id is its key: the update changes one row or none.
	if err := s.execOne(ctx, tx, "case", socle.Errorf(socle.ECONFLICT, "the case changed meanwhile: reload it"),
		`UPDATE detect_cases SET state = ?, verdict = ?, assignee = ?, triaged_at = ?, closed_at = ?, updated_at = ? WHERE id = ? AND state = ?`,
		c.State, c.Verdict, c.Assignee, nullTime(c.TriagedAt), nullTime(c.ClosedAt), stamp(c.UpdatedAt), c.ID, from); err != nil {
		return err
	}
	if e != nil {
		if err := s.insertEntry(ctx, tx, e); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("updating case: %w", err)
	}
	return nil
}

func (s *DB) insertEntry(ctx context.Context, tx *sql.Tx, e *socle.CaseEntry) error {
	e.CreatedAt = stamp(e.CreatedAt)
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO detect_case_entries (id, case_id, kind, author, text, created_at) VALUES (?, ?, ?, ?, ?, ?)`),
		e.ID, e.CaseID, e.Kind, e.Author, e.Text, e.CreatedAt)
	return s.fail(err, "case entry")
}

// AddCaseEntry adds a comment to a case's timeline.
func (s *DB) AddCaseEntry(ctx context.Context, e *socle.CaseEntry) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("adding case entry: %w", err)
	}
	defer tx.Rollback()
	if err := s.insertEntry(ctx, tx, e); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, s.q(`UPDATE detect_cases SET updated_at = ? WHERE id = ?`), e.CreatedAt, e.CaseID); err != nil {
		return s.fail(err, "case")
	}
	return tx.Commit()
}

// CaseEntries returns the timeline entries of a case, oldest first.
func (s *DB) CaseEntries(ctx context.Context, caseID string) ([]*socle.CaseEntry, error) {
	return queryAll(ctx, s, func(sc rowScanner) (*socle.CaseEntry, error) {
		e := &socle.CaseEntry{}
		if err := sc.Scan(&e.ID, &e.CaseID, &e.Kind, &e.Author, &e.Text, scanTime(&e.CreatedAt)); err != nil {
			return nil, err
		}
		return e, nil
	}, "case entries", `SELECT id, case_id, kind, author, text, created_at FROM detect_case_entries WHERE case_id = ? ORDER BY created_at, id`, caseID)
}

// PutSuppression stores a suppression, replacing the one of the same
// principal and rule.
func (s *DB) PutSuppression(ctx context.Context, sup *socle.Suppression) error {
	sup.CreatedAt = stamp(sup.CreatedAt)
	_, err := s.write.ExecContext(ctx, s.q(`INSERT INTO detect_suppressions (principal, rule, until_at, case_id, created_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (principal, rule) DO UPDATE SET until_at = excluded.until_at, case_id = excluded.case_id, created_at = excluded.created_at`),
		sup.Principal, sup.Rule, stamp(sup.Until), sup.CaseID, sup.CreatedAt)
	return s.fail(err, "suppression")
}

// Suppressions returns the suppressions in force at a time.
func (s *DB) Suppressions(ctx context.Context, at time.Time) ([]*socle.Suppression, error) {
	return queryAll(ctx, s, func(sc rowScanner) (*socle.Suppression, error) {
		sup := &socle.Suppression{}
		if err := sc.Scan(&sup.Principal, &sup.Rule, scanTime(&sup.Until), &sup.CaseID, scanTime(&sup.CreatedAt)); err != nil {
			return nil, err
		}
		return sup, nil
	}, "suppressions", `SELECT principal, rule, until_at, case_id, created_at FROM detect_suppressions WHERE until_at > ? ORDER BY principal, rule`, stamp(at))
}

// DetectCursor returns the position of the named detector in the audit
// log: the number of entries it processed (0 when new).
func (s *DB) DetectCursor(ctx context.Context, name string) (uint64, error) {
	var pos int64
	err := s.read.QueryRowContext(ctx, s.q(`SELECT position FROM detect_cursor WHERE name = ?`), name).Scan(&pos)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("reading detector position: %w", err)
	}
	return uint64(pos), nil
}

// SetDetectCursor stores the position of the named detector.
func (s *DB) SetDetectCursor(ctx context.Context, name string, position uint64) error {
	_, err := s.write.ExecContext(ctx, s.q(`INSERT INTO detect_cursor (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position`),
		name, int64(position))
	return s.fail(err, "detector position")
}

const taskColumns = `id, organisation_id, agent_id, purpose, population, persons, starts_at, ends_at, declared_by, approved_by, approved_at, created_at`

func scanTask(sc interface{ Scan(...any) error }) (*socle.BulkTask, error) {
	t := &socle.BulkTask{}
	var persons []byte
	if err := sc.Scan(&t.ID, &t.OrganisationID, &t.AgentID, &t.Purpose, &t.Population, &persons, scanTime(&t.Start), scanTime(&t.End),
		&t.DeclaredBy, &t.ApprovedBy, scanTime(&t.ApprovedAt), scanTime(&t.CreatedAt)); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(persons, &t.Persons); err != nil {
		return nil, fmt.Errorf("persons of bulk task %s: %w", t.ID, err)
	}
	return t, nil
}

// CreateBulkTask stores a declared bulk task.
func (s *DB) CreateBulkTask(ctx context.Context, t *socle.BulkTask) error {
	persons, err := json.Marshal(t.Persons)
	if err != nil {
		return fmt.Errorf("encoding bulk task persons: %w", err)
	}
	if t.Persons == nil {
		persons = []byte("[]")
	}
	t.CreatedAt = stamp(t.CreatedAt)
	_, err = s.write.ExecContext(ctx, s.q(`INSERT INTO bulk_tasks (`+taskColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		t.ID, t.OrganisationID, t.AgentID, t.Purpose, t.Population, string(persons), stamp(t.Start), stamp(t.End),
		t.DeclaredBy, t.ApprovedBy, nullTime(t.ApprovedAt), t.CreatedAt)
	return s.fail(err, "bulk task")
}

// BulkTask returns a bulk task, ENOTFOUND when absent.
func (s *DB) BulkTask(ctx context.Context, id string) (*socle.BulkTask, error) {
	return queryOne(ctx, s, scanTask, "bulk task", `SELECT `+taskColumns+` FROM bulk_tasks WHERE id = ?`, id)
}

// ApproveBulkTask records the approval of a task not yet approved.
func (s *DB) ApproveBulkTask(ctx context.Context, id, by string, at time.Time) error {
	res, err := s.write.ExecContext(ctx, s.q(`UPDATE bulk_tasks SET approved_by = ?, approved_at = ? WHERE id = ? AND approved_by = ''`), by, stamp(at), id)
	if err != nil {
		return s.fail(err, "bulk task")
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("approving bulk task: %w", err)
	} else if n == 0 {
		if _, err := s.BulkTask(ctx, id); err != nil {
			return err
		}
		return socle.Errorf(socle.ECONFLICT, "the bulk task is already approved")
	}
	return nil
}

// BulkTasks lists the tasks of an organisation ("" for all) ending after
// a time, newest first.
func (s *DB) BulkTasks(ctx context.Context, organisationID string, endsAfter time.Time) ([]*socle.BulkTask, error) {
	q, args := `SELECT `+taskColumns+` FROM bulk_tasks WHERE ends_at > ?`, []any{stamp(endsAfter)}
	if organisationID != "" {
		q, args = q+` AND organisation_id = ?`, append(args, organisationID)
	}
	return queryAll(ctx, s, scanTask, "bulk tasks", q+` ORDER BY created_at DESC, id LIMIT 1000`, args...)
}
