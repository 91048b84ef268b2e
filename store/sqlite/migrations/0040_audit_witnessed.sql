-- 0040_audit_witnessed: checkpoints of the journal des accès cosigned by
-- witnesses outside the database (SQLite). One row per witnessed
-- checkpoint: the log's signed note with the witnesses' cosignature lines
-- (C2SP tlog-cosignature). Rows are only ever appended. What the witnesses
-- themselves keep is the reference; these copies let the server hand out
-- witnessed checkpoints and resume witnessing after a restart.
CREATE TABLE audit_witnessed (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	tree_size  INTEGER NOT NULL,
	note       BLOB NOT NULL,
	created_at TEXT NOT NULL
);
