-- 0100_audit_index_rows: the search index of the journal des accès keeps
-- only its block summaries (audit_blocks); a search reads the entries of
-- the blocks that may match (store/auditsql). A row per entry cost the
-- single audit writer one insert per event and 140 bytes of disk.
DROP TABLE audit_index;
