-- 0151_identity_checks: FranceConnect logins whose identity set matched no
-- record or several; an adviser or an administrator decides which record,
-- if any, is the person's. At most one open check per subject.
CREATE TABLE identity_checks (
	id          text PRIMARY KEY,
	issuer      text NOT NULL,
	subject     text NOT NULL,
	identity    text NOT NULL, -- the IdentitySet, JSON
	candidates  integer NOT NULL,
	status      text NOT NULL,
	person_id   text REFERENCES persons (id) ON DELETE CASCADE,
	resolved_by text REFERENCES agents (id),
	created_at  timestamptz NOT NULL,
	resolved_at timestamptz
);
CREATE UNIQUE INDEX identity_checks_open ON identity_checks (issuer, subject) WHERE status = 'open';
CREATE INDEX identity_checks_status ON identity_checks (status, created_at);
