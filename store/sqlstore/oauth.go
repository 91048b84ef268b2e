package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"socle"
)

const oauthClientSelect = `SELECT id, organisation_id, name, auth_method, jwks, secret_hash, scopes, disabled, created_at FROM oauth_clients`

// CreateOAuthClient stores a new OAuth2 client, filling its creation time.
func (s *DB) CreateOAuthClient(ctx context.Context, c *socle.OAuthClient) error {
	c.CreatedAt = stamp(c.CreatedAt)
	var hash any
	if c.SecretHash != nil {
		hash = c.SecretHash
	}
	_, err := s.write.ExecContext(ctx, s.q(`INSERT INTO oauth_clients (id, organisation_id, name, auth_method, jwks, secret_hash, scopes, disabled, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		c.ID, c.OrganisationID, c.Name, string(c.Method), c.JWKS, hash, listJSON(c.Scopes), c.Disabled, c.CreatedAt)
	return s.fail(err, "oauth client")
}

// OAuthClient returns the client with that id, ENOTFOUND if none.
func (s *DB) OAuthClient(ctx context.Context, id string) (*socle.OAuthClient, error) {
	var c socle.OAuthClient
	var method string
	var scopes []byte
	err := s.read.QueryRowContext(ctx, s.q(oauthClientSelect+` WHERE id = ?`), id).
		Scan(&c.ID, &c.OrganisationID, &c.Name, &method, &c.JWKS, &c.SecretHash, &scopes, &c.Disabled, scanTime(&c.CreatedAt))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("oauth client")
	} else if err != nil {
		return nil, fmt.Errorf("reading oauth client: %w", err)
	}
	c.Method = socle.OAuthMethod(method)
	if c.Scopes, err = decodeList[string](scopes); err != nil {
		return nil, fmt.Errorf("reading oauth client scopes: %w", err)
	}
	return &c, nil
}

// SetOAuthClientDisabled disables or re-enables a client.
func (s *DB) SetOAuthClientDisabled(ctx context.Context, id string, disabled bool) error {
	return s.updateOne(ctx, s.write, "oauth client", `UPDATE oauth_clients SET disabled = ? WHERE id = ?`, disabled, id)
}

// DisabledOAuthClients lists the ids of the disabled clients.
func (s *DB) DisabledOAuthClients(ctx context.Context) ([]string, error) {
	return queryAll(ctx, s, scanString, "disabled oauth clients", `SELECT id FROM oauth_clients WHERE disabled = ? ORDER BY id`, true)
}

// CreateSigningKey stores a new signing key and retires the active ones in
// the same transaction, so that exactly one key signs at any time.
func (s *DB) CreateSigningKey(ctx context.Context, k *socle.SigningKey) error {
	k.CreatedAt = stamp(k.CreatedAt)
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("signing key: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, s.q(`UPDATE oauth_signing_keys SET retired_at = ? WHERE retired_at IS NULL`), k.CreatedAt); err != nil {
		return s.fail(err, "signing key")
	}
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO oauth_signing_keys (kid, private_key, sealed, created_at) VALUES (?, ?, ?, ?)`),
		k.KID, k.PrivateKey, k.Sealed, k.CreatedAt); err != nil {
		return s.fail(err, "signing key")
	}
	return s.commit(tx, "signing key")
}

// SigningKeys returns the active key, then the keys retired after
// retiredAfter, newest first.
func (s *DB) SigningKeys(ctx context.Context, retiredAfter time.Time) ([]*socle.SigningKey, error) {
	return queryAll(ctx, s, func(sc rowScanner) (*socle.SigningKey, error) {
		k := &socle.SigningKey{}
		return k, sc.Scan(&k.KID, &k.PrivateKey, &k.Sealed, scanTime(&k.CreatedAt), scanTime(&k.RetiredAt))
	}, "signing keys", `SELECT kid, private_key, sealed, created_at, retired_at FROM oauth_signing_keys
		WHERE retired_at IS NULL OR retired_at > ?
		ORDER BY CASE WHEN retired_at IS NULL THEN 0 ELSE 1 END, created_at DESC, kid`, stamp(retiredAfter))
}

// RevokeToken records a revoked token id; revoking twice is no error.
func (s *DB) RevokeToken(ctx context.Context, t socle.RevokedToken) error {
	_, err := s.write.ExecContext(ctx, s.q(`INSERT INTO oauth_revoked_tokens (jti, client_id, expires_at) VALUES (?, ?, ?) ON CONFLICT (jti) DO NOTHING`),
		t.JTI, t.ClientID, stamp(t.ExpiresAt))
	return s.fail(err, "revoked token")
}

// RevokedTokens returns the revocations that expire after now.
func (s *DB) RevokedTokens(ctx context.Context, now time.Time) ([]socle.RevokedToken, error) {
	return queryAll(ctx, s, func(sc rowScanner) (socle.RevokedToken, error) {
		var t socle.RevokedToken
		err := sc.Scan(&t.JTI, &t.ClientID, scanTime(&t.ExpiresAt))
		return t, err
	}, "revoked tokens", `SELECT jti, client_id, expires_at FROM oauth_revoked_tokens WHERE expires_at > ?`, stamp(now))
}

// UseAssertion records a used client assertion; the primary key makes a
// replay, even concurrent, fail with ECONFLICT.
func (s *DB) UseAssertion(ctx context.Context, clientID, jti string, expiresAt time.Time) error {
	_, err := s.write.ExecContext(ctx, s.q(`INSERT INTO oauth_used_assertions (client_id, jti, expires_at) VALUES (?, ?, ?)`),
		clientID, jti, stamp(expiresAt))
	if err != nil && s.d.Constraint != nil {
		if kind, _ := s.d.Constraint(err); kind == UniqueViolation {
			return socle.Errorf(socle.ECONFLICT, "client assertion already used")
		}
	}
	return s.fail(err, "client assertion")
}

// PurgeOAuth deletes the revocations and used assertions expired at now.
func (s *DB) PurgeOAuth(ctx context.Context, now time.Time) error {
	t := stamp(now)
	if _, err := s.write.ExecContext(ctx, s.q(`DELETE FROM oauth_revoked_tokens WHERE expires_at <= ?`), t); err != nil {
		return s.fail(err, "purging revoked tokens")
	}
	if _, err := s.write.ExecContext(ctx, s.q(`DELETE FROM oauth_used_assertions WHERE expires_at <= ?`), t); err != nil {
		return s.fail(err, "purging used assertions")
	}
	return nil
}

// CountRequest counts one request for key in a fixed window (the token
// endpoint's rate limit), in the table of the spaces' link requests.
func (s *DB) CountRequest(ctx context.Context, key string, at time.Time, window time.Duration) (int, error) {
	return s.SpaceHit(ctx, key, at, window)
}
