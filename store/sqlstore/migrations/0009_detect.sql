-- 0009_detect: misuse detection cases (alerts grouped per agent or client,
-- their timeline, the suppressions their verdicts create), the live
-- detector's position in the audit log, and declared bulk tasks.
CREATE TABLE detect_cases (
	id              TEXT PRIMARY KEY,
	principal       TEXT NOT NULL, -- "agent:ID" or "client:ID"
	organisation_id TEXT NOT NULL,
	state           TEXT NOT NULL, -- nouveau, triage, enquete, clos
	verdict         TEXT NOT NULL DEFAULT '',
	assignee        TEXT NOT NULL DEFAULT '', -- an auditor (agent id)
	critical        {flag} NOT NULL DEFAULT {false},
	alerts          INTEGER NOT NULL DEFAULT 0,
	opened_at       {timestamp} NOT NULL,
	triaged_at      {timestamp},
	closed_at       {timestamp},
	updated_at      {timestamp} NOT NULL
);
CREATE INDEX detect_cases_principal ON detect_cases (principal, state);
CREATE INDEX detect_cases_state ON detect_cases (state, updated_at);

CREATE TABLE detect_alerts (
	id              TEXT PRIMARY KEY,
	case_id         TEXT NOT NULL REFERENCES detect_cases (id),
	rule            TEXT NOT NULL,
	score           {double} NOT NULL,
	critical        {flag} NOT NULL DEFAULT {false},
	principal       TEXT NOT NULL,
	organisation_id TEXT NOT NULL,
	reason          TEXT NOT NULL,
	evidence        TEXT NOT NULL, -- JSON: audit entry indexes with their explanation
	occurred_at     {timestamp} NOT NULL,
	created_at      {timestamp} NOT NULL
);
CREATE INDEX detect_alerts_case ON detect_alerts (case_id, occurred_at);
CREATE INDEX detect_alerts_rule ON detect_alerts (rule, occurred_at);

-- The timeline of a case besides its alerts: comments, state changes,
-- assignments.
CREATE TABLE detect_case_entries (
	id         TEXT PRIMARY KEY,
	case_id    TEXT NOT NULL REFERENCES detect_cases (id),
	kind       TEXT NOT NULL, -- comment, state, assign
	author     TEXT NOT NULL,
	text       TEXT NOT NULL,
	created_at {timestamp} NOT NULL
);
CREATE INDEX detect_case_entries_case ON detect_case_entries (case_id, created_at);

CREATE TABLE detect_suppressions (
	principal  TEXT NOT NULL,
	rule       TEXT NOT NULL,
	until_at   {timestamp} NOT NULL,
	case_id    TEXT NOT NULL,
	created_at {timestamp} NOT NULL,
	PRIMARY KEY (principal, rule)
);

CREATE TABLE detect_cursor (
	name     TEXT PRIMARY KEY,
	position {bigint} NOT NULL
);

-- A tâche de masse déclarée: an agent reads a population for a purpose
-- during a window, once an administrator of her organisation approved it.
CREATE TABLE bulk_tasks (
	id              TEXT PRIMARY KEY,
	organisation_id TEXT NOT NULL,
	agent_id        TEXT NOT NULL,
	purpose         TEXT NOT NULL,
	population      TEXT NOT NULL,
	persons         TEXT NOT NULL, -- JSON list of person ids, [] for a described population
	starts_at       {timestamp} NOT NULL,
	ends_at         {timestamp} NOT NULL,
	declared_by     TEXT NOT NULL,
	approved_by     TEXT NOT NULL DEFAULT '',
	approved_at     {timestamp},
	created_at      {timestamp} NOT NULL
);
CREATE INDEX bulk_tasks_agent ON bulk_tasks (agent_id, ends_at);
CREATE INDEX bulk_tasks_organisation ON bulk_tasks (organisation_id, created_at);
