package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"socle"
)

var followupColumns = []string{"id", "person_id", "organisation_id", "agent_id", "start_date", "end_date", "family_norm", "given_norm", "assigned_by_agent_id"}

// personNames are a person's normalised names, copied onto her follow-ups
// for the search among followed persons.
type personNames struct{ family, given string }

func prepareFollowup(f *socle.Followup) {
	if f.ID == "" {
		f.ID = socle.NewID(socle.PrefixFollowup)
	}
}

func followupRow(f *socle.Followup, n personNames) []any {
	return []any{f.ID, f.PersonID, f.OrganisationID, nullable(f.AgentID), f.Start, f.End, n.family, n.given, f.AssignedBy}
}

// namesOf reads the normalised names of a stored person; an unknown person
// is EINVALID, as the foreign key would say.
func (s *DB) namesOf(ctx context.Context, personID string) (personNames, error) {
	var n personNames
	err := s.read.QueryRowContext(ctx, s.q(`SELECT family_norm, given_norm FROM persons WHERE id = ?`), personID).Scan(&n.family, &n.given)
	if errors.Is(err, sql.ErrNoRows) {
		return n, socle.Errorf(socle.EINVALID, "follow-up: refers to a record that does not exist")
	} else if err != nil {
		return n, fmt.Errorf("follow-up: reading the person's names: %w", err)
	}
	return n, nil
}

// CreateFollowup validates and stores a follow-up; a person, organisation
// or agent that does not exist is EINVALID.
func (s *DB) CreateFollowup(ctx context.Context, f *socle.Followup) error {
	if err := f.Validate(); err != nil {
		return err
	}
	prepareFollowup(f)
	names, err := s.namesOf(ctx, f.PersonID)
	if err != nil {
		return err
	}
	return s.inTx(ctx, "follow-up", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.insertSQL(Table{Name: "followups", Columns: followupColumns}, 1), followupRow(f, names)...); err != nil {
			return s.fail(err, "follow-up")
		}
		return s.recordChange(ctx, tx, socle.ResourcePerson, f.PersonID)
	})
}

// insertFollowupTx stores f in tx with its person's names as tx sees them,
// for a write that hands a follow-up over in one transaction.
func (s *DB) insertFollowupTx(ctx context.Context, tx *sql.Tx, f *socle.Followup) error {
	var n personNames
	if err := tx.QueryRowContext(ctx, s.q(`SELECT family_norm, given_norm FROM persons WHERE id = ?`), f.PersonID).Scan(&n.family, &n.given); err != nil {
		return s.fail(err, "follow-up")
	}
	if _, err := tx.ExecContext(ctx, s.insertSQL(Table{Name: "followups", Columns: followupColumns}, 1), followupRow(f, n)...); err != nil {
		return s.fail(err, "follow-up")
	}
	return nil
}

// Followups returns the follow-ups of a person, newest first.
func (s *DB) Followups(ctx context.Context, personID string) ([]*socle.Followup, error) {
	return queryAll(ctx, s, func(sc rowScanner) (*socle.Followup, error) {
		var f socle.Followup
		var agent []byte
		if err := sc.Scan(&f.ID, &f.PersonID, &f.OrganisationID, &agent, &f.Start, &f.End, &f.AssignedBy); err != nil {
			return nil, err
		}
		f.AgentID = string(agent)
		return &f, nil
	}, "follow-ups", `SELECT id, person_id, organisation_id, agent_id, start_date, end_date, assigned_by_agent_id
FROM followups WHERE person_id = ? ORDER BY start_date DESC, id DESC`, personID)
}

// ChangeReferent ends the open follow-up of next's organisation and
// stores next, in one transaction (socle.FollowupStore).
func (s *DB) ChangeReferent(ctx context.Context, next *socle.Followup, endOn socle.Date) error {
	if err := next.Validate(); err != nil {
		return err
	}
	if next.AgentID == "" {
		return socle.Errorf(socle.EINVALID, "follow-up: agent_id: required to change the référent")
	}
	prepareFollowup(next)
	return s.inTx(ctx, "changing the référent", func(tx *sql.Tx) error {
		var open int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM followups
WHERE person_id = ? AND organisation_id = ? AND (end_date IS NULL OR end_date >= ?)`), next.PersonID, next.OrganisationID, next.Start).Scan(&open); err != nil {
			return fmt.Errorf("changing the référent: reading the follow-up: %w", err)
		}
		if open == 0 {
			return socle.Errorf(socle.ECONFLICT, "the organisation no longer follows this person")
		}
		if err := s.endFollowups(ctx, tx, next.PersonID, next.OrganisationID, endOn); err != nil {
			return err
		}
		if err := s.insertFollowupTx(ctx, tx, next); err != nil {
			return err
		}
		return s.recordChange(ctx, tx, socle.ResourcePerson, next.PersonID)
	})
}
