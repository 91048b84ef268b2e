-- audit_by_month: partition the journal des accès (audit_entries) by month.
--
-- Optional, for large deployments (docs/deployment.md). Run it once, with
-- the servers stopped, as the owner of the schema:
--
--     psql "$SOCLE_DB" -v ON_ERROR_STOP=1 -1 -f store/postgres/optional/audit_by_month.sql
--
-- It is idempotent. The code needs no change: it inserts (idx, leaf, hashes)
-- and reads by idx; appended_at takes the time of the appending transaction.
--
-- What it gives: one table per month, vacuumed and indexed on its own, that
-- an operator can move to a cheaper tablespace once the month is over
-- (ALTER TABLE audit_entries_2026_01 SET TABLESPACE archive). Never detach
-- or drop a partition: the log is verified from its first entry, and a
-- missing entry is reported as tampering.
--
-- What it costs: a lookup by idx probes every partition (a handful of index
-- pages each), and the primary key is (idx, appended_at) since PostgreSQL
-- requires the partition key in it. Two rows cannot share an idx all the
-- same: every append holds the audit advisory lock and writes from the
-- size it reads under it (store/sqlstore/audit.go).
--
-- Partitions: the rows already stored stay in audit_entries_before (attaching
-- it builds its new key once: on a large log, plan the time), each month
-- gets its own, and a default partition takes any row whose month has none,
-- so that an append never fails for a missing partition. Create the coming
-- months ahead, monthly, with:
--
--     SELECT socle_audit_add_months(3);

DO $$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid
			WHERE c.relname = 'audit_entries' AND c.relnamespace = current_schema()::regnamespace) THEN
		RETURN; -- already partitioned
	END IF;
	ALTER TABLE audit_entries RENAME TO audit_entries_before;
	ALTER TABLE audit_entries_before RENAME CONSTRAINT audit_entries_pkey TO audit_entries_before_pkey;
	ALTER TABLE audit_entries_before ADD COLUMN appended_at timestamptz NOT NULL DEFAULT '-infinity';
	CREATE TABLE audit_entries (
		idx         BIGINT NOT NULL,
		leaf        BYTEA NOT NULL,
		hashes      BYTEA NOT NULL,
		appended_at timestamptz NOT NULL DEFAULT transaction_timestamp(),
		PRIMARY KEY (idx, appended_at)
	) PARTITION BY RANGE (appended_at);
	ALTER TABLE audit_entries_before DROP CONSTRAINT audit_entries_before_pkey;
	EXECUTE format('ALTER TABLE audit_entries ATTACH PARTITION audit_entries_before FOR VALUES FROM (MINVALUE) TO (%L)',
		date_trunc('month', now()));
	CREATE TABLE audit_entries_default PARTITION OF audit_entries DEFAULT;
END
$$;

-- socle_audit_add_months creates the partitions of this month and of the
-- next n months that do not exist yet. A month whose rows went to the
-- default partition meanwhile is left there (create its partition before
-- the month starts).
CREATE OR REPLACE FUNCTION socle_audit_add_months(n integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	m timestamptz;
	name text;
BEGIN
	FOR k IN 0..n LOOP
		m := date_trunc('month', now()) + make_interval(months => k);
		name := 'audit_entries_' || to_char(m, 'YYYY_MM');
		IF to_regclass(quote_ident(name)) IS NULL
			AND NOT EXISTS (SELECT 1 FROM audit_entries_default WHERE appended_at >= m AND appended_at < m + interval '1 month') THEN
			EXECUTE format('CREATE TABLE %I PARTITION OF audit_entries FOR VALUES FROM (%L) TO (%L)', name, m, m + interval '1 month');
		END IF;
	END LOOP;
END
$$;

SELECT socle_audit_add_months(3);
