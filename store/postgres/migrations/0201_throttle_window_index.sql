-- 0201_throttle_window_index: every personal-data read sums the weight a
-- principal read in the throttle's window; with the weight in the index
-- the sum reads the index alone, not a table row per read counted. The
-- forgetting of old reads uses the same prefix (principal, at_us).
CREATE INDEX gate_throttle_reads_window ON gate_throttle_reads (principal, at_us, weight);
DROP INDEX gate_throttle_reads_at;
