package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"socle"
)

// PersonsByIdentity returns the ids of at most limit persons whose record
// matches the identity set (see socle.IdentityCheckStore). The birthplace
// is the commune code of the NIR (its characters 6 to 10).
func (s *DB) PersonsByIdentity(ctx context.Context, id socle.IdentitySet, limit int) ([]string, error) {
	given := NormalizeName(id.GivenNames)
	first, _, _ := strings.Cut(given, " ")
	family, usage := NormalizeName(id.FamilyName), NormalizeName(id.PreferredUsername)
	if usage == "" {
		usage = family
	}
	if family == "" || given == "" || id.BirthDate.IsZero() || id.BirthPlace == "" || id.Sex == "" {
		return nil, nil
	}
	// The NIR is stored without spaces (normalizeNIR).
	return queryAll(ctx, s, scanID, "persons by identity", `SELECT id FROM persons
WHERE family_norm IN (?, ?) AND given_norm IN (?, ?) AND birth_date = ? AND sex = ?
	AND nir IS NOT NULL AND substr(nir, 6, 5) = ?
ORDER BY id LIMIT ?`, family, usage, given, first, id.BirthDate, id.Sex, strings.ToUpper(id.BirthPlace), clampLimit(limit, 2, 100))
}

// PersonsByNIR returns the ids of at most limit persons with that NIR and
// birth date.
func (s *DB) PersonsByNIR(ctx context.Context, nir string, birthDate socle.Date, limit int) ([]string, error) {
	return queryAll(ctx, s, scanID, "persons by NIR", `SELECT id FROM persons WHERE nir = ? AND birth_date = ? ORDER BY id LIMIT ?`,
		strings.ToUpper(normalizeNIR(nir)), birthDate, clampLimit(limit, 2, 100))
}

func scanID(sc rowScanner) (string, error) {
	var id string
	err := sc.Scan(&id)
	return id, err
}

const identityCheckSelect = `SELECT id, issuer, subject, identity, candidates, status, person_id, resolved_by, created_at, resolved_at FROM identity_checks`

func scanIdentityCheck(sc rowScanner) (*socle.IdentityCheck, error) {
	var c socle.IdentityCheck
	var identity string
	var personID, resolvedBy sql.NullString
	if err := sc.Scan(&c.ID, &c.Issuer, &c.Subject, &identity, &c.Candidates, &c.Status, &personID, &resolvedBy,
		scanTime(&c.CreatedAt), scanTime(&c.ResolvedAt)); err != nil {
		return nil, err
	}
	c.PersonID, c.ResolvedBy = personID.String, resolvedBy.String
	if err := json.Unmarshal([]byte(identity), &c.Identity); err != nil {
		return nil, fmt.Errorf("decoding the identity set: %w", err)
	}
	return &c, nil
}

// CreateIdentityCheck queues an open check, or returns the one already
// open for that subject with created false.
func (s *DB) CreateIdentityCheck(ctx context.Context, c *socle.IdentityCheck) (bool, error) {
	if c.Issuer == "" || c.Subject == "" {
		return false, socle.Errorf(socle.EINVALID, "identity check: needs an issuer and a subject")
	}
	identity, err := jsonText(c.Identity)
	if err != nil {
		return false, fmt.Errorf("identity check: %w", err)
	}
	c.ID, c.Status, c.CreatedAt = socle.NewID(socle.PrefixIdentityCheck), socle.IdentityCheckOpen, stamp(c.CreatedAt)
	res, err := s.write.ExecContext(ctx, s.q(`INSERT INTO identity_checks (id, issuer, subject, identity, candidates, status, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (issuer, subject) WHERE status = 'open' DO NOTHING`),
		c.ID, c.Issuer, c.Subject, identity, c.Candidates, c.Status, c.CreatedAt)
	if err != nil {
		return false, s.fail(err, "identity check")
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return true, nil
	}
	open, err := queryOne(ctx, s, scanIdentityCheck, "identity check", identityCheckSelect+` WHERE issuer = ? AND subject = ? AND status = ?`,
		c.Issuer, c.Subject, socle.IdentityCheckOpen)
	if err != nil {
		return false, err
	}
	*c = *open
	return false, nil
}

// OpenIdentityChecks lists the open checks, oldest first.
func (s *DB) OpenIdentityChecks(ctx context.Context, limit int) ([]*socle.IdentityCheck, error) {
	return queryAll(ctx, s, scanIdentityCheck, "identity checks", identityCheckSelect+` WHERE status = ? ORDER BY created_at, id LIMIT ?`,
		socle.IdentityCheckOpen, clampLimit(limit, 50, 500))
}

// IdentityCheck returns a check, ENOTFOUND if none.
func (s *DB) IdentityCheck(ctx context.Context, id string) (*socle.IdentityCheck, error) {
	return queryOne(ctx, s, scanIdentityCheck, "identity check", identityCheckSelect+` WHERE id = ?`, id)
}

// ResolveIdentityCheck closes an open check, linking its subject to
// personID when one is given; ECONFLICT when already resolved.
func (s *DB) ResolveIdentityCheck(ctx context.Context, id, agentID, personID string, at time.Time) error {
	status := socle.IdentityCheckRejected
	if personID != "" {
		status = socle.IdentityCheckLinked
	}
	at = stamp(at)
	return s.inTx(ctx, "resolving identity check", func(tx *sql.Tx) error {
		var issuer, subject string
		err := tx.QueryRowContext(ctx, s.q(`SELECT issuer, subject FROM identity_checks WHERE id = ? AND status = ?`), id, socle.IdentityCheckOpen).Scan(&issuer, &subject)
		if err == sql.ErrNoRows {
			if _, err := s.IdentityCheck(ctx, id); err != nil {
				return err
			}
			return socle.Errorf(socle.ECONFLICT, "identity check: already resolved")
		} else if err != nil {
			return fmt.Errorf("reading identity check: %w", err)
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE identity_checks SET status = ?, person_id = ?, resolved_by = ?, resolved_at = ? WHERE id = ?`),
			status, nullable(personID), agentID, at, id); err != nil {
			return s.fail(err, "identity check")
		}
		if personID == "" {
			return nil
		}
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO federation_links (issuer, subject, agent_id, person_id, created_at) VALUES (?, ?, NULL, ?, ?)`),
			issuer, subject, personID, at)
		return s.fail(err, "federation link")
	})
}
