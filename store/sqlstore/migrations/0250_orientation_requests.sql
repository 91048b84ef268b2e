-- 0250_orientation_requests: orientation hand-offs between structures,
-- from the request to its answer, reminder, escalation and outcome.
CREATE TABLE orientation_requests (
	id                   TEXT PRIMARY KEY,
	person_id            TEXT NOT NULL REFERENCES persons (id),
	from_organisation_id TEXT NOT NULL REFERENCES organisations (id),
	from_agent_id        TEXT REFERENCES agents (id),
	to_organisation_id   TEXT NOT NULL REFERENCES organisations (id),
	departement          TEXT NOT NULL DEFAULT '',
	parcours             TEXT NOT NULL,
	motive               TEXT NOT NULL,
	summary              TEXT NOT NULL, -- JSON of the diagnostic summary shared
	status               TEXT NOT NULL,
	deadline             {date} NOT NULL,
	created_at           {timestamp} NOT NULL,
	reminded_at          {timestamp},
	escalated_at         {timestamp},
	answered_at          {timestamp},
	answered_by_agent_id TEXT REFERENCES agents (id),
	refusal_reason       TEXT NOT NULL DEFAULT '',
	answer_comment       TEXT NOT NULL DEFAULT '',
	previous_id          TEXT REFERENCES orientation_requests (id),
	outcome              TEXT NOT NULL DEFAULT '',
	outcome_reason       TEXT NOT NULL DEFAULT '',
	outcome_at           {timestamp}
);
CREATE INDEX orientation_requests_person ON orientation_requests (person_id, created_at);
CREATE INDEX orientation_requests_to ON orientation_requests (to_organisation_id, status, deadline);
CREATE INDEX orientation_requests_status ON orientation_requests (status, deadline);
