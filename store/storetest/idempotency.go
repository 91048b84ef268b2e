package storetest

import (
	"bytes"
	"context"
	"testing"

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

	first.Status, first.Location, first.Answer, first.ResourceID = 201, "/api/v1/events/e", []byte(`{"id":"e"}`), "e"
	must(t, s.CompleteIdempotency(ctx, first))
	prev, err = s.ReserveIdempotency(ctx, &again)
	must(t, err)
	if prev == nil || prev.Status != 201 || prev.Location != "/api/v1/events/e" || !bytes.Equal(prev.Answer, first.Answer) || prev.ResourceID != "e" {
		t.Fatalf("a completed key: %+v, want its answer", prev)
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
