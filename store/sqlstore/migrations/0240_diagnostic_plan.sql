-- 0240_diagnostic_plan: the diagnostic global (freins by theme, every
-- change kept, and the professional situation) and the versions of the
-- plan d'action; a contract names the plan version it was generated from.
CREATE TABLE diagnostics (
	person_id  TEXT PRIMARY KEY REFERENCES persons (id),
	version    INTEGER NOT NULL,
	situation  TEXT NOT NULL, -- JSON of the professional situation and project
	updated_at {timestamp} NOT NULL
);

-- One row per change of a frein, never updated: the history. A health
-- change is sealed with the person's key (sealed), any other is clear
-- JSON (change).
CREATE TABLE diagnostic_changes (
	person_id  TEXT NOT NULL REFERENCES persons (id),
	version    INTEGER NOT NULL, -- the diagnostic version that wrote it
	position   INTEGER NOT NULL,
	category   TEXT NOT NULL,
	change     TEXT,
	sealed     {bytes},
	created_at {timestamp} NOT NULL,
	PRIMARY KEY (person_id, version, position)
);

-- A plan version: the objectives (and their actions) of the parcours
-- category in body, those linked to a health frein sealed in sealed.
CREATE TABLE plans (
	id              TEXT PRIMARY KEY,
	person_id       TEXT NOT NULL REFERENCES persons (id),
	version         INTEGER NOT NULL,
	body            TEXT NOT NULL,
	sealed          {bytes},
	agreement       TEXT, -- JSON of the person's agreement
	organisation_id TEXT REFERENCES organisations (id),
	agent_id        TEXT REFERENCES agents (id),
	created_at      {timestamp} NOT NULL,
	UNIQUE (person_id, version)
);

ALTER TABLE commitments ADD COLUMN plan_version INTEGER NOT NULL DEFAULT 0;
