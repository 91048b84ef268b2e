-- 0330_throttle_reads_version: a number that changes with a principal's
-- counted reads, so that a server keeps her window in memory and reads it
-- again from the store only when another server (or a lifted block)
-- changed it.
ALTER TABLE gate_throttle_states ADD COLUMN reads_version {bigint} NOT NULL DEFAULT 0;
