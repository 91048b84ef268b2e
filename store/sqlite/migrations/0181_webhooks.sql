-- 0181_webhooks: partners' subscriptions to the change feed and their
-- persisted delivery queue, which is also the delivery log (sqlite).
CREATE TABLE webhook_subscriptions (
	id         TEXT PRIMARY KEY,
	client_id  TEXT NOT NULL,
	url        TEXT NOT NULL,
	purpose    TEXT NOT NULL,
	feed_cursor INTEGER NOT NULL,
	created_at TEXT NOT NULL
);
CREATE INDEX webhook_subscriptions_client ON webhook_subscriptions (client_id);
CREATE TABLE webhook_deliveries (
	id              TEXT PRIMARY KEY,
	subscription_id TEXT NOT NULL REFERENCES webhook_subscriptions (id),
	change_seq      INTEGER NOT NULL,
	kind            TEXT NOT NULL,
	ref             TEXT NOT NULL,
	version         INTEGER NOT NULL,
	change_at       TEXT NOT NULL,
	status          TEXT NOT NULL,
	attempts        INTEGER NOT NULL,
	next_at         TEXT,
	last_status     INTEGER NOT NULL,
	last_error      TEXT NOT NULL,
	delivered_at    TEXT,
	created_at      TEXT NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_at);
CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries (subscription_id, created_at);
