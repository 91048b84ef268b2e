package socle

import (
	"context"
	"time"
)

// PersonWriter stores a write of a person's file together with what must
// go with it, in one transaction: all of it is stored or none, so that a
// crash, an outage or a failed insert never leaves a person without her
// provenance or her follow-up (invisible to the organisation that
// registered her), and a write that answers an error was not applied.
type PersonWriter interface {
	// RegisterPerson stores a new person (as CreatePerson), the provenance
	// of her sections and f, the follow-up by the organisation that
	// registers her; with idem, also the Idempotency-Key and its result.
	// A key already used by the principal is ECONFLICT.
	RegisterPerson(ctx context.Context, p *Person, prov []Provenance, f *Followup, idem *IdempotencyRecord) error
	// UpdatePersonSupplied replaces the sections of p that are in granted
	// (as UpdatePerson) and records their provenance.
	UpdatePersonSupplied(ctx context.Context, p *Person, granted CategorySet, prov []Provenance) error
	// Idempotency returns the record of the principal's key stored less
	// than IdempotencyWindow ago; ENOTFOUND if none.
	Idempotency(ctx context.Context, principal, key string) (*IdempotencyRecord, error)
}

// IdempotencyWindow is how long an Idempotency-Key is remembered: a retry
// within it gets the first result; after it the key may be used again.
const IdempotencyWindow = 24 * time.Hour

// IdempotencyRecord is the result of a create made with an
// Idempotency-Key header: a retry with the same key and the same request
// gets the same result instead of creating a second record.
type IdempotencyRecord struct {
	// Principal is who made the request: "agent:ID" or "client:ID".
	Principal string
	// Key is the client's Idempotency-Key, 1 to 255 visible ASCII characters.
	Key string
	// Operation names what was created ("create_person").
	Operation string
	// RequestHash is the hex SHA-256 of the request: the same key with a
	// different request is refused.
	RequestHash string
	// ResourceID is the id of what was created.
	ResourceID string
	// PersonID is the person the create was about, if any: her erasure
	// removes the record.
	PersonID  string
	CreatedAt time.Time
	// Status and Location are the first HTTP answer of a create kept by
	// IdempotentAnswers; Status is 0 while it is being processed. The
	// answer's body is never kept: it may hold personal data, which lives
	// only in the sealed records; a replay reads the resource again
	// through the gate.
	Status   int
	Location string
}

// ValidIdempotencyKey reports whether key is 1 to 255 visible ASCII
// characters.
func ValidIdempotencyKey(key string) bool {
	if len(key) == 0 || len(key) > 255 {
		return false
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return false
		}
	}
	return true
}
