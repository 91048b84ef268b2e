-- 0011_companies: the ROME referential, the portfolio of companies shared
-- by the network, prospection actions, matches (mises en relation) with
-- their history, consents to be proposed, and the employer space.
CREATE TABLE rome_codes (
	code   TEXT PRIMARY KEY,
	label  TEXT NOT NULL,
	family TEXT NOT NULL
);
CREATE INDEX rome_codes_family ON rome_codes (family);

CREATE TABLE rome_appellations (
	code      TEXT PRIMARY KEY,
	label     TEXT NOT NULL,
	rome_code TEXT NOT NULL
);
CREATE INDEX rome_appellations_rome ON rome_appellations (rome_code);

-- Which organisation (and company adviser) follows which company: the
-- portfolio, shared so that two operators never prospect unknowingly.
CREATE TABLE company_followups (
	id              TEXT PRIMARY KEY,
	company_id      TEXT NOT NULL REFERENCES companies (id),
	organisation_id TEXT NOT NULL REFERENCES organisations (id),
	agent_id        TEXT REFERENCES agents (id),
	start_date      {date} NOT NULL,
	end_date        {date}
);
CREATE INDEX company_followups_company ON company_followups (company_id);
CREATE INDEX company_followups_organisation ON company_followups (organisation_id, end_date);

CREATE TABLE company_actions (
	id              TEXT PRIMARY KEY,
	company_id      TEXT NOT NULL REFERENCES companies (id),
	organisation_id TEXT NOT NULL REFERENCES organisations (id),
	agent_id        TEXT REFERENCES agents (id),
	kind            TEXT NOT NULL,
	note            TEXT NOT NULL DEFAULT '',
	created_at      {timestamp} NOT NULL
);
CREATE INDEX company_actions_company ON company_actions (company_id, created_at);

CREATE TABLE matches (
	id              TEXT PRIMARY KEY,
	offer_id        TEXT NOT NULL REFERENCES offers (id),
	person_id       TEXT NOT NULL REFERENCES persons (id),
	organisation_id TEXT NOT NULL REFERENCES organisations (id),
	agent_id        TEXT REFERENCES agents (id),
	basis           TEXT NOT NULL, -- consentement or referent
	score           {double} NOT NULL,
	reasons         {json} NOT NULL DEFAULT '[]',
	status          TEXT NOT NULL,
	created_at      {timestamp} NOT NULL,
	updated_at      {timestamp} NOT NULL
);
CREATE UNIQUE INDEX matches_offer_person ON matches (offer_id, person_id);
CREATE INDEX matches_person ON matches (person_id);

CREATE TABLE match_history (
	match_id   TEXT NOT NULL REFERENCES matches (id),
	status     TEXT NOT NULL,
	actor      TEXT NOT NULL, -- agent id or company contact id
	note       TEXT NOT NULL DEFAULT '',
	created_at {timestamp} NOT NULL
);
CREATE INDEX match_history_match ON match_history (match_id, created_at);

-- A person's consent to be proposed to employers, as recorded by an
-- adviser (or by herself in her space).
CREATE TABLE matching_consents (
	person_id   TEXT PRIMARY KEY REFERENCES persons (id),
	given       BOOLEAN NOT NULL,
	recorded_by TEXT NOT NULL,
	updated_at  {timestamp} NOT NULL
);

-- The employer space: single-use login links and sessions of company
-- contacts, both kept as SHA-256 hashes of the random secrets.
CREATE TABLE employer_tokens (
	hash       TEXT PRIMARY KEY,
	contact_id TEXT NOT NULL REFERENCES company_contacts (id),
	expires_at {timestamp} NOT NULL,
	used       BOOLEAN NOT NULL DEFAULT {false}
);
CREATE TABLE employer_sessions (
	hash       TEXT PRIMARY KEY,
	contact_id TEXT NOT NULL REFERENCES company_contacts (id),
	csrf       TEXT NOT NULL,
	expires_at {timestamp} NOT NULL
);
CREATE INDEX company_contacts_email ON company_contacts (email);
CREATE INDEX persons_updated ON persons (updated_at);
