package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"socle"
)

var _ socle.PersonWriter = (*DB)(nil)

// inTx runs fn in a write transaction and commits it; any error rolls
// everything back. what names the write in errors.
func (s *DB) inTx(ctx context.Context, what string, fn func(tx *sql.Tx) error) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s: beginning the transaction: %w", what, err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return s.commit(tx, what)
}

// RegisterPerson stores the person, her provenance, the follow-up of the
// organisation that registers her and the idempotency record in one
// transaction.
func (s *DB) RegisterPerson(ctx context.Context, p *socle.Person, prov []socle.Provenance, f *socle.Followup, idem *socle.IdempotencyRecord) error {
	if f != nil {
		if err := f.Validate(); err != nil {
			return err
		}
	}
	return s.inTx(ctx, "registering person", func(tx *sql.Tx) error {
		if err := s.createPerson(ctx, tx, p); err != nil {
			return err
		}
		if err := s.addProvenance(ctx, tx, prov); err != nil {
			return err
		}
		if f != nil {
			prepareFollowup(f)
			names := personNames{NormalizeName(p.Identity.FamilyName), NormalizeName(p.Identity.GivenName)}
			if _, err := tx.ExecContext(ctx, s.insertSQL(Table{Name: "followups", Columns: followupColumns}, 1), followupRow(f, names)...); err != nil {
				return s.fail(err, "follow-up")
			}
		}
		if idem != nil {
			idem.ResourceID, idem.PersonID = p.ID, p.ID
			return s.putIdempotency(ctx, tx, idem)
		}
		return nil
	})
}

// UpdatePersonSupplied updates the person and records the provenance of
// the sections written in one transaction.
func (s *DB) UpdatePersonSupplied(ctx context.Context, p *socle.Person, granted socle.CategorySet, prov []socle.Provenance) error {
	return keepVersionOnError(p, func() error {
		return s.inTx(ctx, "updating person", func(tx *sql.Tx) error {
			if err := s.updatePerson(ctx, tx, p, granted); err != nil {
				return err
			}
			return s.addProvenance(ctx, tx, prov)
		})
	})
}

// putIdempotency stores the record in tx. A key of the principal stored
// within the window is ECONFLICT; an older one is replaced.
func (s *DB) putIdempotency(ctx context.Context, tx *sql.Tx, r *socle.IdempotencyRecord) error {
	if !socle.ValidIdempotencyKey(r.Key) {
		return socle.Errorf(socle.EINVALID, "Idempotency-Key: 1 to 255 visible ASCII characters")
	}
	r.CreatedAt = now()
	if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM idempotency_keys WHERE created_at < ?`), r.CreatedAt.Add(-socle.IdempotencyWindow)); err != nil {
		return s.fail(err, "purging idempotency keys")
	}
	return s.execOne(ctx, tx, "idempotency key", socle.Errorf(socle.ECONFLICT, "Idempotency-Key: already used by a request being processed or made; retry to get its result"),
		`INSERT INTO idempotency_keys (principal, key, operation, request_hash, resource_id, person_id, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (principal, key) DO UPDATE SET operation = excluded.operation, request_hash = excluded.request_hash,
	resource_id = excluded.resource_id, person_id = excluded.person_id, created_at = excluded.created_at, status = 0, location = ''
WHERE idempotency_keys.created_at < ?`,
		r.Principal, r.Key, r.Operation, r.RequestHash, r.ResourceID, r.PersonID, r.CreatedAt, r.CreatedAt.Add(-socle.IdempotencyWindow))
}

// Idempotency returns the principal's record of key from the window.
func (s *DB) Idempotency(ctx context.Context, principal, key string) (*socle.IdempotencyRecord, error) {
	r := socle.IdempotencyRecord{Principal: principal, Key: key}
	err := s.read.QueryRowContext(ctx, s.q(`SELECT operation, request_hash, resource_id, person_id, created_at, status, location FROM idempotency_keys
WHERE principal = ? AND key = ? AND created_at >= ?`), principal, key, now().Add(-socle.IdempotencyWindow)).
		Scan(&r.Operation, &r.RequestHash, &r.ResourceID, &r.PersonID, scanTime(&r.CreatedAt), &r.Status, &r.Location)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("idempotency key")
	} else if err != nil {
		return nil, fmt.Errorf("reading idempotency key: %w", err)
	}
	return &r, nil
}
