package audit

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"

	"socle"
)

// Record is one stored entry of the log: the canonical leaf bytes and the
// Merkle tree node hashes that appending this leaf completed.
//
// Hashes holds 32*(1+k) bytes where k is the number of trailing one bits of
// the entry's index: first the leaf hash (level 0), then the root of each
// perfect subtree that this leaf closes, lowest level first. Node (level L,
// index n) of the tree is therefore stored with entry (n+1)<<L - 1, at
// offset 32*L. Keeping them next to the leaf lets a store serve proofs for
// millions of entries with a handful of point reads, and keeps one row (or
// one record) per event.
type Record struct {
	Leaf   []byte
	Hashes []byte
	// Summary is what a search index keeps of the entry's event, taken
	// from the event as appended, so that a store need not decode Leaf
	// again (the audit writer's time); nil on records read back, and on
	// events whose text the canonical encoding would not give back as is.
	Summary *Summary
}

// Summary is the part of an entry's event that a store's search index
// summarises (store/auditsql): exactly what decoding the leaf would give.
type Summary struct {
	Time                              time.Time // UTC
	AgentID, ClientID, OrganisationID string
	PersonRef, Purpose, Action        string
}

// summarise returns the Summary of ev, or nil when one of its texts is
// not valid UTF-8: the encoding replaces such bytes, so only a decoding of
// the leaf gives what it holds.
func summarise(ev *socle.AuditEvent) *Summary {
	for _, s := range [...]string{ev.AgentID, ev.ClientID, ev.OrganisationID, ev.PersonRef, ev.Purpose, ev.Action} {
		if !utf8.ValidString(s) {
			return nil
		}
	}
	return &Summary{
		Time: ev.Time.UTC(), AgentID: ev.AgentID, ClientID: ev.ClientID, OrganisationID: ev.OrganisationID,
		PersonRef: ev.PersonRef, Purpose: ev.Purpose, Action: ev.Action,
	}
}

// Storage is where a Log keeps its entries and signed checkpoints.
// store/auditsql implements it over SQLite and PostgreSQL with two tables
// (entries keyed by index, checkpoints keyed by an increasing id).
//
// Slices passed to callbacks are only valid during the call.
type Storage interface {
	// Size returns the number of entries stored.
	Size(ctx context.Context) (uint64, error)
	// AppendBatch stores records as entries first, first+1, ... atomically
	// and durably: when it returns nil all of them survive a crash, when it
	// returns an error none of them is visible. first must equal Size.
	AppendBatch(ctx context.Context, first uint64, records []Record) error
	// ReadRange calls fn for the entries from (inclusive) to to (exclusive),
	// in order. It stops at the first error fn returns and returns it.
	ReadRange(ctx context.Context, from, to uint64, fn func(i uint64, r Record) error) error
	// ReadHashes returns the Hashes of the given entries, in the order asked.
	ReadHashes(ctx context.Context, indexes []uint64) ([][]byte, error)
	// PutCheckpoint durably stores a signed checkpoint of the given tree size.
	PutCheckpoint(ctx context.Context, size uint64, note []byte) error
	// LatestCheckpoint returns the last checkpoint stored, or a nil note if
	// there is none.
	LatestCheckpoint(ctx context.Context) (size uint64, note []byte, err error)
	// Checkpoints calls fn for every stored checkpoint, in the order stored.
	Checkpoints(ctx context.Context, fn func(size uint64, note []byte) error) error
}

// CorruptError is returned by a Storage that cannot decode entry Index (a
// checksum or framing failure). Verify reports it as the first bad entry
// instead of failing.
type CorruptError struct {
	Index uint64
	Err   error
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("audit: entry %d is corrupt: %v", e.Index, e.Err)
}

func (e *CorruptError) Unwrap() error { return e.Err }

// IndexedStorage is a Storage that also keeps a search index derived from
// its entries (the SQL stores' block summaries, audit_blocks), which
// what a person sees of the accesses to her file, and the privacy
// officers' searches, read. Deleting or altering index rows would hide
// accesses without touching the tree, so the index is verified too.
type IndexedStorage interface {
	Storage
	// IndexCheck starts a verification of the index that rides on Verify,
	// so that each entry is read once for both.
	IndexCheck() IndexCheck
}

// IndexCheck is a Storage reading the same entries whose ReadRange also
// compares each entry it reads with its index row: pass it to Verify, then
// call Finish.
type IndexCheck interface {
	Storage
	// Finish completes the check of the index of the entries [0, size):
	// the block summaries, the rows past the end, and, if Verify stopped
	// before size, every entry again. It returns an error only when it
	// could not do its work.
	Finish(ctx context.Context, size uint64) (IndexReport, error)
}

// IndexReport is the outcome of an IndexCheck.
type IndexReport struct {
	Checked uint64 // entries whose index row was compared
	// Problems names the first problems found (missing, extra or altered
	// rows, block summaries that would skip entries), in index order.
	Problems []string
	Count    int // problems found in all
}

// OK reports whether the index matches the entries.
func (r IndexReport) OK() bool { return r.Count == 0 }

// MaxIndexProblems is how many problems an IndexReport names.
const MaxIndexProblems = 20

// Add records a problem.
func (r *IndexReport) Add(format string, args ...any) {
	r.Count++
	if len(r.Problems) < MaxIndexProblems {
		r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
	}
}
