package socle

import (
	"context"
	"time"
)

// Subscription is a partner system's request to be told, by a signed HTTP
// POST to URL, of the changes of the records it may read for Purpose. The
// deliveries carry references only (RecordChange), never data.
type Subscription struct {
	ID       string    `json:"id"`
	ClientID string    `json:"client_id"`
	URL      string    `json:"url"`
	Purpose  string    `json:"purpose"`
	Created  time.Time `json:"created_at"`
	// Cursor is the last change of the feed already turned into
	// deliveries for this subscription.
	Cursor int64 `json:"-"`
}

// Statuses of a Delivery.
const (
	DeliveryPending   = "pending"   // waiting for its next attempt
	DeliveryDelivered = "delivered" // the receiver answered 2xx
	DeliveryFailed    = "failed"    // no 2xx within the retry window
)

// Delivery is one change to send to one subscription, with its attempts:
// the delivery log.
type Delivery struct {
	ID             string       `json:"id"`
	SubscriptionID string       `json:"subscription_id"`
	Change         RecordChange `json:"change"`
	Status         string       `json:"status"`
	Attempts       int          `json:"attempts"`
	// NextAt is when the next attempt is due, while pending.
	NextAt time.Time `json:"next_attempt_at,omitzero"`
	// LastStatus and LastError describe the last attempt: the receiver's
	// HTTP status, or why there was none.
	LastStatus  int       `json:"last_status,omitempty"`
	LastError   string    `json:"last_error,omitempty"`
	DeliveredAt time.Time `json:"delivered_at,omitzero"`
	Created     time.Time `json:"created_at"`
}

// WebhookStore keeps subscriptions and their persisted delivery queue, so
// that a restart loses no delivery.
type WebhookStore interface {
	// CreateSubscription stores a new subscription.
	CreateSubscription(ctx context.Context, s *Subscription) error
	// Subscription returns the subscription with that id, ENOTFOUND if none.
	Subscription(ctx context.Context, id string) (*Subscription, error)
	// Subscriptions lists the subscriptions of a client, or every one when
	// clientID is "".
	Subscriptions(ctx context.Context, clientID string) ([]*Subscription, error)
	// DeleteSubscription deletes a subscription and its deliveries,
	// ENOTFOUND if none.
	DeleteSubscription(ctx context.Context, id string) error
	// EnqueueDeliveries stores the deliveries and moves the subscription's
	// cursor to cursor in one transaction, so that a change is queued once.
	EnqueueDeliveries(ctx context.Context, subscriptionID string, cursor int64, ds []*Delivery) error
	// DueDeliveries returns at most limit pending deliveries due at now,
	// oldest first.
	DueDeliveries(ctx context.Context, now time.Time, limit int) ([]*Delivery, error)
	// UpdateDelivery stores the outcome of an attempt (status, attempts,
	// next attempt, last status and error, delivered time).
	UpdateDelivery(ctx context.Context, d *Delivery) error
	// Delivery returns the delivery with that id, ENOTFOUND if none.
	Delivery(ctx context.Context, id string) (*Delivery, error)
	// Deliveries lists the deliveries of a subscription, newest first (by
	// creation, then change sequence): the first limit of them, or with
	// before, the id of a delivery of the subscription, those that come
	// after it in that order (the next page of the log).
	Deliveries(ctx context.Context, subscriptionID, before string, limit int) ([]*Delivery, error)
	// LastChange returns the sequence of the newest change of the feed (0
	// when empty), so that a deliverer reads the feed only when it moved.
	LastChange(ctx context.Context) (int64, error)
}
