package oauth

import (
	"context"
	"time"

	"socle"
)

// Store persists clients, signing keys, revocations and used assertions.
// store/sqlstore implements it for SQLite and PostgreSQL.
type Store interface {
	// CreateOAuthClient stores a new client; ECONFLICT if the id is taken,
	// EINVALID if the organisation does not exist.
	CreateOAuthClient(ctx context.Context, c *socle.OAuthClient) error
	// OAuthClient returns the client with that id, ENOTFOUND if none.
	OAuthClient(ctx context.Context, id string) (*socle.OAuthClient, error)
	// SetOAuthClientDisabled disables or re-enables a client, ENOTFOUND if none.
	SetOAuthClientDisabled(ctx context.Context, id string, disabled bool) error
	// OAuthClients lists the clients of an organisation, or every one
	// with "".
	OAuthClients(ctx context.Context, organisationID string) ([]*socle.OAuthClient, error)
	// SetOAuthClientSecret replaces the keyed hash of a client's secret,
	// ENOTFOUND if none.
	SetOAuthClientSecret(ctx context.Context, id string, hash []byte) error
	// DisabledOAuthClients lists the ids of the disabled clients.
	DisabledOAuthClients(ctx context.Context) ([]string, error)

	// CreateSigningKey stores a new key and, in the same transaction, retires
	// the keys that were active, at k.CreatedAt.
	CreateSigningKey(ctx context.Context, k *socle.SigningKey) error
	// SigningKeys returns the active key, then the keys retired after
	// retiredAfter, newest first.
	SigningKeys(ctx context.Context, retiredAfter time.Time) ([]*socle.SigningKey, error)

	// RevokeToken records a revoked token id; revoking twice is no error.
	RevokeToken(ctx context.Context, t socle.RevokedToken) error
	// RevokedTokens returns the revocations that expire after now.
	RevokedTokens(ctx context.Context, now time.Time) ([]socle.RevokedToken, error)

	// UseAssertion records that a client assertion was used, ECONFLICT if
	// this client already used this jti: a replay.
	UseAssertion(ctx context.Context, clientID, jti string, expiresAt time.Time) error
	// PurgeOAuth deletes the revocations and used assertions expired at now.
	PurgeOAuth(ctx context.Context, now time.Time) error

	// RateCounter counts the token requests per client id and address.
	RateCounter
}
