-- 0040_audit_witnessed: checkpoints of the journal des accès cosigned by
-- witnesses outside the database. One row per witnessed
-- checkpoint: the log's signed note with the witnesses' cosignature lines
-- (C2SP tlog-cosignature). Rows are only ever appended. What the witnesses
-- themselves keep is the reference; these copies let the server hand out
-- witnessed checkpoints and resume witnessing after a restart.
CREATE TABLE audit_witnessed (
	id         {serial_key},
	tree_size  {bigint} NOT NULL,
	note       {bytes} NOT NULL,
	created_at {timestamp} NOT NULL
);
