package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"socle/audit"
)

var _ audit.IndexedStorage = AuditLog{}

// indexVerifyChunk is how many entries VerifyIndex compares per query: a
// whole number of blocks, so that each block is rebuilt from one chunk.
const indexVerifyChunk = 16 << auditBlockShift

// storedIndexRow is a row of audit_index as read back.
type storedIndexRow struct {
	present                             bool
	at                                  time.Time
	agent, client, org, person, purpose sql.NullString
	action                              string
	allowed                             bool
}

// VerifyIndex rebuilds audit_index and audit_blocks from the entries
// [0, size) and names every row that is missing, extra or differs, and
// every block whose summary would make a search skip one of its entries.
func (a AuditLog) VerifyIndex(ctx context.Context, size uint64, progress func(done uint64)) (audit.IndexReport, error) {
	var rep audit.IndexReport
	entries := a.db.q(`SELECT idx, leaf FROM audit_entries WHERE idx >= ? AND idx < ? ORDER BY idx`)
	index := a.db.q(`SELECT idx, at, agent_id, client_id, organisation_id, person_ref, purpose, action, allowed FROM audit_index WHERE idx >= ? AND idx < ? ORDER BY idx`)
	rows := make([]storedIndexRow, indexVerifyChunk)
	for from := uint64(0); from < size; from += indexVerifyChunk {
		to := min(from+indexVerifyChunk, size)
		clear(rows)
		if err := a.readIndexRows(ctx, index, from, to, rows); err != nil {
			return rep, err
		}
		blocks := auditBlocks{}
		seen := make([]bool, to-from)
		err := queryEach(ctx, a.db.read, entries, []any{int64(from), int64(to)}, func(r *sql.Rows) error {
			var idx int64
			var leaf sql.RawBytes
			if err := r.Scan(&idx, &leaf); err != nil {
				return err
			}
			seen[uint64(idx)-from] = true
			e, at, _, err := indexEntry(idx, leaf)
			if err != nil {
				rep.Add("entry %d: cannot be indexed: %v", idx, err)
				return nil
			}
			blocks.add(idx, at, &e)
			got := &rows[uint64(idx)-from]
			if !got.present {
				rep.Add("entry %d: no row in audit_index (hidden from the person's access history and from searches)", idx)
				return nil
			}
			if col := differingColumn(got, &e, at); col != "" {
				rep.Add("entry %d: audit_index row differs from the entry (%s)", idx, col)
			}
			return nil
		})
		if err != nil {
			return rep, fmt.Errorf("verify audit index: %w", err)
		}
		for k, r := range rows[:to-from] {
			if r.present && !seen[k] {
				rep.Add("audit_index row %d: no such entry", from+uint64(k))
			}
		}
		if err := a.verifyBlocks(ctx, &rep, blocks, int64(from)>>auditBlockShift, int64(to-1)>>auditBlockShift); err != nil {
			return rep, err
		}
		rep.Checked = to
		if progress != nil {
			progress(to)
		}
	}
	// Rows past the end of the log.
	err := queryEach(ctx, a.db.read, a.db.q(`SELECT idx FROM audit_index WHERE idx >= ? OR idx < 0 ORDER BY idx LIMIT ?`), []any{int64(size), audit.MaxIndexProblems}, func(r *sql.Rows) error {
		var idx int64
		if err := r.Scan(&idx); err != nil {
			return err
		}
		rep.Add("audit_index row %d: no such entry (the log holds %d)", idx, size)
		return nil
	})
	if err != nil {
		return rep, fmt.Errorf("verify audit index: %w", err)
	}
	return rep, nil
}

func (a AuditLog) readIndexRows(ctx context.Context, query string, from, to uint64, rows []storedIndexRow) error {
	err := queryEach(ctx, a.db.read, query, []any{int64(from), int64(to)}, func(r *sql.Rows) error {
		var idx int64
		var row storedIndexRow
		if err := r.Scan(&idx, scanTime(&row.at), &row.agent, &row.client, &row.org, &row.person, &row.purpose, &row.action, &row.allowed); err != nil {
			return err
		}
		row.present = true
		rows[uint64(idx)-from] = row
		return nil
	})
	if err != nil {
		return fmt.Errorf("verify audit index: %w", err)
	}
	return nil
}

// differingColumn names the first column of a stored row that is not what
// the entry gives, "" when they match. Times compare to the microsecond,
// PostgreSQL's precision.
func differingColumn(got *storedIndexRow, e *indexedEvent, at time.Time) string {
	str := func(ns sql.NullString) string { return ns.String }
	switch {
	case !got.at.Truncate(time.Microsecond).Equal(at.Truncate(time.Microsecond)):
		return "at"
	case str(got.agent) != e.AgentID:
		return "agent_id"
	case str(got.client) != e.ClientID:
		return "client_id"
	case str(got.org) != e.OrganisationID:
		return "organisation_id"
	case str(got.person) != e.PersonRef:
		return "person_ref"
	case str(got.purpose) != e.Purpose:
		return "purpose"
	case got.action != e.Action:
		return "action"
	case got.allowed != e.Allowed:
		return "allowed"
	}
	return ""
}

// verifyBlocks compares the block summaries rebuilt from the entries with
// audit_blocks [first, last]: a search skips a block that is missing, whose
// time span does not cover its entries, or whose filter lacks a value.
func (a AuditLog) verifyBlocks(ctx context.Context, rep *audit.IndexReport, want auditBlocks, first, last int64) error {
	type stored struct {
		minAt, maxAt time.Time
		bloom        []byte
	}
	have := map[int64]stored{}
	err := queryEach(ctx, a.db.read, a.db.q(`SELECT block, min_at, max_at, bloom FROM audit_blocks WHERE block >= ? AND block <= ?`), []any{first, last}, func(r *sql.Rows) error {
		var block int64
		var s stored
		if err := r.Scan(&block, scanTime(&s.minAt), scanTime(&s.maxAt), &s.bloom); err != nil {
			return err
		}
		have[block] = s
		return nil
	})
	if err != nil {
		return fmt.Errorf("verify audit blocks: %w", err)
	}
	for block := first; block <= last; block++ {
		w, ok := want[block]
		if !ok {
			continue
		}
		lo, hi := block<<auditBlockShift, (block+1)<<auditBlockShift-1
		s, ok := have[block]
		switch {
		case !ok:
			rep.Add("audit_blocks %d (entries %d-%d): missing, so searches skip its entries", block, lo, hi)
		case s.minAt.Truncate(time.Microsecond).After(w.minAt.Truncate(time.Microsecond)) ||
			s.maxAt.Truncate(time.Microsecond).Before(w.maxAt.Truncate(time.Microsecond)):
			rep.Add("audit_blocks %d (entries %d-%d): its time span does not cover its entries", block, lo, hi)
		case s.bloom != nil && !bloomCovers(s.bloom, w.bloom):
			rep.Add("audit_blocks %d (entries %d-%d): its filter lacks values of its entries, so searches skip them", block, lo, hi)
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
