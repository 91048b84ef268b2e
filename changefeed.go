package socle

import (
	"context"
	"time"
)

// RecordChange is one entry of the change feed: a person or a company was
// written. It names the record and its version, never its data: a partner
// reads the data through the gate, audited.
type RecordChange struct {
	// Seq orders the feed; it only grows, in the order the writes
	// committed, so that a cursor never skips an entry.
	Seq     int64        `json:"seq"`
	Kind    ResourceKind `json:"kind"`
	ID      string       `json:"id"`
	Version int          `json:"version"` // 1 for the creation, then +1 per write
	At      time.Time    `json:"time"`
}

// ChangeFeed lists the changes of persons and companies. A store records
// each change in the transaction of the write that makes it.
type ChangeFeed interface {
	// Changes returns at most limit changes with a Seq above after, in
	// Seq order.
	Changes(ctx context.Context, after int64, limit int) ([]RecordChange, error)
}
