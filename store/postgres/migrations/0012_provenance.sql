-- 0012_provenance: which organisation supplied each section of a person's
-- file and when ("dites-le nous une fois"), written by the gate on every
-- creation and update of a person (PostgreSQL).
CREATE TABLE provenance (
	person_id       text NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
	category        text NOT NULL,
	organisation_id text NOT NULL DEFAULT '',
	agent_id        text NOT NULL DEFAULT '',
	client_id       text NOT NULL DEFAULT '',
	at              timestamptz NOT NULL
);
CREATE INDEX provenance_person ON provenance (person_id, category, at);
