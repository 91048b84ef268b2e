-- 0050_idempotency: the Idempotency-Key of creates with their result, so
-- that a retried create is safe; stored in the transaction of the create
-- (sqlite).
CREATE TABLE idempotency_keys (
	principal    TEXT NOT NULL,
	key          TEXT NOT NULL,
	operation    TEXT NOT NULL,
	request_hash TEXT NOT NULL,
	resource_id  TEXT NOT NULL,
	created_at   {timestamp} NOT NULL,
	PRIMARY KEY (principal, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
