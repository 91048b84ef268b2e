-- 0101_audit_block_persons: each block of the audit index also keeps a
-- 16-bit fingerprint of the person of each of its 1024 entries (2 bytes
-- per entry, little-endian; 0 for none), so that a person's access history
-- reads only her entries of a block instead of scanning it
-- (store/auditsql). NULL for the blocks written before: they are scanned.
ALTER TABLE audit_blocks ADD COLUMN persons BLOB;
