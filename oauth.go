package socle

import "time"

// OAuthMethod is how a partner system's OAuth client proves its identity
// at the token endpoint.
type OAuthMethod string

// The client authentication methods Socle accepts.
const (
	// OAuthPrivateKeyJWT is a JWT signed with the client's private key
	// (RFC 7523 §2.2); Socle only holds the public key.
	OAuthPrivateKeyJWT OAuthMethod = "private_key_jwt"
	// OAuthClientSecret is a random 256-bit secret, sent with HTTP Basic
	// (client_secret_basic) or in the form (client_secret_post).
	OAuthClientSecret OAuthMethod = "client_secret"
)

// OAuthClient is a partner system allowed to obtain access tokens.
type OAuthClient struct {
	ID             string
	OrganisationID string
	Name           string
	Method         OAuthMethod
	// JWKS is the client's public key set as a JSON document (RFC 7517),
	// for OAuthPrivateKeyJWT.
	JWKS string
	// SecretHash is the keyed hash of the secret, for OAuthClientSecret.
	SecretHash []byte
	// Scopes are the scopes the client may be granted, "<purpose>:<action>".
	Scopes    []string
	Disabled  bool
	CreatedAt time.Time
}

// SigningKey is one of the platform's Ed25519 access-token signing keys as
// stored: the private key may be sealed by a key-encryption key.
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
