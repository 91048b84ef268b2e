package auditsql

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"socle"
	"socle/audit"
	"socle/store/sqlstore"
)

// The search index of the journal des accès is a summary per block of
// 1024 consecutive entries (table audit_blocks): the time span the block
// covers and a Bloom filter of the values its entries hold. It is written
// in the same transaction as the entries, so that an entry is searchable
// as soon as it is durable, and it is a convenience only: audit.Verify
// never reads it, and a search reads the entries themselves, of the
// blocks whose summary may match. There is no row per entry: each would
// cost the single audit writer an insert per event and 140 bytes of disk.

// indexedEvent is what a search compares of an event.
type indexedEvent struct {
	Time           string `json:"time"`
	AgentID        string `json:"agent_id"`
	ClientID       string `json:"client_id"`
	OrganisationID string `json:"organisation_id"`
	PersonRef      string `json:"person_ref"`
	Purpose        string `json:"purpose"`
	Action         string `json:"action"`
	Allowed        bool   `json:"allowed"`
}

// parseIndexed reads the indexed fields and the time of entry idx.
func parseIndexed(idx int64, leaf []byte) (indexedEvent, time.Time, error) {
	var e indexedEvent
	if !scanIndexedEvent(leaf, &e) {
		// Not the canonical shape the scanner expects: decode it fully.
		var l struct {
			Event indexedEvent `json:"event"`
		}
		if err := json.Unmarshal(leaf, &l); err != nil {
			return e, time.Time{}, fmt.Errorf("audit index: entry %d: %w", idx, err)
		}
		e = l.Event
	}
	at, err := time.Parse(time.RFC3339Nano, e.Time)
	if err != nil || e.Action == "" {
		return e, time.Time{}, fmt.Errorf("audit index: entry %d: no valid time or action", idx)
	}
	return e, at.UTC(), nil
}

// recordIndexed returns the indexed fields and the time of the record to
// append as entry idx: from its Summary, kept by the log from the event
// it encoded, else by reading its leaf.
func recordIndexed(idx int64, r audit.Record) (indexedEvent, time.Time, error) {
	s := r.Summary
	if s == nil {
		return parseIndexed(idx, r.Leaf)
	}
	if s.Action == "" || s.Time.IsZero() {
		return indexedEvent{}, time.Time{}, fmt.Errorf("audit index: entry %d: no valid time or action", idx)
	}
	return indexedEvent{
		AgentID: s.AgentID, ClientID: s.ClientID, OrganisationID: s.OrganisationID,
		PersonRef: s.PersonRef, Purpose: s.Purpose, Action: s.Action,
	}, s.Time.UTC(), nil
}

// Blocks of the audit index: entries idx>>auditBlockShift share a block,
// summarised by its time span and a Bloom filter of bloomBits bits with
// bloomHashes probes per value. With 1024 entries, about 1,200 distinct
// values (mostly person references) fill a 2 KiB filter to a false
// positive rate under 0.5%: a search for one person reads 2 KiB per 1024
// entries and scans only the blocks that may hold her. Every batch
// rewrites its block's filter, so the filter is kept small.
const (
	auditBlockShift = 10
	bloomBits       = 1 << 14
	bloomHashes     = 4
)

// bloomProbes returns the bit positions of a value of kind k ('p' person,
// 'a' agent, 'c' client, 'o' organisation, 'u' purpose, 'x' action): FNV-1a
// and double hashing, stable across processes and engines.
func bloomProbes(k byte, v string) [bloomHashes]uint32 {
	h := uint64(14695981039346656037)
	h = (h ^ uint64(k)) * 1099511628211
	for i := 0; i < len(v); i++ {
		h = (h ^ uint64(v[i])) * 1099511628211
	}
	// A second hash from the first (splitmix64), odd so that the probes
	// differ.
	h2 := h + 0x9e3779b97f4a7c15
	h2 = (h2 ^ h2>>30) * 0xbf58476d1ce4e5b9
	h2 = (h2 ^ h2>>27) * 0x94d049bb133111eb
	h2 = (h2 ^ h2>>31) | 1
	var out [bloomHashes]uint32
	for i := range out {
		out[i] = uint32((h + uint64(i)*h2) % bloomBits)
	}
	return out
}

func bloomAdd(b []byte, k byte, v string) {
	if v == "" {
		return
	}
	for _, p := range bloomProbes(k, v) {
		b[p>>3] |= 1 << (p & 7)
	}
}

// bloomHas reports whether the block may hold the value; a block without a
// filter may hold anything.
func bloomHas(b []byte, k byte, v string) bool {
	if len(b) != bloomBits/8 {
		return true
	}
	for _, p := range bloomProbes(k, v) {
		if b[p>>3]&(1<<(p&7)) == 0 {
			return false
		}
	}
	return true
}

// blockSummary is what a batch adds to one block.
type blockSummary struct {
	minAt, maxAt time.Time
	bloom        []byte
	persons      []byte // personsSize bytes: the fingerprint of each entry's person
}

// Each block also keeps, for each of its entries, a 16-bit fingerprint of
// the entry's person reference (little-endian, at 2 × the entry's offset in
// the block; 0 for no person). A person's access history, the search that
// runs most, then reads only the entries whose fingerprint is hers (about
// one false one per 64 blocks) instead of scanning each block her filter
// may hold. A block without fingerprints (written before them) is scanned.
const personsSize = 2 << auditBlockShift

// personPrint returns the fingerprint of a person reference, never 0.
func personPrint(ref string) uint16 {
	h := uint32(2166136261)
	for i := 0; i < len(ref); i++ {
		h = (h ^ uint32(ref[i])) * 16777619
	}
	if fp := uint16(h ^ h>>16); fp != 0 {
		return fp
	}
	return 1
}

// personAt returns the fingerprint stored for the entry at offset i.
func personAt(persons []byte, i int64) uint16 {
	return binary.LittleEndian.Uint16(persons[2*i:])
}

// orInto sets every bit of src in dst (a copy when dst is shared).
func orInto(dst, src []byte) {
	for i := range dst {
		dst[i] |= src[i]
	}
}

// auditBlocks gathers the summaries of the blocks a batch touches.
type auditBlocks map[int64]*blockSummary

func (bs auditBlocks) add(idx int64, at time.Time, e *indexedEvent) {
	b := bs[idx>>auditBlockShift]
	if b == nil {
		b = &blockSummary{minAt: at, maxAt: at, bloom: make([]byte, bloomBits/8), persons: make([]byte, personsSize)}
		bs[idx>>auditBlockShift] = b
	}
	if at.Before(b.minAt) {
		b.minAt = at
	}
	if at.After(b.maxAt) {
		b.maxAt = at
	}
	bloomAdd(b.bloom, 'p', e.PersonRef)
	if e.PersonRef != "" {
		binary.LittleEndian.PutUint16(b.persons[2*(idx&(1<<auditBlockShift-1)):], personPrint(e.PersonRef))
	}
	bloomAdd(b.bloom, 'a', e.AgentID)
	bloomAdd(b.bloom, 'c', e.ClientID)
	bloomAdd(b.bloom, 'o', e.OrganisationID)
	bloomAdd(b.bloom, 'u', e.Purpose)
	bloomAdd(b.bloom, 'x', e.Action)
}

// mergeFrom folds the summaries of other into bs.
func (bs auditBlocks) mergeFrom(other auditBlocks) {
	for block, o := range other {
		b := bs[block]
		if b == nil {
			bs[block] = o
			continue
		}
		b.minAt, b.maxAt = minTime(b.minAt, o.minAt), maxTime(b.maxAt, o.maxAt)
		orInto(b.bloom, o.bloom)
		orInto(b.persons, o.persons) // each entry's place is written once
	}
}

// lastBlock is the newest block as this process last wrote it, so that
// the next batch need not read it back. It is valid only while the log
// still ends where that write left it (next): any other writer would have
// moved the end, and a batch whose first index differs reads the block.
type lastBlock struct {
	next         int64
	block        int64
	minAt, maxAt time.Time
	bloom        []byte // nil: the block has no filter
	persons      []byte // nil: the block has no fingerprints
}

// merge folds the summaries into audit_blocks, in the transaction of the
// batch [first, end): a batch touches one block, two when it crosses a
// boundary. It returns the newest block's state, to remember once the
// transaction commits.
func (bs auditBlocks) merge(ctx context.Context, s Storage, tx *sql.Tx, first, end int64, last *lastBlock) (*lastBlock, error) {
	blocks := make([]int64, 0, len(bs))
	for block := range bs {
		blocks = append(blocks, block)
	}
	slices.Sort(blocks)
	var newest *lastBlock
	for _, block := range blocks {
		b := bs[block]
		var minAt, maxAt time.Time
		var stored, storedPersons []byte
		var err error
		if last != nil && last.next == first && last.block == block {
			minAt, maxAt, stored, storedPersons = last.minAt, last.maxAt, last.bloom, last.persons
		} else {
			err = tx.QueryRowContext(ctx, s.q(`SELECT min_at, max_at, bloom, persons FROM audit_blocks WHERE block = ?`), block).
				Scan(sqlstore.ScanTime(&minAt), sqlstore.ScanTime(&maxAt), &stored, &storedPersons)
		}
		cur := &lastBlock{next: end, block: block}
		switch {
		case errors.Is(err, sql.ErrNoRows):
			cur.minAt, cur.maxAt, cur.bloom, cur.persons = b.minAt, b.maxAt, b.bloom, b.persons
			_, err = tx.ExecContext(ctx, s.q(`INSERT INTO audit_blocks (block, min_at, max_at, bloom, persons) VALUES (?, ?, ?, ?, ?)`), block, b.minAt, b.maxAt, b.bloom, b.persons)
		case err == nil:
			cur.minAt, cur.maxAt = minTime(minAt, b.minAt), maxTime(maxAt, b.maxAt)
			// A block without a filter or fingerprints keeps none.
			var bloom, persons any
			if len(stored) == len(b.bloom) {
				merged := slices.Clone(stored)
				orInto(merged, b.bloom)
				cur.bloom, bloom = merged, merged
			}
			if len(storedPersons) == personsSize {
				merged := slices.Clone(storedPersons)
				orInto(merged, b.persons)
				cur.persons, persons = merged, merged
			}
			_, err = tx.ExecContext(ctx, s.q(`UPDATE audit_blocks SET min_at = ?, max_at = ?, bloom = ?, persons = ? WHERE block = ?`),
				cur.minAt, cur.maxAt, bloom, persons, block)
		}
		if err != nil {
			return nil, fmt.Errorf("audit block %d: %w", block, err)
		}
		newest = cur
	}
	return newest, nil
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a.UTC()
	}
	return b.UTC()
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a.UTC()
	}
	return b.UTC()
}

var leafEventStart = []byte(`"event":{`)

// scanIndexedEvent reads the indexed fields of a canonical leaf without a
// full JSON decoding, which would cost the single audit writer more than
// the insert itself. The canonical encoding (package audit) writes the
// event's fields in a fixed order, every field before "allowed" being a
// string, so the scan reads "key":"value" pairs up to "allowed" and
// stops. It reports false on anything else, and the caller then decodes.
func scanIndexedEvent(leaf []byte, e *indexedEvent) bool {
	i := bytes.Index(leaf, leafEventStart)
	if i < 0 {
		return false
	}
	b := leaf[i+len(leafEventStart):]
	for {
		key, rest, ok := scanString(b)
		if !ok || len(rest) == 0 || rest[0] != ':' {
			return false
		}
		b = rest[1:]
		if key == "allowed" {
			switch {
			case bytes.HasPrefix(b, []byte("true")):
				e.Allowed = true
			case bytes.HasPrefix(b, []byte("false")):
				e.Allowed = false
			default:
				return false
			}
			return true
		}
		val, rest, ok := scanString(b)
		if !ok || len(rest) == 0 || rest[0] != ',' {
			return false
		}
		b = rest[1:]
		switch key {
		case "time":
			e.Time = val
		case "agent_id":
			e.AgentID = val
		case "client_id":
			e.ClientID = val
		case "organisation_id":
			e.OrganisationID = val
		case "person_ref":
			e.PersonRef = val
		case "purpose":
			e.Purpose = val
		case "action":
			e.Action = val
		}
	}
}

// scanString reads the JSON string at the start of b and returns its value
// and what follows it.
func scanString(b []byte) (string, []byte, bool) {
	if len(b) == 0 || b[0] != '"' {
		return "", nil, false
	}
	escaped := false
	for j := 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			escaped = true
			j++ // skip the escaped character; \u is then plain hex
		case '"':
			if !escaped {
				return string(b[1:j]), b[j+1:], true
			}
			var s string
			if err := json.Unmarshal(b[:j+1], &s); err != nil {
				return "", nil, false
			}
			return s, b[j+1:], true
		}
	}
	return "", nil, false
}

// Limits of AuditSearch.
const (
	auditSearchDefault = 50
	auditSearchMax     = 500
)

// auditBlocksPage is how many block summaries a search reads at once.
const auditBlocksPage = 64

// AuditSearch returns the entries of the audit log that match q, newest
// first: at most q.Limit (50 by default, 500 at most), below q.Before when
// it is set. It reads the block summaries newest first and scans only the
// blocks whose time span and filter may match, comparing each entry's own
// fields; an entry that cannot be read, or whose leaf does not hold its
// own index, is reported as corrupt rather than shown.
func (s Storage) AuditSearch(ctx context.Context, q socle.AuditQuery) ([]socle.AuditHit, error) {
	type term struct {
		kind     byte
		key, val string
		field    func(*indexedEvent) string
	}
	var terms []term
	var needles [][]byte
	for _, t := range []term{
		{'p', "person_ref", q.PersonRef, func(e *indexedEvent) string { return e.PersonRef }},
		{'a', "agent_id", q.AgentID, func(e *indexedEvent) string { return e.AgentID }},
		{'o', "organisation_id", q.OrganisationID, func(e *indexedEvent) string { return e.OrganisationID }},
		{'u', "purpose", q.Purpose, func(e *indexedEvent) string { return e.Purpose }},
		{'x', "action", q.Action, func(e *indexedEvent) string { return e.Action }},
	} {
		if t.val == "" {
			continue
		}
		terms = append(terms, t)
		if plainJSON(t.val) {
			needles = append(needles, []byte(`"`+t.key+`":"`+t.val+`"`))
		}
	}
	from, to := q.From.UTC(), q.To.UTC()
	s2 := searchFilter{needles: needles, match: func(e *indexedEvent, at time.Time) bool {
		for _, t := range terms {
			if t.field(e) != t.val {
				return false
			}
		}
		return (q.From.IsZero() || !at.Before(from)) && (q.To.IsZero() || at.Before(to))
	}}
	var blockWhere []string
	var blockArgs []any
	if !q.From.IsZero() {
		blockWhere = append(blockWhere, "max_at >= ?")
		blockArgs = append(blockArgs, from)
	}
	if !q.To.IsZero() {
		blockWhere = append(blockWhere, "min_at < ?")
		blockArgs = append(blockArgs, to)
	}
	blocks := `SELECT block, bloom, persons FROM audit_blocks WHERE block <= ?`
	for _, w := range blockWhere {
		blocks += " AND " + w
	}
	blocks = s.q(blocks + " ORDER BY block DESC LIMIT ?")

	limit := q.Limit
	if limit <= 0 {
		limit = auditSearchDefault
	}
	limit = min(limit, auditSearchMax)
	upper := int64(1<<63 - 1)
	if q.Before > 0 {
		upper = int64(min(q.Before, 1<<63-1))
	}
	hits := []socle.AuditHit{}
	next := (upper - 1) >> auditBlockShift
	var wanted uint16 // the fingerprint of the person searched, 0 when none
	if q.PersonRef != "" {
		wanted = personPrint(q.PersonRef)
	}
	type candidate struct {
		block   int64
		entries []int64 // the entries to read, newest first; nil: scan the block
	}
	for next >= 0 && len(hits) < limit {
		var cands []candidate
		n := 0
		rows, err := s.read.QueryContext(ctx, blocks, append([]any{next}, append(blockArgs, auditBlocksPage)...)...)
		if err != nil {
			return nil, fmt.Errorf("audit search: %w", err)
		}
		for rows.Next() {
			var block int64
			var bloom, persons []byte
			if err := rows.Scan(&block, &bloom, &persons); err != nil {
				rows.Close()
				return nil, fmt.Errorf("audit search: %w", err)
			}
			n++
			next = block - 1
			may := true
			for _, t := range terms {
				may = may && bloomHas(bloom, t.kind, t.val)
			}
			if !may {
				continue
			}
			c := candidate{block: block}
			if wanted != 0 && len(persons) == personsSize {
				c.entries = []int64{}
				for i := int64(1<<auditBlockShift - 1); i >= 0; i-- {
					if idx := block<<auditBlockShift + i; idx < upper && personAt(persons, i) == wanted {
						c.entries = append(c.entries, idx)
					}
				}
			}
			cands = append(cands, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("audit search: %w", err)
		}
		for _, c := range cands {
			if len(hits) == limit {
				break
			}
			if c.entries != nil {
				if len(c.entries) == 0 {
					continue
				}
				if hits, err = s.auditScan(ctx, c.entries[len(c.entries)-1], c.entries[0]+1, c.entries, &s2, limit, hits); err != nil {
					return nil, err
				}
				continue
			}
			lo, hi := c.block<<auditBlockShift, min((c.block+1)<<auditBlockShift, upper)
			if hits, err = s.auditScan(ctx, lo, hi, nil, &s2, limit, hits); err != nil {
				return nil, err
			}
		}
		if n < auditBlocksPage {
			break
		}
	}
	return hits, nil
}

// searchFilter tells the entries a search wants.
type searchFilter struct {
	// needles are "key":"value" as the canonical encoding writes the
	// values searched for: a leaf without one of them cannot match, and
	// is skipped without being parsed (most leaves of a block). Searching
	// the bytes in SQL (instr) was slower than here.
	needles [][]byte
	// match compares the fields of an entry that holds the needles.
	match func(*indexedEvent, time.Time) bool
}

func (f *searchFilter) mayMatch(leaf []byte) bool {
	for _, n := range f.needles {
		if !bytes.Contains(leaf, n) {
			return false
		}
	}
	return true
}

// plainJSON reports whether JSON writes s as is between quotes (no
// escape), as the canonical encoding does for such a value.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

// auditScan reads the entries [from, to) newest first, or only those at
// positions only (newest first) when not nil, and appends those that
// match, up to limit hits in all.
func (s Storage) auditScan(ctx context.Context, from, to int64, only []int64, f *searchFilter, limit int, hits []socle.AuditHit) ([]socle.AuditHit, error) {
	visit := func(idx int64, leaf, _ []byte) error {
		if !f.mayMatch(leaf) {
			return nil
		}
		e, at, err := parseIndexed(idx, leaf)
		if err != nil {
			return &audit.CorruptError{Index: uint64(idx), Err: err}
		}
		if !f.match(&e, at) {
			return nil
		}
		var l struct {
			V     int              `json:"v"`
			Index uint64           `json:"index"`
			Event socle.AuditEvent `json:"event"`
		}
		if err := json.Unmarshal(leaf, &l); err != nil {
			return &audit.CorruptError{Index: uint64(idx), Err: err}
		}
		if l.V != 1 || l.Index != uint64(idx) {
			return &audit.CorruptError{Index: uint64(idx), Err: fmt.Errorf("entry holds index %d", l.Index)}
		}
		hits = append(hits, socle.AuditHit{Index: l.Index, Event: l.Event})
		if len(hits) == limit {
			return errStopScan
		}
		return nil
	}
	var err error
	if only != nil {
		err = s.scanEntriesAt(ctx, only, visit)
	} else {
		err = s.scanEntries(ctx, from, to, true, visit)
	}
	if err != nil {
		return nil, fmt.Errorf("audit search: %w", err)
	}
	return hits, nil
}
