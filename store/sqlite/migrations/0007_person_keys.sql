-- 0007_person_keys: per-person data keys of the sensitive sections (health,
-- justice, bank), which are stored sealed (AES-256-GCM, package seal) in
-- their columns of persons: BLOBs from now on, TEXT affinity keeps them as
-- they are. Deleting a person's key (crypto-shredding) makes every copy of
-- those sections unreadable, backups included.
--
-- A row outlives its key as a tombstone: wrapped_key NULL, shredded_at set,
-- and erased_at set when the identity and contact were erased too.
CREATE TABLE person_keys (
	person_id   TEXT PRIMARY KEY REFERENCES persons (id),
	wrapped_key BLOB,
	created_at  TEXT NOT NULL,
	shredded_at TEXT,
	erased_at   TEXT
);
