-- 0005_audit_index: what privacy officers search the journal des accès by
-- (PostgreSQL). One row per entry, written in the same transaction as the
-- entry. It is a convenience for search only: verification never reads it,
-- and a hit is always shown from the entry itself. Absent values are NULL,
-- so that they take no room.
CREATE TABLE audit_index (
	idx             BIGINT PRIMARY KEY,
	at              TIMESTAMPTZ NOT NULL,
	agent_id        TEXT,
	client_id       TEXT,
	organisation_id TEXT,
	person_ref      TEXT,
	purpose         TEXT,
	action          TEXT NOT NULL,
	allowed         BOOLEAN NOT NULL
);

-- No secondary B-tree on the search columns: each would take one random
-- page write per entry and per index, which cuts durable appends by a
-- factor of eight on SQLite (measured). Instead the entries are grouped in
-- blocks of 1024 consecutive indexes, each with the time span it covers and
-- a Bloom filter of the values its entries hold (person, agent, client,
-- organisation, purpose, action; see store/sqlstore/audit_index.go). A
-- search reads the filters newest first and scans, by primary key, only
-- the blocks that may hold a match. A NULL bloom (blocks written before
-- this migration) may hold anything.
CREATE TABLE audit_blocks (
	block  BIGINT PRIMARY KEY,
	min_at TIMESTAMPTZ NOT NULL,
	max_at TIMESTAMPTZ NOT NULL,
	bloom  BYTEA
);

-- Entries written before this migration.
INSERT INTO audit_index (idx, at, agent_id, client_id, organisation_id, person_ref, purpose, action, allowed)
SELECT idx,
	(ev->>'time')::timestamptz,
	ev->>'agent_id',
	ev->>'client_id',
	ev->>'organisation_id',
	ev->>'person_ref',
	ev->>'purpose',
	ev->>'action',
	(ev->>'allowed')::boolean
FROM (SELECT idx, convert_from(leaf, 'UTF8')::jsonb->'event' AS ev FROM audit_entries) e;

INSERT INTO audit_blocks (block, min_at, max_at, bloom)
SELECT idx >> 10, MIN(at), MAX(at), NULL FROM audit_index GROUP BY idx >> 10;
