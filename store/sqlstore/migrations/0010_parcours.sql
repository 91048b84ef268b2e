-- 0010_parcours: orientations, contracts (commitments) with their signatures
-- and signing links, events, rectification requests.
CREATE TABLE orientations (
	id                     TEXT PRIMARY KEY,
	person_id              TEXT NOT NULL REFERENCES persons (id),
	operator_kind          TEXT NOT NULL,
	organisation_id        TEXT REFERENCES organisations (id),
	parcours               TEXT NOT NULL,
	modalite               TEXT NOT NULL,
	reasons                TEXT NOT NULL, -- JSON array of French sentences
	override_reason        TEXT NOT NULL DEFAULT '',
	status                 TEXT NOT NULL,
	decided_by_agent_id    TEXT REFERENCES agents (id),
	decided_at             {timestamp},
	questionnaire_version  INTEGER NOT NULL,
	ruleset_version        INTEGER NOT NULL,
	proposed_operator_kind TEXT NOT NULL,
	proposed_parcours      TEXT NOT NULL,
	proposed_modalite      TEXT NOT NULL,
	departement            TEXT NOT NULL DEFAULT '',
	answers                TEXT, -- JSON of the questionnaire's answers
	created_at             {timestamp} NOT NULL
);
CREATE INDEX orientations_person ON orientations (person_id, created_at);
CREATE INDEX orientations_status_decided ON orientations (status, decided_at);

CREATE TABLE commitments (
	id              TEXT PRIMARY KEY,
	person_id       TEXT NOT NULL REFERENCES persons (id),
	orientation_id  TEXT NOT NULL REFERENCES orientations (id),
	version         INTEGER NOT NULL,
	previous_id     TEXT REFERENCES commitments (id),
	actions         TEXT NOT NULL, -- JSON array
	document        {bytes} NOT NULL, -- the canonical bytes that document_hash covers
	document_hash   TEXT NOT NULL,
	status          TEXT NOT NULL,
	organisation_id TEXT REFERENCES organisations (id),
	agent_id        TEXT REFERENCES agents (id),
	created_at      {timestamp} NOT NULL,
	UNIQUE (person_id, version)
);

CREATE TABLE commitment_signatures (
	commitment_id TEXT NOT NULL REFERENCES commitments (id),
	role          TEXT NOT NULL,
	signer_id     TEXT NOT NULL,
	signed_at     {timestamp} NOT NULL,
	signature     TEXT NOT NULL,
	PRIMARY KEY (commitment_id, role)
);

-- A signing link lets the person sign after a fresh authentication: only
-- the SHA-256 of its token is kept; it is single-use and expires.
CREATE TABLE commitment_sign_links (
	token_hash    TEXT PRIMARY KEY,
	commitment_id TEXT NOT NULL REFERENCES commitments (id),
	person_id     TEXT NOT NULL REFERENCES persons (id),
	created_at    {timestamp} NOT NULL,
	expires_at    {timestamp} NOT NULL,
	used_at       {timestamp}
);

CREATE TABLE events (
	id              TEXT PRIMARY KEY,
	person_id       TEXT NOT NULL REFERENCES persons (id),
	organisation_id TEXT NOT NULL REFERENCES organisations (id),
	agent_id        TEXT REFERENCES agents (id),
	kind            TEXT NOT NULL,
	title           TEXT NOT NULL,
	description     TEXT NOT NULL DEFAULT '',
	location        TEXT NOT NULL DEFAULT '',
	start_at        {timestamp} NOT NULL,
	end_at          {timestamp} NOT NULL,
	network_visible {flag} NOT NULL DEFAULT {false},
	created_at      {timestamp} NOT NULL
);
CREATE INDEX events_person_start ON events (person_id, start_at);
CREATE INDEX events_organisation_start ON events (organisation_id, start_at);
CREATE INDEX events_agent_start ON events (agent_id, start_at);

CREATE TABLE rectification_requests (
	id          TEXT PRIMARY KEY,
	person_id   TEXT NOT NULL REFERENCES persons (id),
	field       TEXT NOT NULL,
	requested   TEXT NOT NULL,
	status      TEXT NOT NULL,
	answer      TEXT NOT NULL DEFAULT '',
	answered_by TEXT NOT NULL DEFAULT '',
	created_at  {timestamp} NOT NULL,
	answered_at {timestamp}
);
CREATE INDEX rectification_requests_person ON rectification_requests (person_id, created_at);
