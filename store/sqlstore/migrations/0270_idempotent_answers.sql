-- 0270_idempotent_answers: the first answer of any create made with an
-- Idempotency-Key (its status, Location and body), replayed to a retry
-- within the window; status 0 while the create is being processed.
ALTER TABLE idempotency_keys ADD COLUMN status INTEGER NOT NULL DEFAULT 0;
ALTER TABLE idempotency_keys ADD COLUMN location TEXT NOT NULL DEFAULT '';
ALTER TABLE idempotency_keys ADD COLUMN answer {bytes};
