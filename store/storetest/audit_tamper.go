package storetest

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
)

// AuditTx is what a tampering function runs its SQL with.
type AuditTx interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// TamperAudit runs fn in one transaction on the raw database db, as an
// intruder with write access would, with the audit entries as the table
// audit_entries (idx, leaf, hashes), one row per entry. PostgreSQL stores
// them so. SQLite stores them one row per batch (audit_batches, see
// store/auditsql): fn then edits a temporary audit_entries table of the
// entries decoded, and the batches are written back from it, each batch
// keeping its bounds except where entries were removed or added, so that
// the tampering is exactly what fn did to the entries.
func TamperAudit(ctx context.Context, db *sql.DB, batched bool, fn func(tx AuditTx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if !batched {
		if err := fn(tx); err != nil {
			return err
		}
		return tx.Commit()
	}
	if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE audit_entries (idx INTEGER PRIMARY KEY, leaf BLOB NOT NULL, hashes BLOB NOT NULL)`); err != nil {
		return fmt.Errorf("tamper: %w", err)
	}
	starts := map[int64]bool{}
	rows, err := tx.QueryContext(ctx, `SELECT first, entries, leaves, hashes FROM audit_batches ORDER BY first`)
	if err != nil {
		return fmt.Errorf("tamper: %w", err)
	}
	type entry struct {
		idx          int64
		leaf, hashes []byte
	}
	var entries []entry
	for rows.Next() {
		var first, n int64
		var leaves, hashes []byte
		if err := rows.Scan(&first, &n, &leaves, &hashes); err != nil {
			rows.Close()
			return fmt.Errorf("tamper: %w", err)
		}
		starts[first] = true
		ls, hs := splitBatchBlob(leaves, int(n)), splitBatchBlob(hashes, int(n))
		if ls == nil || hs == nil {
			rows.Close()
			return fmt.Errorf("tamper: batch %d unreadable", first)
		}
		for k := range ls {
			entries = append(entries, entry{first + int64(k), ls[k], hs[k]})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("tamper: %w", err)
	}
	for _, e := range entries {
		if _, err := tx.ExecContext(ctx, `INSERT INTO temp.audit_entries (idx, leaf, hashes) VALUES (?, ?, ?)`, e.idx, e.leaf, e.hashes); err != nil {
			return fmt.Errorf("tamper: %w", err)
		}
	}
	if err := fn(tx); err != nil {
		return err
	}
	// Write the batches back from the entries as fn left them.
	if _, err := tx.ExecContext(ctx, `DELETE FROM audit_batches`); err != nil {
		return fmt.Errorf("tamper: %w", err)
	}
	rows, err = tx.QueryContext(ctx, `SELECT idx, leaf, hashes FROM temp.audit_entries ORDER BY idx`)
	if err != nil {
		return fmt.Errorf("tamper: %w", err)
	}
	entries = entries[:0]
	for rows.Next() {
		var e entry
		if err := rows.Scan(&e.idx, &e.leaf, &e.hashes); err != nil {
			rows.Close()
			return fmt.Errorf("tamper: %w", err)
		}
		entries = append(entries, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("tamper: %w", err)
	}
	for i := 0; i < len(entries); {
		j := i + 1
		for j < len(entries) && entries[j].idx == entries[j-1].idx+1 && !starts[entries[j].idx] {
			j++
		}
		var leaves, hashes [][]byte
		for _, e := range entries[i:j] {
			leaves, hashes = append(leaves, e.leaf), append(hashes, e.hashes)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit_batches (first, entries, leaves, hashes) VALUES (?, ?, ?, ?)`,
			entries[i].idx, j-i, joinBatchBlob(leaves), joinBatchBlob(hashes)); err != nil {
			return fmt.Errorf("tamper: %w", err)
		}
		i = j
	}
	if _, err := tx.ExecContext(ctx, `DROP TABLE temp.audit_entries`); err != nil {
		return fmt.Errorf("tamper: %w", err)
	}
	return tx.Commit()
}

// splitBatchBlob returns the n items of a batch blob: their end offsets
// (4 bytes big-endian each), then the items. nil when malformed.
func splitBatchBlob(blob []byte, n int) [][]byte {
	if n <= 0 || len(blob) < 4*n {
		return nil
	}
	data, items, start := blob[4*n:], make([][]byte, n), uint32(0)
	for k := range n {
		end := binary.BigEndian.Uint32(blob[4*k:])
		if end < start || int(end) > len(data) {
			return nil
		}
		items[k], start = data[start:end], end
	}
	return items
}

// joinBatchBlob is the batch blob of items.
func joinBatchBlob(items [][]byte) []byte {
	blob := make([]byte, 4*len(items))
	for k, it := range items {
		blob = append(blob, it...)
		binary.BigEndian.PutUint32(blob[4*k:], uint32(len(blob)-4*len(items)))
	}
	return blob
}
