-- 0180_record_changes: the change feed of persons and companies, written
-- in the transaction of each write under an advisory lock held until the
-- commit, so that seq follows the commit order (postgres).
CREATE TABLE record_changes (
	seq     bigserial PRIMARY KEY,
	kind    text NOT NULL,
	ref     text NOT NULL,
	version integer NOT NULL,
	at      timestamptz NOT NULL
);
CREATE INDEX record_changes_ref ON record_changes (kind, ref, version);
