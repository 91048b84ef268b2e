package gate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"socle"
)

// idempotentCreate prepares the Idempotency-Key of a create: without a key
// it returns nothing; with a key already used by the same principal for
// the same request it returns the first result (replayed), which the
// caller answers again instead of creating twice; with a key used for a
// different request it fails (ECONFLICT). Otherwise it returns the record
// the store keeps in the create's transaction.
func (g *Gate) idempotentCreate(ctx context.Context, req Request, operation string, body any) (idem, replayed *socle.IdempotencyRecord, err error) {
	if req.IdempotencyKey == "" {
		return nil, nil, nil
	}
	if !socle.ValidIdempotencyKey(req.IdempotencyKey) {
		return nil, nil, socle.Errorf(socle.EINVALID, "Idempotency-Key: 1 to 255 visible ASCII characters")
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, nil, fmt.Errorf("hashing the request: %w", err)
	}
	sum := sha256.Sum256(b)
	idem = &socle.IdempotencyRecord{Principal: PrincipalKey(req.Actor), Key: req.IdempotencyKey, Operation: operation, RequestHash: hex.EncodeToString(sum[:])}
	prev, err := g.store.Idempotency(ctx, idem.Principal, idem.Key)
	switch {
	case socle.ErrorCode(err) == socle.ENOTFOUND:
		return idem, nil, nil
	case err != nil:
		return nil, nil, fmt.Errorf("reading the Idempotency-Key: %w", err)
	case prev.Operation != idem.Operation || prev.RequestHash != idem.RequestHash:
		return nil, nil, socle.Errorf(socle.ECONFLICT, "Idempotency-Key: already used for a different request")
	}
	return nil, prev, nil
}
