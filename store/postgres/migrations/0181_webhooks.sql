-- 0181_webhooks: partners' subscriptions to the change feed and their
-- persisted delivery queue, which is also the delivery log (postgres).
CREATE TABLE webhook_subscriptions (
	id         text PRIMARY KEY,
	client_id  text NOT NULL,
	url        text NOT NULL,
	purpose    text NOT NULL,
	feed_cursor bigint NOT NULL,
	created_at timestamptz NOT NULL
);
CREATE INDEX webhook_subscriptions_client ON webhook_subscriptions (client_id);
CREATE TABLE webhook_deliveries (
	id              text PRIMARY KEY,
	subscription_id text NOT NULL REFERENCES webhook_subscriptions (id),
	change_seq      bigint NOT NULL,
	kind            text NOT NULL,
	ref             text NOT NULL,
	version         bigint NOT NULL,
	change_at       timestamptz NOT NULL,
	status          text NOT NULL,
	attempts        bigint NOT NULL,
	next_at         timestamptz,
	last_status     bigint NOT NULL,
	last_error      text NOT NULL,
	delivered_at    timestamptz,
	created_at      timestamptz NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_at);
CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries (subscription_id, created_at);
