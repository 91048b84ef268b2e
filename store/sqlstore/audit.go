package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"socle/audit"
)

// AuditLog is the audit.Storage of the journal des accès in the same
// database as the records it protects.
type AuditLog struct{ db *DB }

var _ audit.Storage = AuditLog{}

// AuditLog returns the audit storage of s.
func (s *DB) AuditLog() AuditLog { return AuditLog{s} }

// Size returns the number of entries.
func (a AuditLog) Size(ctx context.Context) (uint64, error) {
	var n int64
	if err := a.db.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(idx) + 1, 0) FROM audit_entries`).Scan(&n); err != nil {
		return 0, fmt.Errorf("audit size: %w", err)
	}
	return uint64(n), nil
}

// AppendBatch inserts records as entries first… in one transaction, after
// checking that first is the next index: two writers can never interleave.
// The transaction also fills the search index (audit_index.go).
func (a AuditLog) AppendBatch(ctx context.Context, first uint64, records []audit.Record) error {
	tx, err := a.db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("audit append: %w", err)
	}
	defer tx.Rollback()
	var next int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(idx) + 1, 0) FROM audit_entries`).Scan(&next); err != nil {
		return fmt.Errorf("audit append: %w", err)
	}
	if uint64(next) != first {
		return fmt.Errorf("audit append: batch starts at %d but the log holds %d entries", first, next)
	}
	t := Table{Name: "audit_entries", Columns: []string{"idx", "leaf", "hashes"}, Rows: make([][]any, len(records))}
	ix := Table{Name: "audit_index", Columns: auditIndexColumns, Rows: make([][]any, len(records))}
	blocks := auditBlocks{}
	for i, r := range records {
		idx := int64(first) + int64(i)
		t.Rows[i] = []any{idx, r.Leaf, r.Hashes}
		e, at, row, err := indexEntry(idx, r.Leaf)
		if err != nil {
			return fmt.Errorf("audit append: %w", err)
		}
		ix.Rows[i] = row
		blocks.add(idx, at, &e)
	}
	if err := a.db.insertRows(ctx, tx, t); err != nil {
		return fmt.Errorf("audit append: %w", err)
	}
	// The search index goes in the same transaction: an entry is searchable
	// exactly when it is durable.
	if err := a.db.insertRows(ctx, tx, ix); err != nil {
		return fmt.Errorf("audit append: %w", err)
	}
	if err := blocks.merge(ctx, a.db, tx); err != nil {
		return fmt.Errorf("audit append: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("audit append: commit: %w", err)
	}
	return nil
}

// ReadRange calls fn for the entries [from, to) in order.
func (a AuditLog) ReadRange(ctx context.Context, from, to uint64, fn func(i uint64, r audit.Record) error) error {
	rows, err := a.db.read.QueryContext(ctx, a.db.q(`SELECT idx, leaf, hashes FROM audit_entries WHERE idx >= ? AND idx < ? ORDER BY idx`), int64(from), int64(to))
	if err != nil {
		return fmt.Errorf("audit read: %w", err)
	}
	defer rows.Close()
	want := from
	for rows.Next() {
		var idx int64
		var r audit.Record
		if err := rows.Scan(&idx, &r.Leaf, &r.Hashes); err != nil {
			return fmt.Errorf("audit read: %w", err)
		}
		if uint64(idx) != want {
			// A gap: an entry was deleted. Verify names it.
			return &audit.CorruptError{Index: want, Err: fmt.Errorf("entry missing (next stored is %d)", idx)}
		}
		if err := fn(uint64(idx), r); err != nil {
			return err
		}
		want++
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("audit read: %w", err)
	}
	if want < to {
		return &audit.CorruptError{Index: want, Err: fmt.Errorf("entry missing")}
	}
	return nil
}

// ReadHashes returns the node hashes stored with the given entries.
func (a AuditLog) ReadHashes(ctx context.Context, indexes []uint64) ([][]byte, error) {
	out := make([][]byte, len(indexes))
	stmt, err := a.db.read.PrepareContext(ctx, a.db.q(`SELECT hashes FROM audit_entries WHERE idx = ?`))
	if err != nil {
		return nil, fmt.Errorf("audit hashes: %w", err)
	}
	defer stmt.Close()
	for i, idx := range indexes {
		if err := stmt.QueryRowContext(ctx, int64(idx)).Scan(&out[i]); err == sql.ErrNoRows {
			return nil, &audit.CorruptError{Index: idx, Err: fmt.Errorf("entry missing")}
		} else if err != nil {
			return nil, fmt.Errorf("audit hashes: %w", err)
		}
	}
	return out, nil
}

// PutCheckpoint stores a signed checkpoint.
func (a AuditLog) PutCheckpoint(ctx context.Context, size uint64, note []byte) error {
	_, err := a.db.write.ExecContext(ctx, a.db.q(`INSERT INTO audit_checkpoints (tree_size, note, created_at) VALUES (?, ?, ?)`), int64(size), note, now())
	if err != nil {
		return fmt.Errorf("audit checkpoint: %w", err)
	}
	return nil
}

// LatestCheckpoint returns the last checkpoint stored, nil when none.
func (a AuditLog) LatestCheckpoint(ctx context.Context) (uint64, []byte, error) {
	var size int64
	var note []byte
	err := a.db.read.QueryRowContext(ctx, `SELECT tree_size, note FROM audit_checkpoints ORDER BY id DESC LIMIT 1`).Scan(&size, &note)
	if err == sql.ErrNoRows {
		return 0, nil, nil
	} else if err != nil {
		return 0, nil, fmt.Errorf("audit checkpoint: %w", err)
	}
	return uint64(size), note, nil
}

// Checkpoints calls fn for every checkpoint in the order stored.
func (a AuditLog) Checkpoints(ctx context.Context, fn func(size uint64, note []byte) error) error {
	rows, err := a.db.read.QueryContext(ctx, `SELECT tree_size, note FROM audit_checkpoints ORDER BY id`)
	if err != nil {
		return fmt.Errorf("audit checkpoints: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var size int64
		var note []byte
		if err := rows.Scan(&size, &note); err != nil {
			return fmt.Errorf("audit checkpoints: %w", err)
		}
		if err := fn(uint64(size), note); err != nil {
			return err
		}
	}
	return rows.Err()
}
