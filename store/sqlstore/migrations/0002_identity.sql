-- 0002_identity: staff credentials, sessions, throttling, recovery.
-- Times compared in SQL are integers (Unix microseconds), the same on both
-- engines; the others are timestamps like in 0001.

CREATE TABLE agent_credentials (
	agent_id       TEXT PRIMARY KEY REFERENCES agents (id) ON DELETE CASCADE,
	password_hash  TEXT NOT NULL DEFAULT '',
	totp_secret    TEXT NOT NULL DEFAULT '',
	totp_last_step {bigint} NOT NULL DEFAULT 0, -- a TOTP step is accepted once
	updated_at     {timestamp} NOT NULL
);

CREATE TABLE webauthn_credentials (
	id         TEXT PRIMARY KEY, -- base64url of the credential id
	agent_id   TEXT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
	name       TEXT NOT NULL DEFAULT '',
	data       TEXT NOT NULL, -- the go-webauthn credential, JSON
	created_at {timestamp} NOT NULL,
	last_used  {timestamp}
);
CREATE INDEX webauthn_credentials_agent ON webauthn_credentials (agent_id);

-- id is the SHA-256 of the cookie's token: the table holds no live token.
CREATE TABLE sessions (
	id          TEXT PRIMARY KEY,
	agent_id    TEXT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
	strength    {bigint} NOT NULL,
	method      TEXT NOT NULL,
	csrf        TEXT NOT NULL,
	pending     {bytes},
	created_at  {timestamp} NOT NULL,
	last_seen   {timestamp} NOT NULL,
	expires_at  {timestamp} NOT NULL,
	remote_addr TEXT NOT NULL DEFAULT '',
	user_agent  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_agent ON sessions (agent_id);

-- Consecutive failures per account ("account:<email>") and per address.
CREATE TABLE login_throttles (
	key      TEXT PRIMARY KEY,
	failures {bigint} NOT NULL,
	first_us {bigint} NOT NULL,
	last_us  {bigint} NOT NULL
);

-- One-time links (activation, recovery); hash is the SHA-256 of the token.
CREATE TABLE identity_tokens (
	hash       TEXT PRIMARY KEY,
	agent_id   TEXT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
	purpose    TEXT NOT NULL,
	created_at {timestamp} NOT NULL,
	expires_at {timestamp} NOT NULL
);

CREATE TABLE recovery_requests (
	id              TEXT PRIMARY KEY,
	agent_id        TEXT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
	organisation_id TEXT NOT NULL REFERENCES organisations (id),
	status          TEXT NOT NULL,
	created_at      {timestamp} NOT NULL,
	decided_at      {timestamp}
);
CREATE INDEX recovery_requests_organisation ON recovery_requests (organisation_id, status);

-- The four eyes: one row per distinct approver.
CREATE TABLE recovery_approvals (
	recovery_id TEXT NOT NULL REFERENCES recovery_requests (id) ON DELETE CASCADE,
	approver_id TEXT NOT NULL REFERENCES agents (id),
	position    {bigint} NOT NULL,
	approved_at {timestamp} NOT NULL,
	PRIMARY KEY (recovery_id, approver_id)
);

CREATE TABLE notifications (
	id         TEXT PRIMARY KEY,
	agent_id   TEXT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
	subject    TEXT NOT NULL,
	body       TEXT NOT NULL,
	created_at {timestamp} NOT NULL
);
CREATE INDEX notifications_agent ON notifications (agent_id, created_at);
