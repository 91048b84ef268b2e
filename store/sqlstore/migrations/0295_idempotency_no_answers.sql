-- 0295_idempotency_no_answers: an Idempotency-Key keeps what identifies
-- the created resource (operation, id, status, Location, request hash),
-- never the answer's body, which held personal data in clear outside the
-- sealed records; a replay reads the resource again through the gate. The
-- person the create was about is kept so that her erasure removes her keys.
ALTER TABLE idempotency_keys DROP COLUMN answer;
ALTER TABLE idempotency_keys ADD COLUMN person_id TEXT NOT NULL DEFAULT '';
CREATE INDEX idempotency_keys_person ON idempotency_keys (person_id);
