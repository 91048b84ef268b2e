-- 0031_pending_totp: the TOTP secret the server proposed on the enrolment
-- page of a one-time link, kept server-side until the link is used or
-- expires, so that the agent enrols the secret the server generated and
-- never one a client chose.
CREATE TABLE pending_totp (
	token_hash TEXT PRIMARY KEY,
	agent_id   TEXT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
	secret     TEXT NOT NULL,
	expires_us {bigint} NOT NULL
);
