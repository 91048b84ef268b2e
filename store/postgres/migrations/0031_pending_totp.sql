-- 0031_pending_totp: the TOTP secret the server proposed on the enrolment
-- page of a one-time link, kept server-side until the link is used or
-- expires, so that the agent enrols the secret the server generated and
-- never one a client chose.
CREATE TABLE pending_totp (
	token_hash text PRIMARY KEY,
	agent_id   text NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
	secret     text NOT NULL,
	expires_us bigint NOT NULL
);
