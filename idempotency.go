package socle

import "context"

// IdempotentAnswers keeps the first answer of every create made with an
// Idempotency-Key, so that a retry is answered the same without creating
// twice (the API's convention, docs/api.md).
type IdempotentAnswers interface {
	// ReserveIdempotency stores r, without answer, as being processed,
	// unless the principal's key is already in the window: then it stores
	// nothing and returns that record (being processed when its Status is
	// 0).
	ReserveIdempotency(ctx context.Context, r *IdempotencyRecord) (prev *IdempotencyRecord, err error)
	// CompleteIdempotency stores the answer (Status, Location, Answer) of
	// the reserved r.
	CompleteIdempotency(ctx context.Context, r *IdempotencyRecord) error
	// ReleaseIdempotency forgets the principal's reserved key whose create
	// failed, so that it can be retried.
	ReleaseIdempotency(ctx context.Context, principal, key string) error
}
