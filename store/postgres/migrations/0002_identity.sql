-- 0002_identity: staff credentials, sessions, throttling, recovery (PostgreSQL).
-- Times compared in SQL are integers (Unix microseconds), the same on both
-- engines; the others are timestamps like in 0001.

CREATE TABLE agent_credentials (
	agent_id       text PRIMARY KEY REFERENCES agents (id) ON DELETE CASCADE,
	password_hash  text NOT NULL DEFAULT '',
	totp_secret    text NOT NULL DEFAULT '',
	totp_last_step bigint NOT NULL DEFAULT 0, -- a TOTP step is accepted once
	updated_at     timestamptz NOT NULL
);

CREATE TABLE webauthn_credentials (
	id         text PRIMARY KEY, -- base64url of the credential id
	agent_id   text NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
	name       text NOT NULL DEFAULT '',
	data       text NOT NULL, -- the go-webauthn credential, JSON
	created_at timestamptz NOT NULL,
	last_used  timestamptz
);
CREATE INDEX webauthn_credentials_agent ON webauthn_credentials (agent_id);

-- id is the SHA-256 of the cookie's token: the table holds no live token.
CREATE TABLE sessions (
	id          text PRIMARY KEY,
	agent_id    text NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
	strength    bigint NOT NULL,
	method      text NOT NULL,
	csrf        text NOT NULL,
	pending     bytea,
	created_at  timestamptz NOT NULL,
	last_seen   timestamptz NOT NULL,
	expires_at  timestamptz NOT NULL,
	remote_addr text NOT NULL DEFAULT '',
	user_agent  text NOT NULL DEFAULT ''
);
CREATE INDEX sessions_agent ON sessions (agent_id);

-- Consecutive failures per account ("account:<email>") and per address.
CREATE TABLE login_throttles (
	key      text PRIMARY KEY,
	failures bigint NOT NULL,
	first_us bigint NOT NULL,
	last_us  bigint NOT NULL
);

-- One-time links (activation, recovery); hash is the SHA-256 of the token.
CREATE TABLE identity_tokens (
	hash       text PRIMARY KEY,
	agent_id   text NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
	purpose    text NOT NULL,
	created_at timestamptz NOT NULL,
	expires_at timestamptz NOT NULL
);

CREATE TABLE recovery_requests (
	id              text PRIMARY KEY,
	agent_id        text NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
	organisation_id text NOT NULL REFERENCES organisations (id),
	status          text NOT NULL,
	created_at      timestamptz NOT NULL,
	decided_at      timestamptz
);
CREATE INDEX recovery_requests_organisation ON recovery_requests (organisation_id, status);

-- The four eyes: one row per distinct approver.
CREATE TABLE recovery_approvals (
	recovery_id text NOT NULL REFERENCES recovery_requests (id) ON DELETE CASCADE,
	approver_id text NOT NULL REFERENCES agents (id),
	position    bigint NOT NULL,
	approved_at timestamptz NOT NULL,
	PRIMARY KEY (recovery_id, approver_id)
);

CREATE TABLE notifications (
	id         text PRIMARY KEY,
	agent_id   text NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
	subject    text NOT NULL,
	body       text NOT NULL,
	created_at timestamptz NOT NULL
);
CREATE INDEX notifications_agent ON notifications (agent_id, created_at);
