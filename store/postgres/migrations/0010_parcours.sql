-- 0010_parcours: orientations, contracts (commitments) with their signatures
-- and signing links, events, rectification requests (PostgreSQL).
CREATE TABLE orientations (
	id                     text PRIMARY KEY,
	person_id              text NOT NULL REFERENCES persons (id),
	operator_kind          text NOT NULL,
	organisation_id        text REFERENCES organisations (id),
	parcours               text NOT NULL,
	modalite               text NOT NULL,
	reasons                text NOT NULL, -- JSON array of French sentences
	override_reason        text NOT NULL DEFAULT '',
	status                 text NOT NULL,
	decided_by_agent_id    text REFERENCES agents (id),
	decided_at             timestamptz,
	questionnaire_version  integer NOT NULL,
	ruleset_version        integer NOT NULL,
	proposed_operator_kind text NOT NULL,
	proposed_parcours      text NOT NULL,
	proposed_modalite      text NOT NULL,
	departement            text NOT NULL DEFAULT '',
	answers                text, -- JSON of the questionnaire's answers
	created_at             timestamptz NOT NULL
);
CREATE INDEX orientations_person ON orientations (person_id, created_at);
CREATE INDEX orientations_status_decided ON orientations (status, decided_at);

CREATE TABLE commitments (
	id              text PRIMARY KEY,
	person_id       text NOT NULL REFERENCES persons (id),
	orientation_id  text NOT NULL REFERENCES orientations (id),
	version         integer NOT NULL,
	previous_id     text REFERENCES commitments (id),
	actions         text NOT NULL, -- JSON array
	document        bytea NOT NULL, -- the canonical bytes that document_hash covers
	document_hash   text NOT NULL,
	status          text NOT NULL,
	organisation_id text REFERENCES organisations (id),
	agent_id        text REFERENCES agents (id),
	created_at      timestamptz NOT NULL,
	UNIQUE (person_id, version)
);

CREATE TABLE commitment_signatures (
	commitment_id text NOT NULL REFERENCES commitments (id),
	role          text NOT NULL,
	signer_id     text NOT NULL,
	signed_at     timestamptz NOT NULL,
	signature     text NOT NULL,
	PRIMARY KEY (commitment_id, role)
);

-- A signing link lets the person sign after a fresh authentication: only
-- the SHA-256 of its token is kept; it is single-use and expires.
CREATE TABLE commitment_sign_links (
	token_hash    text PRIMARY KEY,
	commitment_id text NOT NULL REFERENCES commitments (id),
	person_id     text NOT NULL REFERENCES persons (id),
	created_at    timestamptz NOT NULL,
	expires_at    timestamptz NOT NULL,
	used_at       timestamptz
);

CREATE TABLE events (
	id              text PRIMARY KEY,
	person_id       text NOT NULL REFERENCES persons (id),
	organisation_id text NOT NULL REFERENCES organisations (id),
	agent_id        text REFERENCES agents (id),
	kind            text NOT NULL,
	title           text NOT NULL,
	description     text NOT NULL DEFAULT '',
	location        text NOT NULL DEFAULT '',
	start_at        timestamptz NOT NULL,
	end_at          timestamptz NOT NULL,
	network_visible boolean NOT NULL DEFAULT false,
	created_at      timestamptz NOT NULL
);
CREATE INDEX events_person_start ON events (person_id, start_at);
CREATE INDEX events_organisation_start ON events (organisation_id, start_at);
CREATE INDEX events_agent_start ON events (agent_id, start_at);

CREATE TABLE rectification_requests (
	id          text PRIMARY KEY,
	person_id   text NOT NULL REFERENCES persons (id),
	field       text NOT NULL,
	requested   text NOT NULL,
	status      text NOT NULL,
	answer      text NOT NULL DEFAULT '',
	answered_by text NOT NULL DEFAULT '',
	created_at  timestamptz NOT NULL,
	answered_at timestamptz
);
CREATE INDEX rectification_requests_person ON rectification_requests (person_id, created_at);
