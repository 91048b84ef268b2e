package sqlstore

import (
	"context"
	"fmt"
	"time"

	"socle"
)

// ReserveIdempotency stores r as being processed unless the principal's
// key is in the window (socle.IdempotentAnswers); an older key is
// replaced.
func (s *DB) ReserveIdempotency(ctx context.Context, r *socle.IdempotencyRecord) (*socle.IdempotencyRecord, error) {
	if !socle.ValidIdempotencyKey(r.Key) {
		return nil, socle.Errorf(socle.EINVALID, "Idempotency-Key: 1 to 255 visible ASCII characters")
	}
	r.CreatedAt, r.Status, r.Location = now(), 0, ""
	// Expired keys go on write: a key outlives its window by at most the
	// time to the next create.
	if _, err := s.PurgeIdempotency(ctx, r.CreatedAt.Add(-socle.IdempotencyWindow)); err != nil {
		return nil, err
	}
	res, err := s.write.ExecContext(ctx, s.q(`INSERT INTO idempotency_keys (principal, key, operation, request_hash, resource_id, person_id, created_at, status, location)
VALUES (?, ?, ?, ?, ?, ?, ?, 0, '')
ON CONFLICT (principal, key) DO UPDATE SET operation = excluded.operation, request_hash = excluded.request_hash,
	resource_id = excluded.resource_id, person_id = excluded.person_id, created_at = excluded.created_at, status = 0, location = ''
WHERE idempotency_keys.created_at < ?`),
		r.Principal, r.Key, r.Operation, r.RequestHash, r.ResourceID, r.PersonID, r.CreatedAt, r.CreatedAt.Add(-socle.IdempotencyWindow))
	if err != nil {
		return nil, s.fail(err, "reserving idempotency key")
	}
	if n, err := res.RowsAffected(); err != nil {
		return nil, fmt.Errorf("reserving idempotency key: %w", err)
	} else if n == 1 {
		return nil, nil
	}
	prev, err := s.Idempotency(ctx, r.Principal, r.Key)
	if socle.ErrorCode(err) == socle.ENOTFOUND {
		// Released between the insert and the read: the first request
		// failed; this one may retry.
		return nil, socle.Errorf(socle.ECONFLICT, "Idempotency-Key: a request with this key has just failed; retry")
	}
	return prev, err
}

// CompleteIdempotency stores the result of the reserved record.
func (s *DB) CompleteIdempotency(ctx context.Context, r *socle.IdempotencyRecord) error {
	return s.execOne(ctx, s.write, "completing idempotency key", notFound("idempotency key being processed"),
		`UPDATE idempotency_keys SET status = ?, location = ?, resource_id = ?, person_id = ?
WHERE principal = ? AND key = ? AND status = 0`, r.Status, r.Location, r.ResourceID, r.PersonID, r.Principal, r.Key)
}

// ReleaseIdempotency forgets a key still being processed.
func (s *DB) ReleaseIdempotency(ctx context.Context, principal, key string) error {
	if _, err := s.write.ExecContext(ctx, s.q(`DELETE FROM idempotency_keys WHERE principal = ? AND key = ? AND status = 0`), principal, key); err != nil {
		return s.fail(err, "releasing idempotency key")
	}
	return nil
}

// PurgeIdempotency deletes the keys stored before before.
func (s *DB) PurgeIdempotency(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.write.ExecContext(ctx, s.q(`DELETE FROM idempotency_keys WHERE created_at < ?`), before)
	if err != nil {
		return 0, s.fail(err, "purging idempotency keys")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("purging idempotency keys: %w", err)
	}
	return n, nil
}
