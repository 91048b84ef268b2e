package socle

import (
	"context"
	"time"
)

// ThrottleRead is one subject a principal reads, counted by the gate's
// inline throttle: a person ("person:" + id) or an exact-identifier lookup
// (a keyed hash of the identifier), with its weight.
type ThrottleRead struct {
	Subject string
	Weight  int
}

// ThrottleState is what the inline throttle remembers of one principal
// ("agent:ID" or "client:ID") besides its reads: the step-up it asked for,
// the last step-up given and the block in force. Zero times mean none.
type ThrottleState struct {
	Principal      string    `json:"principal"`
	OrganisationID string    `json:"organisation_id,omitempty"`
	StepUpAsked    time.Time `json:"step_up_asked_at,omitzero"`
	SteppedUp      time.Time `json:"stepped_up_at,omitzero"`
	BlockedAt      time.Time `json:"blocked_at,omitzero"`
	BlockedUntil   time.Time `json:"blocked_until,omitzero"`
	// BlockedWeight is the weighted count of reads that caused the block.
	BlockedWeight int `json:"blocked_weight,omitempty"`
	// ReadsVersion changes each time the principal's counted reads change
	// in the store (a count written, a block lifted): a server keeping
	// the window in memory reads it again only when it does.
	ReadsVersion int64 `json:"-"`
}

// ThrottleCounted is one subject in a principal's window: its weight and
// when it was last counted.
type ThrottleCounted struct {
	Subject string
	Weight  int
	At      time.Time
}

// ThrottleStore keeps the inline throttle's state in the store, so that it
// survives a restart and is shared by every server on the same store.
// Each method is one atomic statement or transaction; the throttle tolerates
// the small overshoot of concurrent servers counting at the same moment.
type ThrottleStore interface {
	// ThrottleState returns the principal's state, zero but for Principal
	// when none. One read by the primary key: every personal-data access
	// asks it.
	ThrottleState(ctx context.Context, principal string) (ThrottleState, error)
	// ThrottleReads returns the subjects the principal read after since.
	ThrottleReads(ctx context.Context, principal string, since time.Time) ([]ThrottleCounted, error)
	// CountThrottleReads records the reads at at, a subject read again
	// keeping one row, forgets the principal's reads not after since, and
	// returns the principal's ReadsVersion this count gave, one more than
	// the one before it.
	CountThrottleReads(ctx context.Context, principal string, reads []ThrottleRead, at, since time.Time) (readsVersion int64, err error)
	// AskStepUp records that the principal was asked for a fresh second
	// factor at at.
	AskStepUp(ctx context.Context, principal, organisationID string, at time.Time) error
	// RecordStepUp records a fresh second factor given at at.
	RecordStepUp(ctx context.Context, principal string, at time.Time) error
	// BlockPrincipal blocks the principal from at until until.
	BlockPrincipal(ctx context.Context, principal, organisationID string, at, until time.Time, weight int) error
	// LiftBlock ends the principal's block in force at at, forgets its
	// reads and pending step-up and changes its ReadsVersion. Returns
	// ENOTFOUND if none is in force.
	LiftBlock(ctx context.Context, principal string, at time.Time) error
	// ThrottleBlocks lists the blocks in force at at, newest first.
	ThrottleBlocks(ctx context.Context, at time.Time, limit int) ([]ThrottleState, error)
}
