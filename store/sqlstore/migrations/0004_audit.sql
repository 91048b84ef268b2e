-- 0004_audit: the journal des accès, a Merkle tree log.
-- One row per entry: the canonical leaf and the tree node hashes that the
-- entry completed (see package audit). Rows are only ever appended.
CREATE TABLE audit_entries (
	idx    {bigint} PRIMARY KEY,
	leaf   {bytes} NOT NULL,
	hashes {bytes} NOT NULL
);

CREATE TABLE audit_checkpoints (
	id         {serial_key},
	tree_size  {bigint} NOT NULL,
	note       {bytes} NOT NULL,
	created_at {timestamp} NOT NULL
);
