package gate

import (
	"context"
	"fmt"

	"socle"
)

// createOnce prepares the Idempotency-Key of a create (idempotentCreate)
// whose resource read finds again. On a replay it reads the first
// result into *created and says so (replayed): the caller answers it
// instead of creating twice. Otherwise it returns the record the store
// keeps in the create's transaction (nil without a key).
func createOnce[T any](ctx context.Context, g *Gate, req Request, operation string, asked any,
	read func(context.Context, string) (*T, error), created *T) (idem *socle.IdempotencyRecord, replayed bool, err error) {
	idem, prev, err := g.idempotentCreate(ctx, req, operation, asked)
	if err != nil || prev == nil {
		return idem, false, err
	}
	first, err := read(ctx, prev.ResourceID)
	if err != nil {
		return nil, false, fmt.Errorf("reading what the replayed %s made: %w", operation, err)
	}
	*created = *first
	return nil, true, nil
}
