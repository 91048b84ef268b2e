package sqlstore

import (
	"context"
	"database/sql"

	"socle"
)

// FederationLink returns the link of a federation's subject, ENOTFOUND if
// none.
func (s *DB) FederationLink(ctx context.Context, issuer, subject string) (*socle.FederationLink, error) {
	return queryOne(ctx, s, func(sc rowScanner) (*socle.FederationLink, error) {
		var l socle.FederationLink
		var agentID, personID sql.NullString
		if err := sc.Scan(&l.Issuer, &l.Subject, &agentID, &personID, scanTime(&l.CreatedAt)); err != nil {
			return nil, err
		}
		l.AgentID, l.PersonID = agentID.String, personID.String
		return &l, nil
	}, "federation link", `SELECT issuer, subject, agent_id, person_id, created_at FROM federation_links WHERE issuer = ? AND subject = ?`, issuer, subject)
}

// CreateFederationLink records a link; a subject already linked is
// ECONFLICT, a link to neither or both of an agent and a person, or to one
// that does not exist, EINVALID.
func (s *DB) CreateFederationLink(ctx context.Context, l *socle.FederationLink) error {
	if l.Issuer == "" || l.Subject == "" || (l.AgentID == "") == (l.PersonID == "") {
		return socle.Errorf(socle.EINVALID, "federation link: needs an issuer, a subject and exactly one of an agent and a person")
	}
	l.CreatedAt = stamp(l.CreatedAt)
	_, err := s.write.ExecContext(ctx, s.q(`INSERT INTO federation_links (issuer, subject, agent_id, person_id, created_at) VALUES (?, ?, ?, ?, ?)`),
		l.Issuer, l.Subject, nullable(l.AgentID), nullable(l.PersonID), l.CreatedAt)
	return s.fail(err, "federation link")
}
