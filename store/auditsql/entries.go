package auditsql

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"socle/audit"
	"socle/store/sqlstore"
)

// Where the entries live. SQLite keeps one row per appended batch of up
// to batchRowEntries entries (audit_batches, migration 0190): the leaves
// in one blob and the node hashes they completed in another, each blob a table of the items'
// end offsets (4 bytes each, big-endian) followed by the items. The single
// audit writer then inserts one row per batch instead of one per event,
// which was a quarter of its time. PostgreSQL keeps one row per entry
// (audit_entries), which its monthly partitions and several servers
// appending through the database rely on.

// batched reports whether the entries are stored one row per batch.
func (a Storage) batched() bool { return a.d.Name == "sqlite" }

// entryFunc receives a stored entry at position idx. leaf and hashes are
// the driver's buffers: valid only during the call.
type entryFunc func(idx int64, leaf, hashes []byte) error

// errStopScan ends a scan early without error.
var errStopScan = errors.New("scan stopped")

// size returns the number of entries, read with q (a pool or a
// transaction).
func (a Storage) size(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (uint64, error) {
	var n int64
	var err error
	if a.batched() {
		err = q.QueryRowContext(ctx, `SELECT first + entries FROM audit_batches ORDER BY first DESC LIMIT 1`).Scan(&n)
		if errors.Is(err, sql.ErrNoRows) {
			n, err = 0, nil
		}
	} else {
		err = q.QueryRowContext(ctx, `SELECT COALESCE(MAX(idx) + 1, 0) FROM audit_entries`).Scan(&n)
	}
	return uint64(n), err
}

// insertEntries writes records as the entries first… in tx.
func (a Storage) insertEntries(ctx context.Context, tx *sql.Tx, first uint64, records []audit.Record) error {
	if !a.batched() {
		t := sqlTable(first, records)
		return a.stmts.insert(ctx, tx, t)
	}
	a.stmts.mu.Lock()
	prepared := a.stmts.stmts[insertKey{"audit_batches", 1}]
	a.stmts.mu.Unlock()
	st := tx.StmtContext(ctx, prepared)
	defer st.Close()
	// The driver copies the blobs it binds: one pair of buffers serves
	// every row of the batch.
	var leaves, hashes []byte
	for len(records) > 0 {
		n := min(len(records), batchRowEntries)
		leaves, hashes = encodeBatch(leaves[:0], hashes[:0], records[:n])
		_, err := st.ExecContext(ctx, int64(first), n, leaves, hashes)
		if err != nil {
			return fmt.Errorf("inserting into audit_batches: %w", err)
		}
		first += uint64(n)
		records = records[n:]
	}
	return nil
}

// batchRowEntries bounds the entries of a batch row: a person's access
// history reads the rows of her entries whole, 32 entries (about 12 KB)
// each rather than a whole batch of up to MaxBatch; a batch of 150
// entries is still 5 inserts instead of 150.
const batchRowEntries = 32

// insertBatchRow inserts one row of audit_batches.
const insertBatchRow = `INSERT INTO audit_batches (first, entries, leaves, hashes) VALUES (?, ?, ?, ?)`

// encodeBatch returns the leaves and the hashes blobs of a batch, in the
// buffers leaves and hashes (which may be nil) when they are large enough.
func encodeBatch(leaves, hashes []byte, records []audit.Record) ([]byte, []byte) {
	nl, nh := 4*len(records), 4*len(records)
	for _, r := range records {
		nl += len(r.Leaf)
		nh += len(r.Hashes)
	}
	leaves, hashes = slices.Grow(leaves[:0], nl)[:4*len(records)], slices.Grow(hashes[:0], nh)[:4*len(records)]
	for i, r := range records {
		leaves = append(leaves, r.Leaf...)
		hashes = append(hashes, r.Hashes...)
		binary.BigEndian.PutUint32(leaves[4*i:], uint32(len(leaves)-4*len(records)))
		binary.BigEndian.PutUint32(hashes[4*i:], uint32(len(hashes)-4*len(records)))
	}
	return leaves, hashes
}

// batchItem returns item k of the n items of a batch blob.
func batchItem(blob []byte, n, k int) ([]byte, error) {
	if n <= 0 || len(blob) < 4*n {
		return nil, fmt.Errorf("batch blob of %d bytes too short for %d entries", len(blob), n)
	}
	data := blob[4*n:]
	start := uint32(0)
	if k > 0 {
		start = binary.BigEndian.Uint32(blob[4*(k-1):])
	}
	end := binary.BigEndian.Uint32(blob[4*k:])
	if start > end || int64(end) > int64(len(data)) {
		return nil, fmt.Errorf("batch blob: entry %d spans bytes %d-%d of %d", k, start, end, len(data))
	}
	return data[start:end:end], nil
}

// scanEntries calls fn for the entries stored at positions [from, to), in
// the order stored (newest first when desc), until fn returns
// errStopScan. Missing entries are skipped: the callers that need every
// entry count them.
func (a Storage) scanEntries(ctx context.Context, from, to int64, desc bool, fn entryFunc) error {
	if to <= from {
		return nil
	}
	order := "ASC"
	if desc {
		order = "DESC"
	}
	if !a.batched() {
		return a.scanRows(ctx, a.q(`SELECT idx, leaf, hashes FROM audit_entries WHERE idx >= ? AND idx < ? ORDER BY idx `+order), []any{from, to}, fn)
	}
	// The batch holding from starts at or before it.
	rows, err := a.read.QueryContext(ctx, `SELECT first, entries, leaves, hashes FROM audit_batches
		WHERE first >= COALESCE((SELECT MAX(first) FROM audit_batches WHERE first <= ?), 0) AND first < ?
		ORDER BY first `+order, from, to)
	if err != nil {
		return fmt.Errorf("audit read: %w", err)
	}
	defer rows.Close()
	var leaves, hashes sql.RawBytes
	for rows.Next() {
		var first, n int64
		if err := rows.Scan(&first, &n, &leaves, &hashes); err != nil {
			return fmt.Errorf("audit read: %w", err)
		}
		if err := visitBatchRow(first, n, leaves, hashes, from, to, desc, fn); err != nil {
			return stopped(err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("audit read: %w", err)
	}
	return nil
}

// visitBatchRow calls fn for the entries of the batch row (first, n,
// leaves, hashes) at positions [from, to), newest first when desc.
func visitBatchRow(first, n int64, leaves, hashes []byte, from, to int64, desc bool, fn entryFunc) error {
	if n <= 0 || n > math.MaxInt32 {
		return &audit.CorruptError{Index: uint64(max(first, 0)), Err: fmt.Errorf("batch of %d entries", n)}
	}
	lo, hi := max(from, first), min(to, first+n)
	for j := range max(hi-lo, 0) {
		idx := lo + j
		if desc {
			idx = hi - 1 - j
		}
		k := int(idx - first)
		leaf, err := batchItem(leaves, int(n), k)
		if err != nil {
			return &audit.CorruptError{Index: uint64(idx), Err: err}
		}
		h, err := batchItem(hashes, int(n), k)
		if err != nil {
			return &audit.CorruptError{Index: uint64(idx), Err: err}
		}
		if err := fn(idx, leaf, h); err != nil {
			return err
		}
	}
	return nil
}

// stopped turns errStopScan into nil.
func stopped(err error) error {
	if errors.Is(err, errStopScan) {
		return nil
	}
	return err
}

// sqlTable is the audit_entries rows of records numbered from first.
func sqlTable(first uint64, records []audit.Record) sqlstore.Table {
	rows := make([][]any, len(records))
	for i, r := range records {
		rows[i] = []any{int64(first) + int64(i), r.Leaf, r.Hashes}
	}
	return sqlstore.Table{Name: "audit_entries", Columns: auditEntryColumns, Rows: rows}
}

// readBatchHashes is ReadHashes of the batch layout: one query per entry
// (the edge of the tree, about log2 of its size, read on a resync).
func (a Storage) readBatchHashes(ctx context.Context, indexes []uint64) ([][]byte, error) {
	out := make([][]byte, len(indexes))
	for i, idx := range indexes {
		var first, n int64
		var hashes []byte
		err := a.read.QueryRowContext(ctx, `SELECT first, entries, hashes FROM audit_batches WHERE first <= ? ORDER BY first DESC LIMIT 1`, int64(idx)).Scan(&first, &n, &hashes)
		if errors.Is(err, sql.ErrNoRows) || err == nil && int64(idx) >= first+n {
			return nil, &audit.CorruptError{Index: idx, Err: fmt.Errorf("entry missing")}
		} else if err != nil {
			return nil, fmt.Errorf("audit hashes: %w", err)
		}
		if n > math.MaxInt32 {
			return nil, &audit.CorruptError{Index: idx, Err: fmt.Errorf("batch of %d entries", n)}
		}
		h, err := batchItem(hashes, int(n), int(int64(idx)-first))
		if err != nil {
			return nil, &audit.CorruptError{Index: idx, Err: err}
		}
		out[i] = h
	}
	return out, nil
}

// scanRows runs query, which selects rows (idx, leaf, hashes) of
// audit_entries, and calls fn for each.
func (a Storage) scanRows(ctx context.Context, query string, args []any, fn entryFunc) error {
	rows, err := a.read.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("audit read: %w", err)
	}
	defer rows.Close()
	// Scanned into the same buffers row after row: RawBytes reuse them.
	var leaf, hashes sql.RawBytes
	for rows.Next() {
		var idx int64
		if err := rows.Scan(&idx, &leaf, &hashes); err != nil {
			return fmt.Errorf("audit read: %w", err)
		}
		if err := fn(idx, leaf, hashes); err != nil {
			return stopped(err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("audit read: %w", err)
	}
	return nil
}

// scanEntriesAt calls fn for the entries at positions, given newest
// first, as scanEntries does. The row layout reads only those rows.
func (a Storage) scanEntriesAt(ctx context.Context, positions []int64, fn entryFunc) error {
	if len(positions) == 0 {
		return nil
	}
	if a.batched() {
		// One read of each row holding some of positions.
		for len(positions) > 0 {
			var first, n int64
			var leaves, hashes []byte
			err := a.read.QueryRowContext(ctx, `SELECT first, entries, leaves, hashes FROM audit_batches WHERE first <= ? ORDER BY first DESC LIMIT 1`, positions[0]).Scan(&first, &n, &leaves, &hashes)
			if errors.Is(err, sql.ErrNoRows) {
				return nil // no entry at or below: nothing more to read
			} else if err != nil {
				return fmt.Errorf("audit read: %w", err)
			}
			only := positions
			for len(positions) > 0 && positions[0] >= first {
				positions = positions[1:]
			}
			only = only[:len(only)-len(positions)]
			err = visitBatchRow(first, n, leaves, hashes, first, only[0]+1, true, func(idx int64, leaf, hashes []byte) error {
				for len(only) > 0 && only[0] > idx {
					only = only[1:]
				}
				if len(only) == 0 || only[0] != idx {
					return nil
				}
				return fn(idx, leaf, hashes)
			})
			if err != nil {
				return stopped(err)
			}
		}
		return nil
	}
	query := `SELECT idx, leaf, hashes FROM audit_entries WHERE idx IN (?` + strings.Repeat(`, ?`, len(positions)-1) + `) ORDER BY idx DESC`
	args := make([]any, len(positions))
	for i, idx := range positions {
		args[i] = idx
	}
	return a.scanRows(ctx, a.q(query), args, fn)
}
