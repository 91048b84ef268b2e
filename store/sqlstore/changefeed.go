package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"socle"
)

var _ socle.ChangeFeed = (*DB)(nil)

// recordChange appends a change of the record to the feed in tx, the
// transaction of the write, with the record's next version.
func (s *DB) recordChange(ctx context.Context, tx *sql.Tx, kind socle.ResourceKind, id string) error {
	if id == "" {
		return nil // an event of no person
	}
	if s.d.ChangeLock != "" {
		if _, err := tx.ExecContext(ctx, s.d.ChangeLock); err != nil {
			return fmt.Errorf("recording the change of %s: locking the feed: %w", kind, err)
		}
	}
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO record_changes (kind, ref, version, at)
SELECT ?, ?, COALESCE(MAX(version), 0) + 1, ? FROM record_changes WHERE kind = ? AND ref = ?`),
		string(kind), id, now(), string(kind), id)
	if err != nil {
		return fmt.Errorf("recording the change of %s: %w", kind, err)
	}
	return nil
}

// Changes returns at most limit changes after the sequence number after,
// in order.
func (s *DB) Changes(ctx context.Context, after int64, limit int) ([]socle.RecordChange, error) {
	if limit <= 0 {
		return nil, nil
	}
	return queryAll(ctx, s, scanRecordChange, "changes",
		`SELECT seq, kind, ref, version, at FROM record_changes WHERE seq > ? ORDER BY seq LIMIT ?`, after, limit)
}

func scanRecordChange(sc rowScanner) (socle.RecordChange, error) {
	var c socle.RecordChange
	var kind string
	err := sc.Scan(&c.Seq, &kind, &c.ID, &c.Version, scanTime(&c.At))
	c.Kind = socle.ResourceKind(kind)
	return c, err
}
