-- 0011_companies: the ROME referential, the portfolio of companies shared
-- by the network, prospection actions, matches (mises en relation) with
-- their history, consents to be proposed, and the employer space (PostgreSQL).
CREATE TABLE rome_codes (
	code   text PRIMARY KEY,
	label  text NOT NULL,
	family text NOT NULL
);
CREATE INDEX rome_codes_family ON rome_codes (family);

CREATE TABLE rome_appellations (
	code      text PRIMARY KEY,
	label     text NOT NULL,
	rome_code text NOT NULL
);
CREATE INDEX rome_appellations_rome ON rome_appellations (rome_code);

-- Which organisation (and company adviser) follows which company: the
-- portfolio, shared so that two operators never prospect unknowingly.
CREATE TABLE company_followups (
	id              text PRIMARY KEY,
	company_id      text NOT NULL REFERENCES companies (id),
	organisation_id text NOT NULL REFERENCES organisations (id),
	agent_id        text REFERENCES agents (id),
	start_date      date NOT NULL,
	end_date        date
);
CREATE INDEX company_followups_company ON company_followups (company_id);
CREATE INDEX company_followups_organisation ON company_followups (organisation_id, end_date);

CREATE TABLE company_actions (
	id              text PRIMARY KEY,
	company_id      text NOT NULL REFERENCES companies (id),
	organisation_id text NOT NULL REFERENCES organisations (id),
	agent_id        text REFERENCES agents (id),
	kind            text NOT NULL,
	note            text NOT NULL DEFAULT '',
	created_at      timestamptz NOT NULL
);
CREATE INDEX company_actions_company ON company_actions (company_id, created_at);

CREATE TABLE matches (
	id              text PRIMARY KEY,
	offer_id        text NOT NULL REFERENCES offers (id),
	person_id       text NOT NULL REFERENCES persons (id),
	organisation_id text NOT NULL REFERENCES organisations (id),
	agent_id        text REFERENCES agents (id),
	basis           text NOT NULL, -- consentement or referent
	score           double precision NOT NULL,
	reasons         jsonb NOT NULL DEFAULT '[]',
	status          text NOT NULL,
	created_at      timestamptz NOT NULL,
	updated_at      timestamptz NOT NULL
);
CREATE UNIQUE INDEX matches_offer_person ON matches (offer_id, person_id);
CREATE INDEX matches_person ON matches (person_id);

CREATE TABLE match_history (
	match_id   text NOT NULL REFERENCES matches (id),
	status     text NOT NULL,
	actor      text NOT NULL, -- agent id or company contact id
	note       text NOT NULL DEFAULT '',
	created_at timestamptz NOT NULL
);
CREATE INDEX match_history_match ON match_history (match_id, created_at);

-- A person's consent to be proposed to employers, as recorded by an
-- adviser (or by herself in her space).
CREATE TABLE matching_consents (
	person_id   text PRIMARY KEY REFERENCES persons (id),
	given       boolean NOT NULL,
	recorded_by text NOT NULL,
	updated_at  timestamptz NOT NULL
);

-- The employer space: single-use login links and sessions of company
-- contacts, both kept as SHA-256 hashes of the random secrets.
CREATE TABLE employer_tokens (
	hash       text PRIMARY KEY,
	contact_id text NOT NULL REFERENCES company_contacts (id),
	expires_at timestamptz NOT NULL,
	used       boolean NOT NULL DEFAULT false
);
CREATE TABLE employer_sessions (
	hash       text PRIMARY KEY,
	contact_id text NOT NULL REFERENCES company_contacts (id),
	csrf       text NOT NULL,
	expires_at timestamptz NOT NULL
);
CREATE INDEX company_contacts_email ON company_contacts (email);
CREATE INDEX persons_updated ON persons (updated_at);
