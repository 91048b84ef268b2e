-- 0007_person_keys: per-person data keys of the sensitive sections (health,
-- justice, bank), which are stored sealed (AES-256-GCM, package seal) in
-- their columns of persons, now bytea. Deleting a person's key
-- (crypto-shredding) makes every copy of those sections unreadable, backups
-- included.
--
-- A row outlives its key as a tombstone: wrapped_key NULL, shredded_at set,
-- and erased_at set when the identity and contact were erased too.
CREATE TABLE person_keys (
	person_id   text PRIMARY KEY REFERENCES persons (id),
	wrapped_key bytea,
	created_at  timestamptz NOT NULL,
	shredded_at timestamptz,
	erased_at   timestamptz
);

-- Sections written in clear before this migration keep their bytes; they
-- do not open as sealed values and must be written again (see sqlstore).
ALTER TABLE persons
	ALTER COLUMN health TYPE bytea USING convert_to(health::text, 'UTF8'),
	ALTER COLUMN justice TYPE bytea USING convert_to(justice::text, 'UTF8'),
	ALTER COLUMN bank TYPE bytea USING convert_to(bank::text, 'UTF8');
