package storetest

import (
	"context"
	"testing"
	"time"

	"socle"
	"socle/store/sqlstore"
)

// testIdempotentAnswers checks the life of a key: reserved once, the
// reservation seen by a second request, completed with its answer, or
// released so that a failed create can be retried.
func testIdempotentAnswers(t *testing.T, s *sqlstore.DB) {
	ctx := context.Background()
	rec := func(key string) *socle.IdempotencyRecord {
		return &socle.IdempotencyRecord{Principal: "client:" + socle.NewID(socle.PrefixAgent), Key: key,
			Operation: "POST /api/v1/persons/x/events", RequestHash: "h1"}
	}

	first := rec("k-1")
	prev, err := s.ReserveIdempotency(ctx, first)
	must(t, err)
	if prev != nil {
		t.Fatalf("a new key: previous record %+v", prev)
	}
	again := *first
	again.RequestHash = "h2"
	prev, err = s.ReserveIdempotency(ctx, &again)
	must(t, err)
	if prev == nil || prev.Status != 0 || prev.RequestHash != "h1" {
		t.Fatalf("a key being processed: %+v, want the first reservation", prev)
	}

	first.Status, first.Location, first.ResourceID, first.PersonID = 201, "/api/v1/events/e", "e", "pe_x"
	must(t, s.CompleteIdempotency(ctx, first))
	prev, err = s.ReserveIdempotency(ctx, &again)
	must(t, err)
	if prev == nil || prev.Status != 201 || prev.Location != "/api/v1/events/e" || prev.ResourceID != "e" || prev.PersonID != "pe_x" {
		t.Fatalf("a completed key: %+v, want what identifies its result", prev)
	}
	wantCode(t, s.CompleteIdempotency(ctx, first), socle.ENOTFOUND)

	// A released key (the create failed) is reserved again by a retry.
	failed := rec("k-2")
	_, err = s.ReserveIdempotency(ctx, failed)
	must(t, err)
	must(t, s.ReleaseIdempotency(ctx, failed.Principal, failed.Key))
	if prev, err = s.ReserveIdempotency(ctx, failed); err != nil || prev != nil {
		t.Fatalf("a released key: %+v, %v; want a new reservation", prev, err)
	}
	// A completed key is not released.
	must(t, s.ReleaseIdempotency(ctx, first.Principal, first.Key))
	if r, err := s.Idempotency(ctx, first.Principal, first.Key); err != nil || r.Status != 201 {
		t.Fatalf("a completed key after release: %+v, %v", r, err)
	}
	wantCode(t, func() error { _, err := s.ReserveIdempotency(ctx, rec("")); return err }(), socle.EINVALID)
}

// testIdempotencyPurge checks that expired keys are deleted, by the purge
// and by the next reservation, and that a person's erasure deletes the
// keys of creates about her.
func testIdempotencyPurge(t *testing.T, s *sqlstore.DB) {
	ctx := context.Background()
	principal := "agent:" + socle.NewID(socle.PrefixAgent)
	old := &socle.IdempotencyRecord{Principal: principal, Key: "old", Operation: "POST /x", RequestHash: "h"}
	_, err := s.ReserveIdempotency(ctx, old)
	must(t, err)
	time.Sleep(10 * time.Millisecond)
	cut := time.Now()
	time.Sleep(10 * time.Millisecond) // the key stored after cut must stay
	young := &socle.IdempotencyRecord{Principal: principal, Key: "young", Operation: "POST /x", RequestHash: "h"}
	_, err = s.ReserveIdempotency(ctx, young)
	must(t, err)
	n, err := s.PurgeIdempotency(ctx, cut)
	must(t, err)
	if n < 1 {
		t.Errorf("purge before %s deleted %d keys, want at least the old one", cut, n)
	}
	_, err = s.Idempotency(ctx, principal, "old")
	wantCode(t, err, socle.ENOTFOUND)
	if _, err := s.Idempotency(ctx, principal, "young"); err != nil {
		t.Fatalf("a key stored after the cut was purged: %v", err)
	}
	// Past the window every key goes.
	if _, err := s.PurgeIdempotency(ctx, time.Now().Add(socle.IdempotencyWindow)); err != nil {
		t.Fatal(err)
	}
	_, err = s.Idempotency(ctx, principal, "young")
	wantCode(t, err, socle.ENOTFOUND)

	// Erasure: the registration's key and a create about her go; another
	// person's key stays.
	org := createOrganisation(t, s, "Mission Locale de Vienne", socle.KindYouth, "38")
	agent := createAgent(t, s, org.ID, "paul@ml-vienne.fr")
	register := func(i int, key string) *socle.Person {
		p := NewPerson(i)
		p.ID = socle.NewID(socle.PrefixPerson)
		must(t, s.RegisterPerson(ctx, p, nil, &socle.Followup{PersonID: p.ID, OrganisationID: org.ID, AgentID: agent.ID, Start: socle.NewDate(2026, 1, 5)},
			&socle.IdempotencyRecord{Principal: "agent:" + agent.ID, Key: key, Operation: "create_person", RequestHash: key}))
		return p
	}
	erased, kept := register(31, "reg-erased"), register(32, "reg-kept")
	about := &socle.IdempotencyRecord{Principal: "agent:" + agent.ID, Key: "event-erased", Operation: "POST /x", RequestHash: "h"}
	_, err = s.ReserveIdempotency(ctx, about)
	must(t, err)
	about.Status, about.ResourceID, about.PersonID = 201, "ev_1", erased.ID
	must(t, s.CompleteIdempotency(ctx, about))
	must(t, s.ErasePerson(ctx, erased.ID))
	for _, key := range []string{"reg-erased", "event-erased"} {
		_, err := s.Idempotency(ctx, "agent:"+agent.ID, key)
		wantCode(t, err, socle.ENOTFOUND)
	}
	if rec, err := s.Idempotency(ctx, "agent:"+agent.ID, "reg-kept"); err != nil || rec.PersonID != kept.ID {
		t.Fatalf("another person's key after an erasure: %+v, %v", rec, err)
	}
}
