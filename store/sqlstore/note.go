package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"socle"
	"socle/seal"
)

var _ socle.NoteStore = (*DB)(nil)

// noteSealLabel binds a sealed note to its id: a sealed value moved to
// another note, or to a section, does not open.
func noteSealLabel(id string) string { return "note:" + id }

// AddNote stores a note; one of a sensitive category is sealed with the
// person's key (created with it when she has none), with its
// Idempotency-Key when given, in one transaction.
func (s *DB) AddNote(ctx context.Context, n *socle.Note, idem *socle.IdempotencyRecord) error {
	if err := n.Validate(); err != nil {
		return err
	}
	if n.ID == "" {
		n.ID = socle.NewID(socle.PrefixNote)
	}
	n.CreatedAt = stamp(n.CreatedAt)
	return s.inTx(ctx, "note", func(tx *sql.Tx) error {
		body := []byte(n.Text)
		if n.Category.Sensitive() {
			dk, err := s.personKey(ctx, tx, n.PersonID)
			if err != nil {
				return err
			}
			if body, err = dk.Seal(noteSealLabel(n.ID), body); err != nil {
				return fmt.Errorf("sealing the note: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO notes (id, person_id, organisation_id, agent_id, client_id, category,
network_visible, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`), n.ID, n.PersonID, n.OrganisationID, n.AgentID, n.ClientID,
			string(n.Category), n.NetworkVisible, body, n.CreatedAt); err != nil {
			return s.fail(err, "note")
		}
		if idem != nil {
			idem.ResourceID, idem.PersonID = n.ID, n.PersonID
			if err := s.putIdempotency(ctx, tx, idem); err != nil {
				return err
			}
		}
		return s.recordChange(ctx, tx, socle.ResourcePerson, n.PersonID)
	})
}

// Notes returns the person's notes of the categories cats, newest first.
// Sealed notes are opened with her key; without it (shredded) they are
// absent, and one that does not open fails the read closed.
func (s *DB) Notes(ctx context.Context, personID string, cats socle.CategorySet) ([]*socle.Note, error) {
	var wanted []any
	var marks string
	for _, c := range socle.NoteCategories {
		if cats.Has(c) {
			wanted = append(wanted, string(c))
			if marks != "" {
				marks += ", "
			}
			marks += "?"
		}
	}
	if len(wanted) == 0 {
		return nil, nil
	}
	type row struct {
		note *socle.Note
		body []byte
	}
	rows, err := queryAll(ctx, s, func(sc rowScanner) (row, error) {
		n := &socle.Note{PersonID: personID}
		var cat string
		var body []byte
		if err := sc.Scan(&n.ID, &n.OrganisationID, &n.AgentID, &n.ClientID, &cat, &n.NetworkVisible, &body, scanTime(&n.CreatedAt)); err != nil {
			return row{}, err
		}
		n.Category = socle.Category(cat)
		return row{n, body}, nil
	}, "notes", `SELECT id, organisation_id, agent_id, client_id, category, network_visible, body, created_at FROM notes
WHERE person_id = ? AND category IN (`+marks+`) ORDER BY created_at DESC, id DESC`, append([]any{personID}, wanted...)...)
	if err != nil {
		return nil, err
	}
	var out []*socle.Note
	var dk *seal.DataKey
	keyRead := false
	for _, r := range rows {
		if !r.note.Category.Sensitive() {
			r.note.Text = string(r.body)
			out = append(out, r.note)
			continue
		}
		if !keyRead {
			keyRead = true
			var wrapped []byte
			err := s.read.QueryRowContext(ctx, s.q(`SELECT wrapped_key FROM person_keys WHERE person_id = ?`), personID).Scan(&wrapped)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return nil, fmt.Errorf("reading the person's key: %w", err)
			}
			if wrapped != nil {
				k, err := s.keyring()
				if err != nil {
					return nil, socle.Errorf(socle.EUNAVAILABLE, "sensitive data cannot be read: no encryption key is configured")
				}
				if dk, err = k.Unwrap(personID, wrapped); err != nil {
					return nil, socle.Errorf(socle.EINTERNAL, "person: the key of this record does not open")
				}
			}
		}
		if dk == nil {
			continue // shredded: the sealed notes are gone with the key
		}
		text, err := dk.Open(noteSealLabel(r.note.ID), r.body)
		if err != nil {
			return nil, socle.Errorf(socle.EINTERNAL, "note: a sealed note of this record does not open")
		}
		r.note.Text = string(text)
		out = append(out, r.note)
	}
	return out, nil
}
