package gate

import (
	"context"
	"fmt"

	"socle"
)

// Answers keeps the first answer of each create made with an
// Idempotency-Key, for the HTTP layer's httpx.Idempotent: a retry of the
// same request by the same principal within socle.IdempotencyWindow gets
// that answer again and creates nothing. An answer is replayed only to
// the principal whose create produced it, and only within the window: it
// discloses nothing that principal was not given, so a replay is not a new
// access (the create itself went through the gate and was audited).
type Answers struct {
	store socle.IdempotentAnswers // never nil
}

// Answers returns the keeper of the creates' first answers.
func (g *Gate) Answers() *Answers { return &Answers{store: g.store} }

// Reserve marks the actor's key as being processed for the request of
// operation hashed as hash. When the key is already in the window it
// returns its record instead: being processed (Status 0) or answered;
// a record of another request (operation or hash) is the caller's to
// refuse.
func (a *Answers) Reserve(ctx context.Context, actor socle.Actor, key, operation, hash string) (*socle.IdempotencyRecord, error) {
	if !actor.Authenticated() {
		return nil, socle.Errorf(socle.EUNAUTHENTICATED, "authentication required")
	}
	if !socle.ValidIdempotencyKey(key) {
		return nil, socle.Errorf(socle.EINVALID, "Idempotency-Key: 1 to 255 visible ASCII characters")
	}
	prev, err := a.store.ReserveIdempotency(ctx, &socle.IdempotencyRecord{Principal: PrincipalKey(actor), Key: key, Operation: operation, RequestHash: hash})
	if err != nil {
		return nil, fmt.Errorf("reserving the Idempotency-Key: %w", err)
	}
	return prev, nil
}

// Complete keeps the answer of the actor's create made with key.
func (a *Answers) Complete(ctx context.Context, actor socle.Actor, key string, status int, location string, body []byte) error {
	if err := a.store.CompleteIdempotency(ctx, &socle.IdempotencyRecord{Principal: PrincipalKey(actor), Key: key,
		Status: status, Location: location, Answer: body}); err != nil {
		return fmt.Errorf("keeping the answer of the Idempotency-Key: %w", err)
	}
	return nil
}

// Release forgets the actor's key whose create failed, so that a retry
// runs it again.
func (a *Answers) Release(ctx context.Context, actor socle.Actor, key string) error {
	if err := a.store.ReleaseIdempotency(ctx, PrincipalKey(actor), key); err != nil {
		return fmt.Errorf("releasing the Idempotency-Key: %w", err)
	}
	return nil
}
