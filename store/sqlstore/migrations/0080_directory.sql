-- 0080_directory: the detection directory. Staff linked to their
-- own person record and home by keyed hashes, with employment dates; the
-- home history of persons (keyed hashes only); the register of protected
-- persons; the explanations agents declare (delegations, walk-ins, events,
-- calls, conflicts of interest); the detector's baselines as opaque
-- versioned blobs.
CREATE TABLE staff_directory (
	agent_id   TEXT PRIMARY KEY,
	identity   TEXT NOT NULL DEFAULT '',
	surname    TEXT NOT NULL DEFAULT '',
	household  TEXT NOT NULL DEFAULT '',
	address    TEXT NOT NULL DEFAULT '',
	street     TEXT NOT NULL DEFAULT '',
	start_date TEXT NOT NULL DEFAULT '',
	end_date   TEXT NOT NULL DEFAULT '',
	updated_at {timestamp} NOT NULL
);

CREATE TABLE person_homes (
	person_id   TEXT NOT NULL,
	identity    TEXT NOT NULL DEFAULT '',
	surname     TEXT NOT NULL DEFAULT '',
	household   TEXT NOT NULL DEFAULT '',
	address     TEXT NOT NULL DEFAULT '',
	street      TEXT NOT NULL DEFAULT '',
	departement TEXT NOT NULL DEFAULT '',
	from_date   TEXT NOT NULL,
	to_date     TEXT NOT NULL DEFAULT '', -- '' while current
	seq         INTEGER NOT NULL,
	PRIMARY KEY (person_id, seq)
);
CREATE INDEX person_homes_current ON person_homes (to_date, person_id);

CREATE TABLE protected_persons (
	id         TEXT PRIMARY KEY,
	person_id  TEXT NOT NULL,
	kind       TEXT NOT NULL,
	reason     TEXT NOT NULL,
	added_by   TEXT NOT NULL,
	added_at   {timestamp} NOT NULL,
	removed_by TEXT NOT NULL DEFAULT '',
	removed_at {timestamp}
);
CREATE UNIQUE INDEX protected_persons_active ON protected_persons (person_id) WHERE removed_at IS NULL;

CREATE TABLE declarations (
	id              TEXT PRIMARY KEY,
	kind            TEXT NOT NULL,
	agent_id        TEXT NOT NULL,
	organisation_id TEXT NOT NULL,
	of_agent_id     TEXT NOT NULL DEFAULT '',
	persons         TEXT NOT NULL, -- JSON list of person ids
	reference       TEXT NOT NULL DEFAULT '',
	note            TEXT NOT NULL DEFAULT '',
	starts_at       {timestamp} NOT NULL,
	ends_at         {timestamp} NOT NULL,
	created_at      {timestamp} NOT NULL,
	withdrawn_at    {timestamp}
);
CREATE INDEX declarations_agent ON declarations (agent_id, ends_at);
CREATE INDEX declarations_ends ON declarations (ends_at);

CREATE TABLE detect_baselines (
	principal  TEXT PRIMARY KEY,
	version    INTEGER NOT NULL,
	state      {bytes} NOT NULL,
	updated_at {timestamp} NOT NULL
);
