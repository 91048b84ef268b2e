-- 0003_oauth: partner systems' OAuth2 clients, the platform's token signing
-- keys, revoked access tokens and used client assertions.

CREATE TABLE oauth_clients (
	id              TEXT PRIMARY KEY,
	organisation_id TEXT NOT NULL REFERENCES organisations (id),
	name            TEXT NOT NULL,
	auth_method     TEXT NOT NULL CHECK (auth_method IN ('private_key_jwt', 'client_secret')),
	jwks            TEXT NOT NULL DEFAULT '', -- the client's public keys (private_key_jwt)
	secret_hash     {bytes},                     -- keyed hash of the secret (client_secret)
	scopes          {json} NOT NULL DEFAULT '[]',
	disabled        BOOLEAN NOT NULL DEFAULT {false},
	created_at      {timestamp} NOT NULL
);
CREATE INDEX oauth_clients_organisation ON oauth_clients (organisation_id);

-- Ed25519 signing keys; the private key is sealed when a key-encryption key
-- is configured. The newest key not retired signs.
CREATE TABLE oauth_signing_keys (
	kid         TEXT PRIMARY KEY,
	private_key {bytes} NOT NULL,
	sealed      BOOLEAN NOT NULL DEFAULT {false},
	created_at  {timestamp} NOT NULL,
	retired_at  {timestamp}
);

CREATE TABLE oauth_revoked_tokens (
	jti        TEXT PRIMARY KEY,
	client_id  TEXT NOT NULL,
	expires_at {timestamp} NOT NULL
);
CREATE INDEX oauth_revoked_tokens_expires ON oauth_revoked_tokens (expires_at);

-- Client assertions already used (RFC 7523 §3 replay protection), kept
-- until they expire.
CREATE TABLE oauth_used_assertions (
	client_id  TEXT NOT NULL,
	jti        TEXT NOT NULL,
	expires_at {timestamp} NOT NULL,
	PRIMARY KEY (client_id, jti)
);
CREATE INDEX oauth_used_assertions_expires ON oauth_used_assertions (expires_at);
