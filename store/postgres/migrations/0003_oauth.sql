-- 0003_oauth: partner systems' OAuth2 clients, the platform's token signing
-- keys, revoked access tokens and used client assertions (PostgreSQL).

CREATE TABLE oauth_clients (
	id              text PRIMARY KEY,
	organisation_id text NOT NULL REFERENCES organisations (id),
	name            text NOT NULL,
	auth_method     text NOT NULL CHECK (auth_method IN ('private_key_jwt', 'client_secret')),
	jwks            text NOT NULL DEFAULT '', -- the client's public keys (private_key_jwt)
	secret_hash     bytea,                    -- keyed hash of the secret (client_secret)
	scopes          jsonb NOT NULL DEFAULT '[]',
	disabled        boolean NOT NULL DEFAULT false,
	created_at      timestamptz NOT NULL
);
CREATE INDEX oauth_clients_organisation ON oauth_clients (organisation_id);

-- Ed25519 signing keys; the private key is sealed when a key-encryption key
-- is configured. The newest key not retired signs.
CREATE TABLE oauth_signing_keys (
	kid         text PRIMARY KEY,
	private_key bytea NOT NULL,
	sealed      boolean NOT NULL DEFAULT false,
	created_at  timestamptz NOT NULL,
	retired_at  timestamptz
);

CREATE TABLE oauth_revoked_tokens (
	jti        text PRIMARY KEY,
	client_id  text NOT NULL,
	expires_at timestamptz NOT NULL
);
CREATE INDEX oauth_revoked_tokens_expires ON oauth_revoked_tokens (expires_at);

-- Client assertions already used (RFC 7523 §3 replay protection), kept
-- until they expire.
CREATE TABLE oauth_used_assertions (
	client_id  text NOT NULL,
	jti        text NOT NULL,
	expires_at timestamptz NOT NULL,
	PRIMARY KEY (client_id, jti)
);
CREATE INDEX oauth_used_assertions_expires ON oauth_used_assertions (expires_at);
