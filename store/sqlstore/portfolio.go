package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"socle"
)

// CreateCompanyFollowup records that an organisation follows a company.
func (s *DB) CreateCompanyFollowup(ctx context.Context, f *socle.CompanyFollowup) error {
	if err := f.Validate(); err != nil {
		return err
	}
	if f.ID == "" {
		f.ID = socle.NewID(socle.PrefixFollowup)
	}
	var end any
	if !f.End.IsZero() {
		end = f.End
	}
	_, err := s.write.ExecContext(ctx, s.q(`INSERT INTO company_followups (id, company_id, organisation_id, agent_id, start_date, end_date)
		VALUES (?, ?, ?, ?, ?, ?)`), f.ID, f.CompanyID, f.OrganisationID, nullable(f.AgentID), f.Start, end)
	return s.fail(err, "company follow-up")
}

// EndCompanyFollowup closes the follow-ups of a company by an organisation
// still open after end, so that they last until end included; ENOTFOUND
// when there is none. A follow-up that started after end never ran.
func (s *DB) EndCompanyFollowup(ctx context.Context, companyID, orgID string, end socle.Date) error {
	res, err := s.write.ExecContext(ctx, s.q(`UPDATE company_followups SET end_date = ?
		WHERE company_id = ? AND organisation_id = ? AND (end_date IS NULL OR end_date > ?)`), end, companyID, orgID, end)
	if err != nil {
		return s.fail(err, "company follow-up")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("company follow-up")
	}
	return nil
}

const companyFollowupSelect = `SELECT f.id, f.company_id, f.organisation_id, o.name, f.agent_id,
	COALESCE(a.given_name || ' ' || a.family_name, ''), f.start_date, f.end_date
	FROM company_followups f JOIN organisations o ON o.id = f.organisation_id LEFT JOIN agents a ON a.id = f.agent_id`

func (s *DB) companyFollowups(ctx context.Context, where string, args ...any) ([]*socle.CompanyFollowup, error) {
	return queryAll(ctx, s, func(sc rowScanner) (*socle.CompanyFollowup, error) {
		var f socle.CompanyFollowup
		var agent sql.NullString
		var end socle.Date
		if err := sc.Scan(&f.ID, &f.CompanyID, &f.OrganisationID, &f.OrganisationName, &agent, &f.AgentName, &f.Start, &end); err != nil {
			return nil, err
		}
		f.AgentID, f.End = agent.String, end
		return &f, nil
	}, "company follow-ups", companyFollowupSelect+where+` ORDER BY f.start_date, f.id`, args...)
}

// CompanyFollowups returns every organisation that follows or followed a
// company, oldest first: the shared view of the network.
func (s *DB) CompanyFollowups(ctx context.Context, companyID string) ([]*socle.CompanyFollowup, error) {
	return s.companyFollowups(ctx, ` WHERE f.company_id = ?`, companyID)
}

// Portfolio returns the companies an organisation follows on day, by name.
func (s *DB) Portfolio(ctx context.Context, orgID string, day socle.Date) ([]*socle.Company, error) {
	return queryAll(ctx, s, scanCompany, "portfolio", `SELECT c.id, c.siret, c.name, c.naf, c.size, c.address, c.postal_code, c.commune_code, c.created_at
		FROM companies c WHERE c.id IN (SELECT company_id FROM company_followups
			WHERE organisation_id = ? AND start_date <= ? AND (end_date IS NULL OR end_date >= ?))
		ORDER BY c.name, c.id LIMIT 1000`, orgID, day, day)
}

// CreateCompanyAction records a prospection action on a company.
func (s *DB) CreateCompanyAction(ctx context.Context, a *socle.CompanyAction) error {
	if err := a.Validate(); err != nil {
		return err
	}
	if a.ID == "" {
		a.ID = socle.NewID(socle.PrefixEvent)
	}
	a.CreatedAt = stamp(a.CreatedAt)
	_, err := s.write.ExecContext(ctx, s.q(`INSERT INTO company_actions (id, company_id, organisation_id, agent_id, kind, note, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`), a.ID, a.CompanyID, a.OrganisationID, nullable(a.AgentID), a.Kind, a.Note, a.CreatedAt)
	return s.fail(err, "company action")
}

// CompanyActions returns the prospection actions on a company, newest first.
func (s *DB) CompanyActions(ctx context.Context, companyID string) ([]*socle.CompanyAction, error) {
	return queryAll(ctx, s, func(sc rowScanner) (*socle.CompanyAction, error) {
		var a socle.CompanyAction
		var agent sql.NullString
		if err := sc.Scan(&a.ID, &a.CompanyID, &a.OrganisationID, &a.OrganisationName, &agent, &a.Kind, &a.Note, scanTime(&a.CreatedAt)); err != nil {
			return nil, err
		}
		a.AgentID = agent.String
		return &a, nil
	}, "company actions", `SELECT a.id, a.company_id, a.organisation_id, o.name, a.agent_id, a.kind, a.note, a.created_at
		FROM company_actions a JOIN organisations o ON o.id = a.organisation_id
		WHERE a.company_id = ? ORDER BY a.created_at DESC, a.id LIMIT 500`, companyID)
}

// CreateEmployerToken stores the hash of a single-use login link of a
// company contact.
func (s *DB) CreateEmployerToken(ctx context.Context, hash, contactID string, expires time.Time) error {
	_, err := s.write.ExecContext(ctx, s.q(`INSERT INTO employer_tokens (hash, contact_id, expires_at, used) VALUES (?, ?, ?, ?)`),
		hash, contactID, expires.UTC(), false)
	return s.fail(err, "employer token")
}

// UseEmployerToken consumes a login link: it returns its contact when the
// hash is known, unused and not expired at now, and marks it used in the
// same statement so that it works once.
func (s *DB) UseEmployerToken(ctx context.Context, hash string, at time.Time) (string, error) {
	res, err := s.write.ExecContext(ctx, s.q(`UPDATE employer_tokens SET used = ? WHERE hash = ? AND used = ? AND expires_at > ?`),
		true, hash, false, at.UTC())
	if err != nil {
		return "", s.fail(err, "employer token")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return "", socle.Errorf(socle.EUNAUTHENTICATED, "this link is invalid, expired or already used")
	}
	var contact string
	if err := s.write.QueryRowContext(ctx, s.q(`SELECT contact_id FROM employer_tokens WHERE hash = ?`), hash).Scan(&contact); err != nil {
		return "", fmt.Errorf("reading employer token: %w", err)
	}
	return contact, nil
}

// CreateEmployerSession stores the hash of an employer session.
func (s *DB) CreateEmployerSession(ctx context.Context, hash, contactID, csrf string, expires time.Time) error {
	_, err := s.write.ExecContext(ctx, s.q(`INSERT INTO employer_sessions (hash, contact_id, csrf, expires_at) VALUES (?, ?, ?, ?)`),
		hash, contactID, csrf, expires.UTC())
	return s.fail(err, "employer session")
}

// EmployerSession returns the contact and CSRF token of a live session,
// EUNAUTHENTICATED when none.
func (s *DB) EmployerSession(ctx context.Context, hash string, at time.Time) (contactID, csrf string, err error) {
	err = s.read.QueryRowContext(ctx, s.q(`SELECT contact_id, csrf FROM employer_sessions WHERE hash = ? AND expires_at > ?`), hash, at.UTC()).
		Scan(&contactID, &csrf)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", socle.Errorf(socle.EUNAUTHENTICATED, "no employer session")
	} else if err != nil {
		return "", "", fmt.Errorf("reading employer session: %w", err)
	}
	return contactID, csrf, nil
}

// DeleteEmployerSession ends an employer session.
func (s *DB) DeleteEmployerSession(ctx context.Context, hash string) error {
	_, err := s.write.ExecContext(ctx, s.q(`DELETE FROM employer_sessions WHERE hash = ?`), hash)
	return s.fail(err, "employer session")
}

// proposals are the facts of the policy about the offers, taken by the
// organisation or on which its agents proposed her, where the person is
// proposed (see Relations).
func (s *DB) proposals(ctx context.Context, orgID, personID string) ([]socle.RelationProposal, error) {
	return queryAll(ctx, s, func(sc rowScanner) (socle.RelationProposal, error) {
		var p socle.RelationProposal
		var since time.Time
		if err := sc.Scan(&p.MatchID, &p.OfferID, &p.OfferTitle, &p.CompanyName, &p.OrganisationID, &p.Status, scanTime(&since)); err != nil {
			return p, err
		}
		// The proposal counts for the organisation asked when its agent
		// proposed the person, even on an offer another one took.
		p.OrganisationID = orgID
		p.Since = socle.DateOf(since)
		return p, nil
	}, "proposal facts", `
		SELECT m.id, m.offer_id, o.title, c.name, COALESCE(o.organisation_id, m.organisation_id), m.status, m.created_at
		FROM matches m JOIN offers o ON o.id = m.offer_id JOIN companies c ON c.id = o.company_id
		WHERE m.person_id = ? AND (o.organisation_id = ? OR m.organisation_id = ?)
		ORDER BY m.created_at`, personID, orgID, orgID)
}
