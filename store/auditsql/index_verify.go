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

// auditIndexCheck gathers the block summaries that the entries give as
// audit.Verify reads them (instead of a second pass over every leaf), to
// compare with audit_blocks at the end. Verify reads ranges concurrently,
// hence the mutex.
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
	at  int64 // the entry or block start it is about, for the order
	msg string
}

// IndexCheck implements audit.IndexedStorage.
func (a Storage) IndexCheck() audit.IndexCheck {
	return &auditIndexCheck{Storage: a, blocks: auditBlocks{}}
}

// VerifyIndex rebuilds audit_blocks from the entries [0, size) and names
// every entry that a search cannot read and every block whose summary is
// missing or would make a search skip one of its entries.
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

// ReadRange reads the entries [from, to), calls fn with each entry as
// Storage.ReadRange does, and adds each to the summary of its block.
func (c *auditIndexCheck) ReadRange(ctx context.Context, from, to uint64, fn func(i uint64, r audit.Record) error) error {
	rows, err := c.Storage.read.QueryContext(ctx, c.q(`SELECT idx, leaf, hashes FROM audit_entries WHERE idx >= ? AND idx < ? ORDER BY idx`), int64(from), int64(to))
	if err != nil {
		return fmt.Errorf("audit read: %w", err)
	}
	defer rows.Close()
	blocks := auditBlocks{}
	i := from
	// Scanned into the same buffers row after row: RawBytes reuse them.
	var leaf, hashes sql.RawBytes
	for rows.Next() {
		var entry int64
		if err := rows.Scan(&entry, &leaf, &hashes); err != nil {
			return fmt.Errorf("audit read: %w", err)
		}
		if e, at, err := parseIndexed(entry, leaf); err != nil {
			c.add(entry, "entry %d: cannot be indexed: %v", entry, err)
		} else {
			blocks.add(entry, at, &e)
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
	c.mu.Lock()
	c.blocks.mergeFrom(blocks)
	c.mu.Unlock()
	c.read.Add(to - from)
	return nil
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
// block summaries.
func (c *auditIndexCheck) finishRead(ctx context.Context, size uint64) (audit.IndexReport, error) {
	if err := c.verifyBlocks(ctx); err != nil {
		return audit.IndexReport{}, err
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
		minAt, maxAt   time.Time
		bloom, persons []byte
	}
	have := map[int64]stored{}
	err := queryEach(ctx, c.Storage.read, `SELECT block, min_at, max_at, bloom, persons FROM audit_blocks`, nil, func(r *sql.Rows) error {
		var block int64
		var s stored
		if err := r.Scan(&block, sqlstore.ScanTime(&s.minAt), sqlstore.ScanTime(&s.maxAt), &s.bloom, &s.persons); err != nil {
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
		case s.persons != nil && !printsCover(s.persons, w.persons):
			c.add(lo, "audit_blocks %d (entries %d-%d): its person fingerprints differ from its entries, so a person's access history skips them", block, lo, hi)
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

// printsCover reports whether every entry's person fingerprint in want is
// the one stored in have (a fingerprint array of another length is
// ignored, as a search scans such a block).
func printsCover(have, want []byte) bool {
	if len(have) != personsSize {
		return true
	}
	for i := int64(0); i < 1<<auditBlockShift; i++ {
		if w := personAt(want, i); w != 0 && personAt(have, i) != w {
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
