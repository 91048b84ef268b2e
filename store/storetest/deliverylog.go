package storetest

import (
	"context"
	"testing"
	"time"

	"socle"
	"socle/store/sqlstore"
)

// testDeliveryLogPages checks the pages of a delivery log: newest first,
// each page after the last delivery of the previous one, none repeated nor
// skipped, deliveries created in the same instant ordered by change.
func testDeliveryLogPages(t *testing.T, s *sqlstore.DB) {
	ctx := context.Background()
	sub := &socle.Subscription{ClientID: "cli_pages", URL: "https://partenaire.example.fr/hook", Purpose: "accompagnement"}
	must(t, s.CreateSubscription(ctx, sub))
	for i := range 5 {
		must(t, s.CreatePerson(ctx, NewPerson(70+i)))
	}
	changes, err := s.Changes(ctx, 0, 100)
	must(t, err)
	changes = changes[len(changes)-5:]
	now := time.Now().UTC().Truncate(time.Second)
	var want []string // newest first
	for i, c := range changes {
		// Two deliveries share each instant: the change orders them.
		d := &socle.Delivery{Change: c, Status: socle.DeliveryPending, NextAt: now, Created: now.Add(time.Duration(i/2) * time.Second)}
		must(t, s.EnqueueDeliveries(ctx, sub.ID, c.Seq, []*socle.Delivery{d}))
		want = append([]string{d.ID}, want...)
	}
	var got []string
	before := ""
	for range 10 {
		page, err := s.Deliveries(ctx, sub.ID, before, 2)
		must(t, err)
		for _, d := range page {
			got = append(got, d.ID)
		}
		if len(page) < 2 {
			break
		}
		before = page[len(page)-1].ID
	}
	if len(got) != len(want) {
		t.Fatalf("pages listed %d deliveries, want %d: %v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("pages listed %v, want %v (newest first)", got, want)
		}
	}
	if page, err := s.Deliveries(ctx, sub.ID, "dlv_unknown", 2); err != nil || len(page) != 0 {
		t.Errorf("after an unknown delivery: %+v, %v; want an empty page", page, err)
	}
}
