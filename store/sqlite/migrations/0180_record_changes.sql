-- 0180_record_changes: the change feed of persons and companies, written
-- in the transaction of each write (sqlite: one writer, so seq follows the
-- commit order).
CREATE TABLE record_changes (
	seq     INTEGER PRIMARY KEY AUTOINCREMENT,
	kind    TEXT NOT NULL,
	ref     TEXT NOT NULL,
	version INTEGER NOT NULL,
	at      TEXT NOT NULL
);
CREATE INDEX record_changes_ref ON record_changes (kind, ref, version);
