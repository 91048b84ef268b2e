package oauth

import (
	"context"
	"time"
)

// AuthMethod is how a client proves its identity at the token endpoint.
type AuthMethod string

// The client authentication methods Socle accepts.
const (
	// MethodPrivateKeyJWT is a JWT signed with the client's private key
	// (RFC 7523 §2.2); Socle only holds the public key.
	MethodPrivateKeyJWT AuthMethod = "private_key_jwt"
	// MethodClientSecret is a random 256-bit secret, sent with HTTP Basic
	// (client_secret_basic) or in the form (client_secret_post).
	MethodClientSecret AuthMethod = "client_secret"
)

// Client is a partner system allowed to obtain access tokens.
type Client struct {
	ID             string
	OrganisationID string
	Name           string
	Method         AuthMethod
	// JWKS is the client's public key set as a JSON document (RFC 7517),
	// for MethodPrivateKeyJWT.
	JWKS string
	// SecretHash is the keyed hash of the secret, for MethodClientSecret.
	SecretHash []byte
	// Scopes are the scopes the client may be granted, "<purpose>:<action>".
	Scopes    []string
	Disabled  bool
	CreatedAt time.Time
}

// SigningKey is one of the platform's Ed25519 token signing keys as stored:
// the private key may be sealed by a key-encryption key.
type SigningKey struct {
	KID        string
	PrivateKey []byte // the 32-byte seed, or its sealed form when Sealed
	Sealed     bool
	CreatedAt  time.Time
	RetiredAt  time.Time // zero while the key is active
}

// RevokedToken is the id of a revoked access token, kept until it expires.
type RevokedToken struct {
	JTI       string
	ClientID  string
	ExpiresAt time.Time
}

// Store persists clients, signing keys, revocations and used assertions.
// store/sqlstore implements it for SQLite and PostgreSQL.
type Store interface {
	// CreateOAuthClient stores a new client; ECONFLICT if the id is taken,
	// EINVALID if the organisation does not exist.
	CreateOAuthClient(ctx context.Context, c *Client) error
	// OAuthClient returns the client with that id, ENOTFOUND if none.
	OAuthClient(ctx context.Context, id string) (*Client, error)
	// SetOAuthClientDisabled disables or re-enables a client, ENOTFOUND if none.
	SetOAuthClientDisabled(ctx context.Context, id string, disabled bool) error
	// DisabledOAuthClients lists the ids of the disabled clients.
	DisabledOAuthClients(ctx context.Context) ([]string, error)

	// CreateSigningKey stores a new key and, in the same transaction, retires
	// the keys that were active, at k.CreatedAt.
	CreateSigningKey(ctx context.Context, k *SigningKey) error
	// SigningKeys returns the active key, then the keys retired after
	// retiredAfter, newest first.
	SigningKeys(ctx context.Context, retiredAfter time.Time) ([]*SigningKey, error)

	// RevokeToken records a revoked token id; revoking twice is no error.
	RevokeToken(ctx context.Context, t RevokedToken) error
	// RevokedTokens returns the revocations that expire after now.
	RevokedTokens(ctx context.Context, now time.Time) ([]RevokedToken, error)

	// UseAssertion records that a client assertion was used, ECONFLICT if
	// this client already used this jti: a replay.
	UseAssertion(ctx context.Context, clientID, jti string, expiresAt time.Time) error
	// PurgeOAuth deletes the revocations and used assertions expired at now.
	PurgeOAuth(ctx context.Context, now time.Time) error

	// RateCounter counts the token requests per client id and address.
	RateCounter
}
