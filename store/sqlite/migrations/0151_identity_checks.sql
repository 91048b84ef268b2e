-- 0151_identity_checks: FranceConnect logins whose identity set matched no
-- record or several; an adviser or an administrator decides which record,
-- if any, is the person's. At most one open check per subject.
CREATE TABLE identity_checks (
	id          TEXT PRIMARY KEY,
	issuer      TEXT NOT NULL,
	subject     TEXT NOT NULL,
	identity    TEXT NOT NULL, -- the IdentitySet, JSON
	candidates  INTEGER NOT NULL,
	status      TEXT NOT NULL,
	person_id   TEXT REFERENCES persons (id) ON DELETE CASCADE,
	resolved_by TEXT REFERENCES agents (id),
	created_at  TEXT NOT NULL,
	resolved_at TEXT
);
CREATE UNIQUE INDEX identity_checks_open ON identity_checks (issuer, subject) WHERE status = 'open';
CREATE INDEX identity_checks_status ON identity_checks (status, created_at);
