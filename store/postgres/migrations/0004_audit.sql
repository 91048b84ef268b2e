-- 0004_audit: the journal des accès, a Merkle tree log (PostgreSQL).
-- One row per entry: the canonical leaf and the tree node hashes that the
-- entry completed (see package audit). Rows are only ever appended.
CREATE TABLE audit_entries (
	idx    BIGINT PRIMARY KEY,
	leaf   BYTEA NOT NULL,
	hashes BYTEA NOT NULL
);

CREATE TABLE audit_checkpoints (
	id         BIGSERIAL PRIMARY KEY,
	tree_size  BIGINT NOT NULL,
	note       BYTEA NOT NULL,
	created_at TIMESTAMPTZ NOT NULL
);
