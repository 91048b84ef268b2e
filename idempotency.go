package socle

import (
	"context"
	"time"
)

// IdempotentAnswers keeps what identifies the result of every create made
// with an Idempotency-Key (status, Location, resource id; never the
// answer's body), so that a retry is answered without creating twice (the
// API's convention, docs/api.md). Expired keys are purged on every
// reservation; a person's erasure removes the keys of creates about her.
type IdempotentAnswers interface {
	// ReserveIdempotency stores r, without answer, as being processed,
	// unless the principal's key is already in the window: then it stores
	// nothing and returns that record (being processed when its Status is
	// 0).
	ReserveIdempotency(ctx context.Context, r *IdempotencyRecord) (prev *IdempotencyRecord, err error)
	// CompleteIdempotency stores the result (Status, Location, ResourceID,
	// PersonID) of the reserved r.
	CompleteIdempotency(ctx context.Context, r *IdempotencyRecord) error
	// ReleaseIdempotency forgets the principal's reserved key whose create
	// failed, so that it can be retried.
	ReleaseIdempotency(ctx context.Context, principal, key string) error
	// PurgeIdempotency deletes the keys stored before before and returns
	// how many.
	PurgeIdempotency(ctx context.Context, before time.Time) (int64, error)
}
