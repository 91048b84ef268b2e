package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"socle"
)

// matchingBatch is the number of persons read at once into the index.
const matchingBatch = 5000

// MatchingFeatures calls fn with the matching features of the persons
// updated at or after since (all when zero), in batches by id, with the
// organisations that follow each today.
func (s *DB) MatchingFeatures(ctx context.Context, since time.Time, fn func([]socle.MatchFeatures) error) error {
	after := ""
	today := socle.DateOf(time.Now())
	for {
		query := `SELECT id, commune_code, parcours, skills, updated_at FROM persons WHERE id > ?`
		args := []any{after}
		if !since.IsZero() {
			query += ` AND updated_at >= ?`
			args = append(args, since.UTC())
		}
		query += ` ORDER BY id LIMIT ?`
		args = append(args, matchingBatch)
		fs, err := s.readFeatures(ctx, query, args)
		if err != nil {
			return err
		}
		if len(fs) == 0 {
			return nil
		}
		if err := s.followingOrgs(ctx, fs, today, since.IsZero()); err != nil {
			return err
		}
		if err := fn(fs); err != nil {
			return err
		}
		after = fs[len(fs)-1].PersonID
		if len(fs) < matchingBatch {
			return nil
		}
	}
}

func (s *DB) readFeatures(ctx context.Context, query string, args []any) ([]socle.MatchFeatures, error) {
	return queryAll(ctx, s, func(sc rowScanner) (socle.MatchFeatures, error) {
		var id string
		var commune sql.NullString
		var parcours, skills []byte
		var updated time.Time
		if err := sc.Scan(&id, &commune, &parcours, &skills, scanTime(&updated)); err != nil {
			return socle.MatchFeatures{}, err
		}
		p := socle.Person{ID: id, UpdatedAt: updated, Contact: &socle.Contact{CommuneCode: commune.String}}
		var err error
		if p.Skills, err = decodeSection[socle.Skills](skills); err != nil {
			return socle.MatchFeatures{}, fmt.Errorf("decoding skills: %w", err)
		}
		if p.Parcours, err = decodeSection[socle.Parcours](parcours); err != nil {
			return socle.MatchFeatures{}, fmt.Errorf("decoding parcours: %w", err)
		}
		return socle.MatchFeaturesOf(&p), nil
	}, "matching features", query, args...)
}

// followingOrgs fills the organisations that follow each person of fs
// (sorted by id) on day: one range scan for a contiguous batch, one query
// per person otherwise.
func (s *DB) followingOrgs(ctx context.Context, fs []socle.MatchFeatures, day socle.Date, contiguous bool) error {
	pos := make(map[string]int, len(fs))
	for i := range fs {
		pos[fs[i].PersonID] = i
	}
	scan := func(query string, args ...any) error {
		rows, err := s.read.QueryContext(ctx, s.q(query), args...)
		if err != nil {
			return fmt.Errorf("reading follow-ups for matching: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var person, org string
			if err := rows.Scan(&person, &org); err != nil {
				return fmt.Errorf("reading follow-ups for matching: %w", err)
			}
			if i, ok := pos[person]; ok {
				fs[i].Organisations = append(fs[i].Organisations, org)
			}
		}
		return rows.Err()
	}
	const open = ` AND start_date <= ? AND (end_date IS NULL OR end_date >= ?)`
	if contiguous {
		return scan(`SELECT person_id, organisation_id FROM followups WHERE person_id >= ? AND person_id <= ?`+open,
			fs[0].PersonID, fs[len(fs)-1].PersonID, day, day)
	}
	for i := range fs {
		if err := scan(`SELECT person_id, organisation_id FROM followups WHERE person_id = ?`+open, fs[i].PersonID, day, day); err != nil {
			return err
		}
	}
	return nil
}

// ImportROME replaces the ROME referential (its codes and appellations) in
// one transaction.
func (s *DB) ImportROME(ctx context.Context, romeCodes []socle.ROMECode, appellations []socle.ROMEAppellation) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("importing ROME: %w", err)
	}
	defer tx.Rollback()
	for _, q := range []string{`DELETE FROM rome_appellations`, `DELETE FROM rome_codes`} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("importing ROME: %w", err)
		}
	}
	codes := Table{Name: "rome_codes", Columns: []string{"code", "label", "family"}}
	for _, c := range romeCodes {
		codes.Rows = append(codes.Rows, []any{c.Code, c.Label, c.Family})
	}
	appels := Table{Name: "rome_appellations", Columns: []string{"code", "label", "rome_code"}}
	for _, a := range appellations {
		appels.Rows = append(appels.Rows, []any{a.Code, a.Label, a.ROME})
	}
	for _, t := range []Table{codes, appels} {
		if err := s.insertRows(ctx, tx, t); err != nil {
			return fmt.Errorf("importing ROME: %w", err)
		}
	}
	return s.commit(tx, "ROME referential")
}

// ROMEReferential returns the codes and appellations of the imported
// referential, each sorted by code; none when none was imported.
func (s *DB) ROMEReferential(ctx context.Context) ([]socle.ROMECode, []socle.ROMEAppellation, error) {
	codes, err := queryAll(ctx, s, func(sc rowScanner) (socle.ROMECode, error) {
		var c socle.ROMECode
		err := sc.Scan(&c.Code, &c.Label, &c.Family)
		return c, err
	}, "ROME codes", `SELECT code, label, family FROM rome_codes ORDER BY code`)
	if err != nil {
		return nil, nil, err
	}
	appellations, err := queryAll(ctx, s, func(sc rowScanner) (socle.ROMEAppellation, error) {
		var a socle.ROMEAppellation
		err := sc.Scan(&a.Code, &a.Label, &a.ROME)
		return a, err
	}, "ROME appellations", `SELECT code, label, rome_code FROM rome_appellations ORDER BY code`)
	if err != nil {
		return nil, nil, err
	}
	return codes, appellations, nil
}

// CreateMatch records a person proposed on an offer with the first step of
// its history; the same person twice on one offer is ECONFLICT.
func (s *DB) CreateMatch(ctx context.Context, m *socle.Match) error {
	if !socle.ValidID(socle.PrefixOffer, m.OfferID) || !socle.ValidID(socle.PrefixPerson, m.PersonID) ||
		!socle.ValidID(socle.PrefixOrganisation, m.OrganisationID) {
		return socle.Errorf(socle.EINVALID, "match: offer, person and organisation required")
	}
	if m.Basis != socle.MatchBasisConsent && m.Basis != socle.MatchBasisReferent {
		return socle.Errorf(socle.EINVALID, "match: basis must be %s or %s", socle.MatchBasisConsent, socle.MatchBasisReferent)
	}
	if m.ID == "" {
		m.ID = socle.NewID(socle.PrefixMatch)
	}
	m.Status = socle.MatchProposed
	m.CreatedAt = stamp(m.CreatedAt)
	m.UpdatedAt = m.CreatedAt
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("creating match: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO matches (id, offer_id, person_id, organisation_id, agent_id, basis, score, reasons, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`), m.ID, m.OfferID, m.PersonID, m.OrganisationID, nullable(m.AgentID), m.Basis,
		m.Score, listJSON(m.Reasons), m.Status, m.CreatedAt, m.UpdatedAt); err != nil {
		if socle.ErrorCode(s.fail(err, "match")) == socle.ECONFLICT {
			return socle.Errorf(socle.ECONFLICT, "match: this person is already proposed on this offer")
		}
		return s.fail(err, "match")
	}
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO match_history (match_id, status, actor, note, created_at) VALUES (?, ?, ?, ?, ?)`),
		m.ID, m.Status, m.AgentID, "", m.CreatedAt); err != nil {
		return s.fail(err, "match history")
	}
	return s.commit(tx, "match")
}

const matchSelect = `SELECT id, offer_id, person_id, organisation_id, agent_id, basis, score, reasons, status, created_at, updated_at FROM matches`

func scanMatch(sc interface{ Scan(...any) error }) (*socle.Match, error) {
	var m socle.Match
	var agent sql.NullString
	var reasons []byte
	if err := sc.Scan(&m.ID, &m.OfferID, &m.PersonID, &m.OrganisationID, &agent, &m.Basis, &m.Score, &reasons, &m.Status,
		scanTime(&m.CreatedAt), scanTime(&m.UpdatedAt)); err != nil {
		return nil, err
	}
	m.AgentID = agent.String
	var err error
	m.Reasons, err = decodeList[string](reasons)
	return &m, err
}

// Match returns the match with that id, ENOTFOUND if none.
func (s *DB) Match(ctx context.Context, id string) (*socle.Match, error) {
	return queryOne(ctx, s, scanMatch, "match", matchSelect+` WHERE id = ?`, id)
}

func (s *DB) matches(ctx context.Context, where string, arg any) ([]*socle.Match, error) {
	return queryAll(ctx, s, scanMatch, "matches", matchSelect+where+` ORDER BY score DESC, created_at, id`, arg)
}

// MatchesOfOffer returns the persons proposed on an offer, best score first.
func (s *DB) MatchesOfOffer(ctx context.Context, offerID string) ([]*socle.Match, error) {
	return s.matches(ctx, ` WHERE offer_id = ?`, offerID)
}

// MatchesOfPerson returns the offers a person is proposed on.
func (s *DB) MatchesOfPerson(ctx context.Context, personID string) ([]*socle.Match, error) {
	return s.matches(ctx, ` WHERE person_id = ?`, personID)
}

// SetMatchStatus moves a match to status and appends the step to its
// history; actor is the agent or company contact who answered.
func (s *DB) SetMatchStatus(ctx context.Context, id, status, actor, note string) error {
	valid := false
	for _, st := range socle.MatchStatuses {
		valid = valid || st == status
	}
	if !valid {
		return socle.Errorf(socle.EINVALID, "match: status must be one of %v", socle.MatchStatuses)
	}
	at := now()
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("updating match: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, s.q(`UPDATE matches SET status = ?, updated_at = ? WHERE id = ?`), status, at, id)
	if err != nil {
		return s.fail(err, "match")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("match")
	}
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO match_history (match_id, status, actor, note, created_at) VALUES (?, ?, ?, ?, ?)`),
		id, status, actor, note, at); err != nil {
		return s.fail(err, "match history")
	}
	return s.commit(tx, "match")
}

// MatchHistory returns the steps of a match, oldest first.
func (s *DB) MatchHistory(ctx context.Context, id string) ([]socle.MatchEvent, error) {
	return queryAll(ctx, s, func(sc rowScanner) (socle.MatchEvent, error) {
		var e socle.MatchEvent
		err := sc.Scan(&e.MatchID, &e.Status, &e.Actor, &e.Note, scanTime(&e.CreatedAt))
		return e, err
	}, "match history", `SELECT match_id, status, actor, note, created_at FROM match_history WHERE match_id = ? ORDER BY created_at`, id)
}

// SetMatchingConsent records whether a person agrees to be proposed to
// employers, and who recorded it.
func (s *DB) SetMatchingConsent(ctx context.Context, personID string, given bool, recordedBy string) error {
	at := now()
	res, err := s.write.ExecContext(ctx, s.q(`UPDATE matching_consents SET given = ?, recorded_by = ?, updated_at = ? WHERE person_id = ?`),
		given, recordedBy, at, personID)
	if err != nil {
		return s.fail(err, "matching consent")
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	_, err = s.write.ExecContext(ctx, s.q(`INSERT INTO matching_consents (person_id, given, recorded_by, updated_at) VALUES (?, ?, ?, ?)`),
		personID, given, recordedBy, at)
	return s.fail(err, "matching consent")
}

// MatchingConsent reports whether a person agreed to be proposed.
func (s *DB) MatchingConsent(ctx context.Context, personID string) (bool, error) {
	var given bool
	err := s.read.QueryRowContext(ctx, s.q(`SELECT given FROM matching_consents WHERE person_id = ?`), personID).Scan(&given)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("reading matching consent: %w", err)
	}
	return given, nil
}

// UpdateOffer replaces the editable fields of an offer (not its company).
func (s *DB) UpdateOffer(ctx context.Context, o *socle.Offer) error {
	if err := o.Validate(); err != nil {
		return err
	}
	res, err := s.write.ExecContext(ctx, s.q(`UPDATE offers SET rome_code = ?, title = ?, commune_code = ?, departement = ?, contract = ?,
		hours_per_week = ?, salary_min = ?, salary_max = ?, skills = ?, start_date = ?, open = ? WHERE id = ? AND company_id = ?`),
		o.ROMECode, o.Title, o.CommuneCode, socle.DepartementOf(o.CommuneCode), o.Contract, o.HoursPerWeek, o.SalaryMin, o.SalaryMax,
		listJSON(o.Skills), o.StartDate, o.Open, o.ID, o.CompanyID)
	if err != nil {
		return s.fail(err, "offer")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("offer")
	}
	return nil
}

// Contact returns the company contact with that id, ENOTFOUND if none.
func (s *DB) Contact(ctx context.Context, id string) (*socle.CompanyContact, error) {
	return queryOne(ctx, s, scanContact, "company contact", contactSelect+` WHERE id = ?`, id)
}

// ContactByEmail returns the company contact with that e-mail address
// (case-insensitive), ENOTFOUND if none.
func (s *DB) ContactByEmail(ctx context.Context, email string) (*socle.CompanyContact, error) {
	id, err := queryOne(ctx, s, scanString, "company contact", `SELECT id FROM company_contacts WHERE lower(email) = ? ORDER BY id LIMIT 1`, strings.ToLower(strings.TrimSpace(email)))
	if err != nil {
		return nil, err
	}
	return s.Contact(ctx, id)
}
