-- 0221_notes: the notes of a person's follow-up. An ordinary note
-- (category parcours) is kept as UTF-8 bytes; a note filed in a sealed
-- category (health, justice) is sealed with the person's data key
-- (person_keys), so that crypto-shredding her key makes it unreadable.
CREATE TABLE notes (
	id              TEXT PRIMARY KEY,
	person_id       TEXT NOT NULL REFERENCES persons (id),
	organisation_id TEXT NOT NULL REFERENCES organisations (id),
	agent_id        TEXT NOT NULL DEFAULT '',
	client_id       TEXT NOT NULL DEFAULT '',
	category        TEXT NOT NULL,
	network_visible INTEGER NOT NULL DEFAULT 0,
	body            BLOB NOT NULL,
	created_at      TEXT NOT NULL
);
CREATE INDEX notes_person_created ON notes (person_id, created_at);
