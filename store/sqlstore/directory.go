package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"socle"
)

var _ socle.DirectoryStore = (*DB)(nil)

// dateText is a date as the directory tables keep it: YYYY-MM-DD, "" when
// unset.
func dateText(d socle.Date) string { return d.String() }

func parseDateText(s string) (socle.Date, error) {
	if s == "" {
		return socle.Date{}, nil
	}
	return socle.ParseDate(s)
}

// PutStaffRecord creates or replaces the directory record of an agent.
func (s *DB) PutStaffRecord(ctx context.Context, r *socle.StaffRecord) error {
	if !socle.ValidID(socle.PrefixAgent, r.AgentID) {
		return socle.Errorf(socle.EINVALID, "staff record: malformed agent identifier")
	}
	r.UpdatedAt = now()
	m := r.Marks
	_, err := s.write.ExecContext(ctx, s.q(`INSERT INTO staff_directory (agent_id, identity, surname, household, address, street, start_date, end_date, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (agent_id) DO UPDATE SET identity = excluded.identity, surname = excluded.surname, household = excluded.household,
	address = excluded.address, street = excluded.street, start_date = excluded.start_date, end_date = excluded.end_date, updated_at = excluded.updated_at`),
		r.AgentID, m.Identity, m.Surname, m.Household, m.Address, m.Street, dateText(r.Start), dateText(r.End), r.UpdatedAt)
	return s.fail(err, "staff record")
}

// StaffRecords returns every staff record, by agent.
func (s *DB) StaffRecords(ctx context.Context) ([]*socle.StaffRecord, error) {
	return queryAll(ctx, s, func(sc rowScanner) (*socle.StaffRecord, error) {
		r := &socle.StaffRecord{}
		var start, end string
		m := &r.Marks
		if err := sc.Scan(&r.AgentID, &m.Identity, &m.Surname, &m.Household, &m.Address, &m.Street, &start, &end, scanTime(&r.UpdatedAt)); err != nil {
			return nil, err
		}
		var err error
		if r.Start, err = parseDateText(start); err != nil {
			return nil, fmt.Errorf("staff record %s: %w", r.AgentID, err)
		}
		if r.End, err = parseDateText(end); err != nil {
			return nil, fmt.Errorf("staff record %s: %w", r.AgentID, err)
		}
		return r, nil
	}, "staff records", `SELECT agent_id, identity, surname, household, address, street, start_date, end_date, updated_at FROM staff_directory ORDER BY agent_id`)
}

const homeColumns = `person_id, identity, surname, household, address, street, departement, from_date, to_date`

func scanHome(sc interface{ Scan(...any) error }) (*socle.PersonHome, error) {
	h := &socle.PersonHome{}
	m := &h.Marks
	var from, to string
	if err := sc.Scan(&h.PersonID, &m.Identity, &m.Surname, &m.Household, &m.Address, &m.Street, &h.Departement, &from, &to); err != nil {
		return nil, err
	}
	var err error
	if h.From, err = parseDateText(from); err != nil {
		return nil, err
	}
	if h.To, err = parseDateText(to); err != nil {
		return nil, err
	}
	return h, nil
}

// SetPersonHome records the person's current home, closing the previous
// one when the marks differ.
func (s *DB) SetPersonHome(ctx context.Context, p *socle.PersonHome) error {
	if !socle.ValidID(socle.PrefixPerson, p.PersonID) {
		return socle.Errorf(socle.EINVALID, "person home: malformed person identifier")
	}
	if p.From.IsZero() {
		p.From = socle.DateOf(time.Now().UTC())
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("recording a home: %w", err)
	}
	defer tx.Rollback()
	cur, err := scanHome(tx.QueryRowContext(ctx, s.q(`SELECT `+homeColumns+` FROM person_homes WHERE person_id = ? AND to_date = '' ORDER BY seq DESC LIMIT 1`), p.PersonID))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		cur = nil
	case err != nil:
		return fmt.Errorf("recording a home: reading the current one: %w", err)
	}
	if cur != nil {
		if cur.Marks == p.Marks && cur.Departement == p.Departement {
			return nil
		}
		end := socle.DateOf(p.From.Time().AddDate(0, 0, -1))
		if end.Before(cur.From) {
			end = cur.From
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE person_homes SET to_date = ? WHERE person_id = ? AND to_date = ''`), dateText(end), p.PersonID); err != nil {
			return s.fail(err, "person home")
		}
	}
	m := p.Marks
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO person_homes (`+homeColumns+`, seq)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', (SELECT COALESCE(MAX(seq), 0) + 1 FROM person_homes WHERE person_id = ?))`),
		p.PersonID, m.Identity, m.Surname, m.Household, m.Address, m.Street, p.Departement, dateText(p.From), p.PersonID); err != nil {
		return s.fail(err, "person home")
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("recording a home: %w", err)
	}
	return nil
}

// PersonHomes returns the home history of a person, newest first.
func (s *DB) PersonHomes(ctx context.Context, personID string) ([]*socle.PersonHome, error) {
	return queryAll(ctx, s, scanHome, "homes", `SELECT `+homeColumns+` FROM person_homes WHERE person_id = ? ORDER BY seq DESC`, personID)
}

// EachPersonHome calls fn with every current home.
func (s *DB) EachPersonHome(ctx context.Context, fn func(*socle.PersonHome) error) error {
	rows, err := s.read.QueryContext(ctx, `SELECT `+homeColumns+` FROM person_homes WHERE to_date = ''`)
	if err != nil {
		return fmt.Errorf("reading homes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		h, err := scanHome(rows)
		if err != nil {
			return fmt.Errorf("reading homes: %w", err)
		}
		if err := fn(h); err != nil {
			return err
		}
	}
	return rows.Err()
}

// AddProtected adds an entry to the register of protected persons.
func (s *DB) AddProtected(ctx context.Context, p *socle.ProtectedPerson) error {
	if !socle.ValidID(socle.PrefixPerson, p.PersonID) || !p.Kind.Valid() || p.AddedBy == "" {
		return socle.Errorf(socle.EINVALID, "protected person: a person, a known kind and who adds it are required")
	}
	p.ID, p.AddedAt = socle.NewID("prt"), stamp(p.AddedAt)
	_, err := s.write.ExecContext(ctx, s.q(`INSERT INTO protected_persons (id, person_id, kind, reason, added_by, added_at) VALUES (?, ?, ?, ?, ?, ?)`),
		p.ID, p.PersonID, p.Kind, p.Reason, p.AddedBy, p.AddedAt)
	if err != nil {
		if e := s.fail(err, "protected person"); socle.ErrorCode(e) == socle.ECONFLICT {
			return socle.Errorf(socle.ECONFLICT, "protected person: this person is already in the register")
		}
		return s.fail(err, "protected person")
	}
	return nil
}

// RemoveProtected closes an active entry of the register.
func (s *DB) RemoveProtected(ctx context.Context, id, by string, at time.Time) error {
	return s.updateOne(ctx, s.write, "protected person", `UPDATE protected_persons SET removed_by = ?, removed_at = ? WHERE id = ? AND removed_at IS NULL`, by, stamp(at), id)
}

// ProtectedPersons returns the register, active entries first, newest
// first.
func (s *DB) ProtectedPersons(ctx context.Context) ([]*socle.ProtectedPerson, error) {
	return queryAll(ctx, s, func(sc rowScanner) (*socle.ProtectedPerson, error) {
		p := &socle.ProtectedPerson{}
		if err := sc.Scan(&p.ID, &p.PersonID, &p.Kind, &p.Reason, &p.AddedBy, scanTime(&p.AddedAt), &p.RemovedBy, scanTime(&p.RemovedAt)); err != nil {
			return nil, err
		}
		return p, nil
	}, "protected persons", `SELECT id, person_id, kind, reason, added_by, added_at, removed_by, removed_at FROM protected_persons
ORDER BY CASE WHEN removed_at IS NULL THEN 0 ELSE 1 END, added_at DESC, id`)
}

// AddDeclaration stores a declaration.
func (s *DB) AddDeclaration(ctx context.Context, d *socle.Declaration) error {
	if !d.Kind.Valid() || !socle.ValidID(socle.PrefixAgent, d.AgentID) || d.To.Before(d.From) {
		return socle.Errorf(socle.EINVALID, "declaration: a known kind, an agent and a window that ends after it starts are required")
	}
	persons, err := json.Marshal(d.Persons)
	if err != nil {
		return fmt.Errorf("encoding declaration persons: %w", err)
	}
	if d.Persons == nil {
		persons = []byte("[]")
	}
	d.ID, d.CreatedAt, d.From, d.To = socle.NewID("dcl"), now(), stamp(d.From), stamp(d.To)
	_, err = s.write.ExecContext(ctx, s.q(`INSERT INTO declarations (id, kind, agent_id, organisation_id, of_agent_id, persons, reference, note, starts_at, ends_at, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		d.ID, d.Kind, d.AgentID, d.OrganisationID, d.OfAgentID, string(persons), d.Reference, d.Note, d.From, d.To, d.CreatedAt)
	return s.fail(err, "declaration")
}

// WithdrawDeclaration closes a declaration of its agent.
func (s *DB) WithdrawDeclaration(ctx context.Context, id, agentID string, at time.Time) error {
	return s.updateOne(ctx, s.write, "declaration", `UPDATE declarations SET withdrawn_at = ? WHERE id = ? AND agent_id = ? AND withdrawn_at IS NULL`, stamp(at), id, agentID)
}

// Declarations returns the declarations of an agent ("" for all) ending
// after a time, newest first.
func (s *DB) Declarations(ctx context.Context, agentID string, endsAfter time.Time) ([]*socle.Declaration, error) {
	q := `SELECT id, kind, agent_id, organisation_id, of_agent_id, persons, reference, note, starts_at, ends_at, created_at, withdrawn_at
FROM declarations WHERE ends_at > ?`
	args := []any{stamp(endsAfter)}
	if agentID != "" {
		q += ` AND agent_id = ?`
		args = append(args, agentID)
	}
	return queryAll(ctx, s, func(sc rowScanner) (*socle.Declaration, error) {
		d := &socle.Declaration{}
		var persons []byte
		if err := sc.Scan(&d.ID, &d.Kind, &d.AgentID, &d.OrganisationID, &d.OfAgentID, &persons, &d.Reference, &d.Note,
			scanTime(&d.From), scanTime(&d.To), scanTime(&d.CreatedAt), scanTime(&d.WithdrawnAt)); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(persons, &d.Persons); err != nil {
			return nil, fmt.Errorf("declaration %s: persons: %w", d.ID, err)
		}
		return d, nil
	}, "declarations", q+` ORDER BY created_at DESC, id`, args...)
}

// SaveBaselines creates or replaces baselines, in one transaction.
func (s *DB) SaveBaselines(ctx context.Context, bs []*socle.Baseline) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("saving baselines: %w", err)
	}
	defer tx.Rollback()
	at := now()
	for _, b := range bs {
		b.UpdatedAt = at
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO detect_baselines (principal, version, state, updated_at) VALUES (?, ?, ?, ?)
ON CONFLICT (principal) DO UPDATE SET version = excluded.version, state = excluded.state, updated_at = excluded.updated_at`),
			b.Principal, b.Version, b.State, at); err != nil {
			return s.fail(err, "baseline")
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("saving baselines: %w", err)
	}
	return nil
}

// Baselines returns every stored baseline.
func (s *DB) Baselines(ctx context.Context) ([]*socle.Baseline, error) {
	return queryAll(ctx, s, func(sc rowScanner) (*socle.Baseline, error) {
		b := &socle.Baseline{}
		if err := sc.Scan(&b.Principal, &b.Version, &b.State, scanTime(&b.UpdatedAt)); err != nil {
			return nil, err
		}
		return b, nil
	}, "baselines", `SELECT principal, version, state, updated_at FROM detect_baselines ORDER BY principal`)
}
