-- 0190_audit_batches: the entries of the journal des accès are stored one
-- row per appended batch instead of one per entry (store/auditsql): the
-- single audit writer inserts one row per fsync. leaves and hashes are
-- each a table of the items' end offsets (4 bytes, big-endian) followed by
-- the items. The entries already stored become batches of one.
CREATE TABLE audit_batches (
	first   INTEGER PRIMARY KEY,
	entries INTEGER NOT NULL,
	leaves  BLOB NOT NULL,
	hashes  BLOB NOT NULL
);

INSERT INTO audit_batches (first, entries, leaves, hashes)
SELECT idx, 1,
	CAST(unhex(printf('%08X', length(leaf))) || leaf AS BLOB),
	CAST(unhex(printf('%08X', length(hashes))) || hashes AS BLOB)
FROM audit_entries ORDER BY idx;

DROP TABLE audit_entries;
