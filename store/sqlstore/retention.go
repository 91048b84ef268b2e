package sqlstore

import (
	"context"

	"socle"
)

// ExpiryStage is what the end of retention does to a person.
type ExpiryStage int

// The stages, in the order retention reaches them.
const (
	// StageShred selects the persons whose sensitive sections are still
	// readable (a live key), for crypto-shredding.
	StageShred ExpiryStage = iota
	// StageErase selects the persons not erased yet, for erasure.
	StageErase
)

// ExpiryQuery asks for a batch of expired persons.
type ExpiryQuery struct {
	Stage ExpiryStage
	// Cutoff is the first day that still counts as recent: a person is
	// expired when no follow-up of hers is open or ended on or after
	// Cutoff, and — if she never had a follow-up — her record was created
	// before Cutoff.
	Cutoff socle.Date
	After  string // keyset: ids greater than After, in id order
	Limit  int    // default 500, at most 5000
}

// expiryPredicate is the expiry rule of ExpiryQuery on the person id in
// column col; its three parameters are the cutoff date, the cutoff date
// again as a time, and nothing else. The follow-ups are probed through
// their person_id index, so a batch costs a few index lookups per person.
func expiryPredicate(col string) string {
	return ` AND NOT EXISTS (SELECT 1 FROM followups f WHERE f.person_id = ` + col + ` AND (f.end_date IS NULL OR f.end_date >= ?))
	AND (EXISTS (SELECT 1 FROM followups f WHERE f.person_id = ` + col + `) OR p.created_at < ?)`
}

var (
	shredCandidates = `SELECT k.person_id FROM person_keys k JOIN persons p ON p.id = k.person_id
	WHERE k.wrapped_key IS NOT NULL AND k.person_id > ?` + expiryPredicate("k.person_id") + `
	ORDER BY k.person_id LIMIT ?`
	eraseCandidates = `SELECT p.id FROM persons p LEFT JOIN person_keys k ON k.person_id = p.id
	WHERE k.erased_at IS NULL AND p.id > ?` + expiryPredicate("p.id") + `
	ORDER BY p.id LIMIT ?`
)

// ExpiredPersons returns the ids of the next batch of expired persons of
// the stage, in id order; fewer than the limit means the last batch.
func (s *DB) ExpiredPersons(ctx context.Context, q ExpiryQuery) ([]string, error) {
	if q.Cutoff.IsZero() {
		return nil, socle.Errorf(socle.EINVALID, "expired persons: a cutoff date is required")
	}
	query := shredCandidates
	if q.Stage == StageErase {
		query = eraseCandidates
	}
	cutoffTime := q.Cutoff.Time()
	return queryAll(ctx, s, scanString, "expired persons", query, q.After, q.Cutoff, cutoffTime, clampLimit(q.Limit, 500, 5000))
}
