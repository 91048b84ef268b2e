-- 0012_provenance: which organisation supplied each section of a person's
-- file and when ("dites-le nous une fois"), written by the gate on every
-- creation and update of a person.
CREATE TABLE provenance (
	person_id       TEXT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
	category        TEXT NOT NULL,
	organisation_id TEXT NOT NULL DEFAULT '',
	agent_id        TEXT NOT NULL DEFAULT '',
	client_id       TEXT NOT NULL DEFAULT '',
	at              {timestamp} NOT NULL
);
CREATE INDEX provenance_person ON provenance (person_id, category, at);
