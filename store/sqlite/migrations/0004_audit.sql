-- 0004_audit: the journal des accès, a Merkle tree log (SQLite).
-- One row per entry: the canonical leaf and the tree node hashes that the
-- entry completed (see package audit). Rows are only ever appended.
CREATE TABLE audit_entries (
	idx    INTEGER PRIMARY KEY,
	leaf   BLOB NOT NULL,
	hashes BLOB NOT NULL
);

CREATE TABLE audit_checkpoints (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	tree_size  INTEGER NOT NULL,
	note       BLOB NOT NULL,
	created_at TEXT NOT NULL
);
