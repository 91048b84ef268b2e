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
}

// ThrottleStore keeps the inline throttle's state in the store, so that it
// survives a restart and is shared by every server on the same store.
// Each method is one atomic statement or transaction; the throttle tolerates
// the small overshoot of concurrent servers counting at the same moment.
type ThrottleStore interface {
	// ThrottleWindow returns the principal's state (zero but for Principal
	// when none), the total weight of the subjects it read after since,
	// and which of subjects are among them.
	ThrottleWindow(ctx context.Context, principal string, since time.Time, subjects []string) (st ThrottleState, weight int, counted []string, err error)
	// CountThrottleReads records the reads at at, a subject read again
	// keeping one row, and forgets the principal's reads not after since.
	CountThrottleReads(ctx context.Context, principal string, reads []ThrottleRead, at, since time.Time) error
	// AskStepUp records that the principal was asked for a fresh second
	// factor at at.
	AskStepUp(ctx context.Context, principal, organisationID string, at time.Time) error
	// RecordStepUp records a fresh second factor given at at.
	RecordStepUp(ctx context.Context, principal string, at time.Time) error
	// BlockPrincipal blocks the principal from at until until.
	BlockPrincipal(ctx context.Context, principal, organisationID string, at, until time.Time, weight int) error
	// LiftBlock ends the principal's block in force at at and forgets its
	// reads and pending step-up. Returns ENOTFOUND if none is in force.
	LiftBlock(ctx context.Context, principal string, at time.Time) error
	// ThrottleBlocks lists the blocks in force at at, newest first.
	ThrottleBlocks(ctx context.Context, at time.Time, limit int) ([]ThrottleState, error)
}
