package storetest

import (
	"context"
	"testing"
	"time"

	"socle"
	"socle/store/sqlstore"
)

// testWebhooks checks the subscriptions and their delivery queue: a cursor
// moves once per change (a second queueing of the same changes is
// ECONFLICT), due deliveries come by time, an attempt's outcome is kept,
// and deleting a subscription deletes its deliveries.
func testWebhooks(t *testing.T, s *sqlstore.DB) {
	ctx := context.Background()
	if last, err := s.LastChange(ctx); err != nil || last != 0 {
		t.Fatalf("LastChange of an empty feed = %d, %v", last, err)
	}
	p := NewPerson(51)
	must(t, s.CreatePerson(ctx, p))
	changes, err := s.Changes(ctx, 0, 10)
	must(t, err)
	if last, err := s.LastChange(ctx); err != nil || last != changes[0].Seq {
		t.Fatalf("LastChange = %d, %v, want %d", last, err, changes[0].Seq)
	}

	sub := &socle.Subscription{ClientID: "cli_a", URL: "https://partenaire.example.fr/hook", Purpose: "accompagnement"}
	must(t, s.CreateSubscription(ctx, sub))
	must(t, s.CreateSubscription(ctx, &socle.Subscription{ClientID: "cli_b", URL: "https://b.example.fr/", Purpose: "orientation"}))
	if subs, err := s.Subscriptions(ctx, "cli_a"); err != nil || len(subs) != 1 || subs[0].ID != sub.ID || subs[0].URL != sub.URL {
		t.Fatalf("Subscriptions(cli_a) = %+v, %v", subs, err)
	}
	if subs, err := s.Subscriptions(ctx, ""); err != nil || len(subs) != 2 {
		t.Fatalf("every subscription: %d, %v", len(subs), err)
	}

	now := time.Now().UTC().Truncate(time.Second)
	d := &socle.Delivery{Change: changes[0], Status: socle.DeliveryPending, NextAt: now, Created: now}
	must(t, s.EnqueueDeliveries(ctx, sub.ID, changes[0].Seq, []*socle.Delivery{d}))
	if err := s.EnqueueDeliveries(ctx, sub.ID, changes[0].Seq, []*socle.Delivery{{Change: changes[0], Status: socle.DeliveryPending, NextAt: now, Created: now}}); socle.ErrorCode(err) != socle.ECONFLICT {
		t.Fatalf("queueing the same changes twice: %v", err)
	}
	got, err := s.Subscription(ctx, sub.ID)
	must(t, err)
	if got.Cursor != changes[0].Seq {
		t.Errorf("cursor = %d, want %d", got.Cursor, changes[0].Seq)
	}
	if due, err := s.DueDeliveries(ctx, now.Add(-time.Second), 10); err != nil || len(due) != 0 {
		t.Errorf("due before their time: %+v, %v", due, err)
	}
	due, err := s.DueDeliveries(ctx, now, 10)
	must(t, err)
	if len(due) != 1 || due[0].ID != d.ID || due[0].Change != changes[0] || !due[0].NextAt.Equal(now) {
		t.Fatalf("due = %+v, want %+v", due, d)
	}

	d.Attempts, d.LastStatus, d.LastError, d.NextAt = 1, 503, "the receiver answered 503", now.Add(time.Minute)
	must(t, s.UpdateDelivery(ctx, d))
	if due, err := s.DueDeliveries(ctx, now.Add(59*time.Second), 10); err != nil || len(due) != 0 {
		t.Errorf("due before the retry: %+v, %v", due, err)
	}
	d.Attempts, d.Status, d.NextAt, d.DeliveredAt = 2, socle.DeliveryDelivered, time.Time{}, now.Add(time.Minute)
	must(t, s.UpdateDelivery(ctx, d))
	log, err := s.Deliveries(ctx, sub.ID, "", 10)
	must(t, err)
	if len(log) != 1 || log[0].Status != socle.DeliveryDelivered || log[0].Attempts != 2 || log[0].LastStatus != 503 ||
		!log[0].NextAt.IsZero() || !log[0].DeliveredAt.Equal(now.Add(time.Minute)) {
		t.Errorf("delivery log = %+v", log)
	}
	if due, err := s.DueDeliveries(ctx, now.Add(time.Hour), 10); err != nil || len(due) != 0 {
		t.Errorf("a delivered one is due: %+v, %v", due, err)
	}

	must(t, s.DeleteSubscription(ctx, sub.ID))
	if _, err := s.Delivery(ctx, d.ID); socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Errorf("a delivery outlived its subscription: %v", err)
	}
	if err := s.DeleteSubscription(ctx, sub.ID); socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Errorf("deleting twice: %v", err)
	}
}
