-- 0050_idempotency: the Idempotency-Key of creates with their result, so
-- that a retried create is safe; stored in the transaction of the create
-- (postgres).
CREATE TABLE idempotency_keys (
	principal    text NOT NULL,
	key          text NOT NULL,
	operation    text NOT NULL,
	request_hash text NOT NULL,
	resource_id  text NOT NULL,
	created_at   timestamptz NOT NULL,
	PRIMARY KEY (principal, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
