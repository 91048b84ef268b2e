-- 0221_notes: the notes of a person's follow-up. An ordinary note
-- (category parcours) is kept as UTF-8 bytes; a note filed in a sealed
-- category (health, justice) is sealed with the person's data key
-- (person_keys), so that crypto-shredding her key makes it unreadable.
CREATE TABLE notes (
	id              text PRIMARY KEY,
	person_id       text NOT NULL REFERENCES persons (id),
	organisation_id text NOT NULL REFERENCES organisations (id),
	agent_id        text NOT NULL DEFAULT '',
	client_id       text NOT NULL DEFAULT '',
	category        text NOT NULL,
	network_visible boolean NOT NULL DEFAULT false,
	body            bytea NOT NULL,
	created_at      timestamptz NOT NULL
);
CREATE INDEX notes_person_created ON notes (person_id, created_at);
