-- 0006_space: the person's own space (espace usager): login by one-time
-- link sent to the e-mail of her file, and her sessions (SQLite).
-- Times compared in SQL are integers (Unix microseconds), as in 0002.

-- email_key is derived by the database from the contact section, so that
-- every write path (create, update, bulk load) keeps it in step without
-- code of its own. Not unique: two files may share a mailbox.
ALTER TABLE persons ADD COLUMN email_key TEXT
	GENERATED ALWAYS AS (lower(json_extract(contact, '$.email'))) VIRTUAL;
CREATE INDEX persons_email_key ON persons (email_key);

-- One-time links; hash is the SHA-256 of the token, deleted when used.
CREATE TABLE person_links (
	hash       TEXT PRIMARY KEY,
	person_id  TEXT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
	created_us INTEGER NOT NULL,
	expires_us INTEGER NOT NULL
);
CREATE INDEX person_links_expires ON person_links (expires_us);

-- Sessions of persons; id is the SHA-256 of the cookie's token.
CREATE TABLE person_sessions (
	id           TEXT PRIMARY KEY,
	person_id    TEXT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
	csrf         TEXT NOT NULL,
	created_us   INTEGER NOT NULL,
	last_seen_us INTEGER NOT NULL,
	expires_us   INTEGER NOT NULL,
	remote_addr  TEXT NOT NULL DEFAULT '',
	user_agent   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX person_sessions_person ON person_sessions (person_id);
CREATE INDEX person_sessions_expires ON person_sessions (expires_us);

-- Link requests per key ("addr:<ip>", "email:<sha256>") in the current window.
CREATE TABLE space_throttles (
	key      TEXT PRIMARY KEY,
	hits     INTEGER NOT NULL,
	start_us INTEGER NOT NULL
);
