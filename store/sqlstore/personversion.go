package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"socle"
)

// updateVersioned runs the UPDATE of a person (query ends with "WHERE id
// = ?") in tx, only while the file is at version when version is not 0:
// an update made from a stale copy is ESTALE, never applied over another
// adviser's write.
func (s *DB) updateVersioned(ctx context.Context, tx *sql.Tx, query, id string, version int64, args ...any) error {
	if version == 0 {
		return s.updateOne(ctx, tx, "person", query, args...)
	}
	res, err := tx.ExecContext(ctx, s.q(query+` AND version = ?`), append(args, version)...)
	if err != nil {
		return s.fail(err, "person")
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("updating person: %w", err)
	} else if n == 1 {
		return nil
	}
	var current int64
	err = tx.QueryRowContext(ctx, s.q(`SELECT version FROM persons WHERE id = ?`), id).Scan(&current)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("person")
	} else if err != nil {
		return fmt.Errorf("reading person version: %w", err)
	}
	return socle.Errorf(socle.ESTALE, "person: the file is at version %d, not %d: it was changed since it was read", current, version)
}

// keepVersionOnError runs the transaction tx that updates p; when it
// fails, p keeps the version it came with, so that a retry is made from
// the same copy.
func keepVersionOnError(p *socle.Person, tx func() error) error {
	version := p.Version
	err := tx()
	if err != nil {
		p.Version = version
	}
	return err
}

var _ socle.RectificationApplier = (*DB)(nil)

// ApplyRectification corrects the file, records who supplied the
// correction and answers the request in one transaction.
func (s *DB) ApplyRectification(ctx context.Context, p *socle.Person, granted socle.CategorySet, prov []socle.Provenance, r *socle.RectificationRequest) error {
	if r.PersonID != p.ID {
		return socle.Errorf(socle.EINVALID, "rectification request: of another person")
	}
	return keepVersionOnError(p, func() error {
		return s.inTx(ctx, "applying rectification", func(tx *sql.Tx) error {
			if err := s.updatePerson(ctx, tx, p, granted); err != nil {
				return err
			}
			if err := s.addProvenance(ctx, tx, prov); err != nil {
				return err
			}
			return s.answerRectification(ctx, tx, r)
		})
	})
}
