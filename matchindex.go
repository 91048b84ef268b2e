package socle

// MatchReason is one component of a matching score, with its points and a
// French sentence.
type MatchReason struct {
	Criterion string  `json:"criterion"` // metier, competences, distance, contrat, horaires, disponibilite
	Points    float64 `json:"points"`
	Max       float64 `json:"max"`
	Text      string  `json:"text"`
}

// MatchScore is a person ranked for an offer.
type MatchScore struct {
	PersonID string        `json:"person_id"`
	Score    float64       `json:"score"`
	Reasons  []MatchReason `json:"reasons"`
}

// ScoredOffer is an offer ranked for a person.
type ScoredOffer struct {
	Offer   *Offer        `json:"offer"`
	Score   float64       `json:"score"`
	Reasons []MatchReason `json:"reasons"`
}

// MatchFilter restricts the persons ranked.
type MatchFilter struct {
	// OrganisationID keeps only the persons this organisation follows;
	// required, so that a ranking never reaches beyond the population the
	// asking organisation may see.
	OrganisationID string
	// Exclude are persons left out (already proposed on the offer).
	Exclude map[string]bool
}

// MatchIndex is the index of the mise en relation. It is built from
// personal data (who has which skills, lives where, is followed by whom):
// only the gate holds one, and every ranking leaves it through the gate.
type MatchIndex interface {
	// Rank ranks for an offer the persons f admits, best first, at most k.
	Rank(o *Offer, f MatchFilter, k int) ([]MatchScore, error)
	// RankOffers ranks the open offers for a person, best first, at most k.
	RankOffers(p *Person, k int) []ScoredOffer
	// Score scores one person for an offer; false when the index does not
	// know her.
	Score(o *Offer, personID string) (MatchScore, bool)
	// UpsertOffer makes a saved offer visible to the ranking at once.
	UpsertOffer(o *Offer)
}
