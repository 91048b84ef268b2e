package sqlstore

import (
	"context"
	"fmt"

	"socle"
)

func scanOAuthClient(sc rowScanner) (*socle.OAuthClient, error) {
	var c socle.OAuthClient
	var method string
	var scopes []byte
	if err := sc.Scan(&c.ID, &c.OrganisationID, &c.Name, &method, &c.JWKS, &c.SecretHash, &scopes, &c.Disabled, scanTime(&c.CreatedAt)); err != nil {
		return nil, err
	}
	c.Method = socle.OAuthMethod(method)
	var err error
	if c.Scopes, err = decodeList[string](scopes); err != nil {
		return nil, fmt.Errorf("oauth client scopes: %w", err)
	}
	return &c, nil
}

// OAuthClients lists the clients of an organisation, or every client when
// organisationID is "", by creation.
func (s *DB) OAuthClients(ctx context.Context, organisationID string) ([]*socle.OAuthClient, error) {
	if organisationID == "" {
		return queryAll(ctx, s, scanOAuthClient, "oauth clients", oauthClientSelect+` ORDER BY created_at, id`)
	}
	return queryAll(ctx, s, scanOAuthClient, "oauth clients", oauthClientSelect+` WHERE organisation_id = ? ORDER BY created_at, id`, organisationID)
}

// SetOAuthClientSecret replaces the keyed hash of a client's secret,
// ENOTFOUND if none.
func (s *DB) SetOAuthClientSecret(ctx context.Context, id string, hash []byte) error {
	res, err := s.write.ExecContext(ctx, s.q(`UPDATE oauth_clients SET secret_hash = ? WHERE id = ?`), hash, id)
	if err != nil {
		return s.fail(err, "oauth client")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("oauth client")
	}
	return nil
}
