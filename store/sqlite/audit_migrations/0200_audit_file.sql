-- 0200_audit_file: the journal des accès in its own SQLite file (audit.db,
-- beside socle.db), with its own checkpoint policy, so that the group
-- commits of the audit writer neither grow the write-ahead log that every
-- read of the data searches nor wait for the data's writers. The tables are
-- those the data file held (migrations 0004, 0040, 0101 and 0190), which
-- Open moves here from a data file that still holds them.
CREATE TABLE audit_batches (
	first   INTEGER PRIMARY KEY,
	entries INTEGER NOT NULL,
	leaves  BLOB NOT NULL,
	hashes  BLOB NOT NULL
);

CREATE TABLE audit_blocks (
	block   INTEGER PRIMARY KEY,
	min_at  TEXT NOT NULL,
	max_at  TEXT NOT NULL,
	bloom   BLOB,
	persons BLOB
);

CREATE TABLE audit_checkpoints (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	tree_size  INTEGER NOT NULL,
	note       BLOB NOT NULL,
	created_at TEXT NOT NULL
);

CREATE TABLE audit_witnessed (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	tree_size  INTEGER NOT NULL,
	note       BLOB NOT NULL,
	created_at TEXT NOT NULL
);
