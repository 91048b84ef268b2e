package gate

import (
	"context"
	"fmt"

	"socle"
)

// Answers keeps what identifies the result of each create made with an
// Idempotency-Key, for the HTTP layer's httpx.Idempotent: a retry of the
// same request by the same principal within socle.IdempotencyWindow
// creates nothing and is answered from the resource read again. Only the
// operation, the request's hash, the created resource's id, the person it
// is about, the status and the Location are kept, never the answer's
// body: personal data lives only in the sealed records, and a replay that
// shows it reads it through the gate (decided, masked, audited like any
// read). Expired keys are purged on every reservation; the erasure of a
// person removes the keys of creates about her.
//
// Two mechanisms share the table: this one wraps the creates of services
// of every kind (the gate's, cases, declarations, webhooks) at the HTTP
// layer, while the gate's own creates of personal data (persons, notes,
// slots, appointments, orientation requests; gate/idempotency.go) keep
// their key in the create's own transaction, so that a create and its key
// are never apart, and answer a replay through the gate's access path.
// Moving the latter here would lose that atomicity.
type Answers struct {
	store socle.IdempotentAnswers // never nil
}

// Answers returns the keeper of the creates' results.
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

// Created is what identifies the result of a create: never its body.
type Created struct {
	Status     int
	Location   string
	ResourceID string
	// PersonID is the person the create is about, if any.
	PersonID string
}

// Complete keeps what identifies the result of the actor's create made
// with key.
func (a *Answers) Complete(ctx context.Context, actor socle.Actor, key string, c Created) error {
	if err := a.store.CompleteIdempotency(ctx, &socle.IdempotencyRecord{Principal: PrincipalKey(actor), Key: key,
		Status: c.Status, Location: c.Location, ResourceID: c.ResourceID, PersonID: c.PersonID}); err != nil {
		return fmt.Errorf("keeping the result of the Idempotency-Key: %w", err)
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
