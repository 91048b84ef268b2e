package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"socle"
)

var _ socle.WebhookStore = (*DB)(nil)

const subscriptionSelect = `SELECT id, client_id, url, purpose, feed_cursor, created_at FROM webhook_subscriptions`

func scanSubscription(sc rowScanner) (*socle.Subscription, error) {
	var s socle.Subscription
	err := sc.Scan(&s.ID, &s.ClientID, &s.URL, &s.Purpose, &s.Cursor, scanTime(&s.Created))
	return &s, err
}

// CreateSubscription stores a new subscription, filling its id and time.
func (s *DB) CreateSubscription(ctx context.Context, sub *socle.Subscription) error {
	if sub.ID == "" {
		sub.ID = socle.NewID("sub")
	}
	sub.Created = stamp(sub.Created)
	_, err := s.write.ExecContext(ctx, s.q(`INSERT INTO webhook_subscriptions (id, client_id, url, purpose, feed_cursor, created_at)
VALUES (?, ?, ?, ?, ?, ?)`), sub.ID, sub.ClientID, sub.URL, sub.Purpose, sub.Cursor, sub.Created)
	return s.fail(err, "subscription")
}

// Subscription returns the subscription with that id, ENOTFOUND if none.
func (s *DB) Subscription(ctx context.Context, id string) (*socle.Subscription, error) {
	return queryOne(ctx, s, scanSubscription, "subscription", subscriptionSelect+` WHERE id = ?`, id)
}

// Subscriptions lists the subscriptions of a client, or all with "".
func (s *DB) Subscriptions(ctx context.Context, clientID string) ([]*socle.Subscription, error) {
	if clientID == "" {
		return queryAll(ctx, s, scanSubscription, "subscriptions", subscriptionSelect+` ORDER BY created_at, id`)
	}
	return queryAll(ctx, s, scanSubscription, "subscriptions", subscriptionSelect+` WHERE client_id = ? ORDER BY created_at, id`, clientID)
}

// DeleteSubscription deletes a subscription and its deliveries.
func (s *DB) DeleteSubscription(ctx context.Context, id string) error {
	return s.inTx(ctx, "deleting subscription", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM webhook_deliveries WHERE subscription_id = ?`), id); err != nil {
			return fmt.Errorf("deleting deliveries: %w", err)
		}
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM webhook_subscriptions WHERE id = ?`), id)
		if err != nil {
			return fmt.Errorf("deleting subscription: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("subscription")
		}
		return nil
	})
}

// EnqueueDeliveries stores the deliveries and moves the cursor in one
// transaction.
func (s *DB) EnqueueDeliveries(ctx context.Context, subscriptionID string, cursor int64, ds []*socle.Delivery) error {
	return s.inTx(ctx, "queueing deliveries", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE webhook_subscriptions SET feed_cursor = ? WHERE id = ? AND feed_cursor < ?`),
			cursor, subscriptionID, cursor)
		if err != nil {
			return fmt.Errorf("moving the subscription's cursor: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			// Deleted, or another deliverer queued them first.
			return socle.Errorf(socle.ECONFLICT, "subscription deleted or already past %d", cursor)
		}
		for _, d := range ds {
			if d.ID == "" {
				d.ID = socle.NewID("dlv")
			}
			d.SubscriptionID = subscriptionID
			d.Created = stamp(d.Created)
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO webhook_deliveries (id, subscription_id, change_seq, kind, ref, version,
change_at, status, attempts, next_at, last_status, last_error, delivered_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
				d.ID, d.SubscriptionID, d.Change.Seq, string(d.Change.Kind), d.Change.ID, d.Change.Version, d.Change.At.UTC(),
				d.Status, d.Attempts, nullTime(d.NextAt), d.LastStatus, d.LastError, nullTime(d.DeliveredAt), d.Created); err != nil {
				return s.fail(err, "delivery")
			}
		}
		return nil
	})
}

const deliverySelect = `SELECT id, subscription_id, change_seq, kind, ref, version, change_at, status, attempts, next_at,
last_status, last_error, delivered_at, created_at FROM webhook_deliveries`

func scanDelivery(sc rowScanner) (*socle.Delivery, error) {
	var d socle.Delivery
	var kind string
	err := sc.Scan(&d.ID, &d.SubscriptionID, &d.Change.Seq, &kind, &d.Change.ID, &d.Change.Version, scanTime(&d.Change.At),
		&d.Status, &d.Attempts, scanTime(&d.NextAt), &d.LastStatus, &d.LastError, scanTime(&d.DeliveredAt), scanTime(&d.Created))
	d.Change.Kind = socle.ResourceKind(kind)
	return &d, err
}

// DueDeliveries returns the pending deliveries due at now, oldest first.
func (s *DB) DueDeliveries(ctx context.Context, now time.Time, limit int) ([]*socle.Delivery, error) {
	return queryAll(ctx, s, scanDelivery, "due deliveries",
		deliverySelect+` WHERE status = ? AND next_at <= ? ORDER BY next_at, id LIMIT ?`, socle.DeliveryPending, now.UTC(), limit)
}

// UpdateDelivery stores the outcome of an attempt.
func (s *DB) UpdateDelivery(ctx context.Context, d *socle.Delivery) error {
	res, err := s.write.ExecContext(ctx, s.q(`UPDATE webhook_deliveries SET status = ?, attempts = ?, next_at = ?, last_status = ?,
last_error = ?, delivered_at = ? WHERE id = ?`), d.Status, d.Attempts, nullTime(d.NextAt), d.LastStatus, d.LastError, nullTime(d.DeliveredAt), d.ID)
	if err != nil {
		return fmt.Errorf("updating delivery: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("delivery")
	}
	return nil
}

// Delivery returns the delivery with that id, ENOTFOUND if none.
func (s *DB) Delivery(ctx context.Context, id string) (*socle.Delivery, error) {
	return queryOne(ctx, s, scanDelivery, "delivery", deliverySelect+` WHERE id = ?`, id)
}

// Deliveries lists the deliveries of a subscription, newest first, from
// the one after before when set.
func (s *DB) Deliveries(ctx context.Context, subscriptionID, before string, limit int) ([]*socle.Delivery, error) {
	if before == "" {
		return queryAll(ctx, s, scanDelivery, "deliveries",
			deliverySelect+` WHERE subscription_id = ? ORDER BY created_at DESC, change_seq DESC LIMIT ?`, subscriptionID, limit)
	}
	// Keyset: the order's key of before, read from its row, so that the
	// stored values are compared with stored values.
	return queryAll(ctx, s, scanDelivery, "deliveries",
		deliverySelect+` WHERE subscription_id = ? AND (created_at, change_seq) <
	(SELECT created_at, change_seq FROM webhook_deliveries WHERE id = ? AND subscription_id = ?)
ORDER BY created_at DESC, change_seq DESC LIMIT ?`, subscriptionID, before, subscriptionID, limit)
}

// LastChange returns the newest sequence of the change feed, 0 when empty.
func (s *DB) LastChange(ctx context.Context) (int64, error) {
	var seq sql.NullInt64
	if err := s.read.QueryRowContext(ctx, `SELECT MAX(seq) FROM record_changes`).Scan(&seq); err != nil {
		return 0, fmt.Errorf("reading the change feed: %w", err)
	}
	return seq.Int64, nil
}
