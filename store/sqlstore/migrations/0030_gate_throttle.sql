-- 0030_gate_throttle: the gate's inline throttle (distinct persons and
-- exact lookups read per principal, step-ups and blocks) kept in the store,
-- so that a restart lifts nothing and every server on the store shares it.
CREATE TABLE gate_throttle_reads (
	principal TEXT NOT NULL,
	subject   TEXT NOT NULL,
	weight    INTEGER NOT NULL,
	at_us     {bigint} NOT NULL,
	PRIMARY KEY (principal, subject)
);
CREATE INDEX gate_throttle_reads_at ON gate_throttle_reads (principal, at_us);
CREATE TABLE gate_throttle_states (
	principal        TEXT PRIMARY KEY,
	organisation_id  TEXT NOT NULL DEFAULT '',
	stepup_asked_us  {bigint} NOT NULL DEFAULT 0,
	stepped_up_us    {bigint} NOT NULL DEFAULT 0,
	blocked_at_us    {bigint} NOT NULL DEFAULT 0,
	blocked_until_us {bigint} NOT NULL DEFAULT 0,
	blocked_weight   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX gate_throttle_states_blocked ON gate_throttle_states (blocked_until_us);
