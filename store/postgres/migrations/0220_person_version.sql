-- 0220_person_version: the version of a person's file, counted up by every
-- update, so that an update made from a stale copy is refused (optimistic
-- concurrency: two advisers never overwrite each other silently).
ALTER TABLE persons ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
