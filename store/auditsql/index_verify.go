package auditsql

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"socle/audit"
	"socle/store/sqlstore"
)

var _ audit.IndexedStorage = Storage{}

// indexVerifyChunk is how many entries VerifyIndex reads per query.
const indexVerifyChunk = 16 << auditBlockShift

// maxKeptProblems bounds the problems an index check keeps before sorting
// them: enough to name the first ones, whatever order the readers find
// them in.
const maxKeptProblems = 4096

// auditIndexCheck compares each entry with its row of audit_index as
// audit.Verify reads the entries (one joined query instead of a second
// pass over every leaf), and gathers the block summaries the entries give,
// to compare with audit_blocks at the end. Verify reads ranges
// concurrently, hence the mutex.
type auditIndexCheck struct {
	Storage
	read atomic.Uint64 // entries read
	// alone: the check runs without Verify, which reports missing
	// entries; ReadRange then reads past them.
	alone bool

	mu       sync.Mutex
	problems []indexProblem
	count    int
	blocks   auditBlocks
}

type indexProblem struct {
	at  int64 // the entry or row it is about, for the order
	msg string
}

// IndexCheck implements audit.IndexedStorage.
func (a Storage) IndexCheck() audit.IndexCheck {
	return &auditIndexCheck{Storage: a, blocks: auditBlocks{}}
}

// VerifyIndex rebuilds audit_index and audit_blocks from the entries
// [0, size) and names every row that is missing, extra or differs, and
// every block whose summary would make a search skip one of its entries.
// progress, if not nil, is called with the entries checked so far.
func (a Storage) VerifyIndex(ctx context.Context, size uint64, progress func(done uint64)) (audit.IndexReport, error) {
	c := &auditIndexCheck{Storage: a, blocks: auditBlocks{}, alone: true}
	for from := uint64(0); from < size; from += indexVerifyChunk {
		to := min(from+indexVerifyChunk, size)
		err := c.ReadRange(ctx, from, to, func(uint64, audit.Record) error { return nil })
		if err != nil {
			return audit.IndexReport{}, fmt.Errorf("verify audit index: %w", err)
		}
		if progress != nil {
			progress(to)
		}
	}
	return c.finishRead(ctx, size)
}

func (c *auditIndexCheck) add(at int64, format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.count++
	if len(c.problems) < maxKeptProblems {
		c.problems = append(c.problems, indexProblem{at, fmt.Sprintf(format, args...)})
	}
}

// ReadRange reads the entries [from, to) with their index rows, calls fn
// with each entry as Storage.ReadRange does, and compares the row with
// what the entry gives.
func (c *auditIndexCheck) ReadRange(ctx context.Context, from, to uint64, fn func(i uint64, r audit.Record) error) error {
	rows, err := c.Storage.read.QueryContext(ctx, c.q(`SELECT e.idx, e.leaf, e.hashes, i.idx, i.at, i.agent_id, i.client_id, i.organisation_id, i.person_ref, i.purpose, i.action, i.allowed
		FROM audit_entries e LEFT JOIN audit_index i ON i.idx = e.idx WHERE e.idx >= ? AND e.idx < ? ORDER BY e.idx`), int64(from), int64(to))
	if err != nil {
		return fmt.Errorf("audit read: %w", err)
	}
	defer rows.Close()
	blocks := auditBlocks{}
	var indexed int64 // index rows met
	i := from
	// Scanned into the same buffers row after row: RawBytes reuse them.
	var leaf, hashes, idx sql.RawBytes
	var row storedIndexRow
	for rows.Next() {
		var entry int64
		if err := rows.Scan(&entry, &leaf, &hashes, &idx, sqlstore.ScanTime(&row.at), &row.agent, &row.client, &row.org, &row.person, &row.purpose, &row.action, &row.allowed); err != nil {
			return fmt.Errorf("audit read: %w", err)
		}
		c.check(entry, leaf, idx != nil, &row, blocks)
		if idx != nil {
			indexed++
		}
		if err := fn(i, audit.Record{Leaf: leaf, Hashes: hashes}); err != nil {
			return err
		}
		i++
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("audit read: %w", err)
	}
	if i < to && !c.alone {
		return &audit.CorruptError{Index: i, Err: fmt.Errorf("entry missing")}
	}
	// Rows of the index that no entry of the range joined.
	var rowsInRange int64
	if err := c.Storage.read.QueryRowContext(ctx, c.q(`SELECT COUNT(*) FROM audit_index WHERE idx >= ? AND idx < ?`), int64(from), int64(to)).Scan(&rowsInRange); err != nil {
		return fmt.Errorf("audit index: %w", err)
	}
	if rowsInRange != indexed {
		if err := c.extraRows(ctx, from, to); err != nil {
			return err
		}
	}
	c.mu.Lock()
	c.blocks.mergeFrom(blocks)
	c.mu.Unlock()
	c.read.Add(to - from)
	return nil
}

// storedIndexRow is a row of audit_index as read back; absent values are
// nil.
type storedIndexRow struct {
	at                                          time.Time
	agent, client, org, person, purpose, action sql.RawBytes
	allowed                                     sql.RawBytes
}

// check compares entry idx with its index row and adds it to its block.
func (c *auditIndexCheck) check(idx int64, leaf []byte, indexed bool, row *storedIndexRow, blocks auditBlocks) {
	e, at, err := parseIndexed(idx, leaf)
	if err != nil {
		c.add(idx, "entry %d: cannot be indexed: %v", idx, err)
		return
	}
	blocks.add(idx, at, &e)
	if !indexed {
		c.add(idx, "entry %d: no row in audit_index (hidden from the person's access history and from searches)", idx)
		return
	}
	if col := differingColumn(row, &e, at); col != "" {
		c.add(idx, "entry %d: audit_index row differs from the entry (%s)", idx, col)
	}
}

// differingColumn names the first column of a stored row that is not what
// the entry gives, "" when they match. Times compare to the microsecond,
// PostgreSQL's precision.
func differingColumn(got *storedIndexRow, e *indexedEvent, at time.Time) string {
	allowed := string(got.allowed) == "1" || string(got.allowed) == "true" || string(got.allowed) == "t"
	switch {
	case !got.at.Truncate(time.Microsecond).Equal(at.Truncate(time.Microsecond)):
		return "at"
	case string(got.agent) != e.AgentID:
		return "agent_id"
	case string(got.client) != e.ClientID:
		return "client_id"
	case string(got.org) != e.OrganisationID:
		return "organisation_id"
	case string(got.person) != e.PersonRef:
		return "person_ref"
	case string(got.purpose) != e.Purpose:
		return "purpose"
	case string(got.action) != e.Action:
		return "action"
	case allowed != e.Allowed:
		return "allowed"
	}
	return ""
}

// extraRows names the rows of audit_index in [from, to) without an entry.
func (c *auditIndexCheck) extraRows(ctx context.Context, from, to uint64) error {
	return queryEach(ctx, c.Storage.read, c.q(`SELECT i.idx FROM audit_index i LEFT JOIN audit_entries e ON e.idx = i.idx
		WHERE i.idx >= ? AND i.idx < ? AND e.idx IS NULL ORDER BY i.idx`), []any{int64(from), int64(to)}, func(r *sql.Rows) error {
		var idx int64
		if err := r.Scan(&idx); err != nil {
			return fmt.Errorf("audit index: %w", err)
		}
		c.add(idx, "audit_index row %d: no such entry", idx)
		return nil
	})
}

// Finish implements audit.IndexCheck.
func (c *auditIndexCheck) Finish(ctx context.Context, size uint64) (audit.IndexReport, error) {
	if c.read.Load() != size {
		// Verify stopped early (the tree is already reported bad):
		// check the whole index on its own.
		return c.VerifyIndex(ctx, size, nil)
	}
	return c.finishRead(ctx, size)
}

// finishRead completes a check that read every entry [0, size): the
// block summaries and the rows past the end.
func (c *auditIndexCheck) finishRead(ctx context.Context, size uint64) (audit.IndexReport, error) {
	if err := c.verifyBlocks(ctx); err != nil {
		return audit.IndexReport{}, err
	}
	err := queryEach(ctx, c.Storage.read, c.q(`SELECT idx FROM audit_index WHERE idx >= ? OR idx < 0 ORDER BY idx LIMIT ?`), []any{int64(size), audit.MaxIndexProblems}, func(r *sql.Rows) error {
		var idx int64
		if err := r.Scan(&idx); err != nil {
			return err
		}
		c.add(idx, "audit_index row %d: no such entry (the log holds %d)", idx, size)
		return nil
	})
	if err != nil {
		return audit.IndexReport{}, fmt.Errorf("verify audit index: %w", err)
	}
	rep := audit.IndexReport{Checked: c.read.Load()}
	slices.SortStableFunc(c.problems, func(a, b indexProblem) int { return cmp.Compare(a.at, b.at) })
	for _, p := range c.problems {
		rep.Add("%s", p.msg)
	}
	rep.Count = c.count
	return rep, nil
}

// verifyBlocks compares the block summaries rebuilt from the entries with
// audit_blocks: a search skips a block that is missing, whose time span
// does not cover its entries, or whose filter lacks a value.
func (c *auditIndexCheck) verifyBlocks(ctx context.Context) error {
	type stored struct {
		minAt, maxAt time.Time
		bloom        []byte
	}
	have := map[int64]stored{}
	err := queryEach(ctx, c.Storage.read, `SELECT block, min_at, max_at, bloom FROM audit_blocks`, nil, func(r *sql.Rows) error {
		var block int64
		var s stored
		if err := r.Scan(&block, sqlstore.ScanTime(&s.minAt), sqlstore.ScanTime(&s.maxAt), &s.bloom); err != nil {
			return err
		}
		have[block] = s
		return nil
	})
	if err != nil {
		return fmt.Errorf("verify audit blocks: %w", err)
	}
	us := func(t time.Time) time.Time { return t.Truncate(time.Microsecond) }
	for block, w := range c.blocks {
		lo, hi := block<<auditBlockShift, (block+1)<<auditBlockShift-1
		s, ok := have[block]
		switch {
		case !ok:
			c.add(lo, "audit_blocks %d (entries %d-%d): missing, so searches skip its entries", block, lo, hi)
		case us(s.minAt).After(us(w.minAt)) || us(s.maxAt).Before(us(w.maxAt)):
			c.add(lo, "audit_blocks %d (entries %d-%d): its time span does not cover its entries", block, lo, hi)
		case s.bloom != nil && !bloomCovers(s.bloom, w.bloom):
			c.add(lo, "audit_blocks %d (entries %d-%d): its filter lacks values of its entries, so searches skip them", block, lo, hi)
		}
	}
	return nil
}

// bloomCovers reports whether every bit of want is set in have (a filter
// of another length may hold anything, as bloomHas reads it).
func bloomCovers(have, want []byte) bool {
	if len(have) != len(want) {
		return true
	}
	for i := range want {
		if have[i]&want[i] != want[i] {
			return false
		}
	}
	return true
}

// queryEach runs query and calls fn for each row.
func queryEach(ctx context.Context, db *sql.DB, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
