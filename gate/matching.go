package gate

import (
	"context"
	"fmt"

	"socle"
)

// PurposeMatching is the purpose of every access of the mise en relation.
const PurposeMatching = "mise_en_relation"

// MatchStore is what the mise en relation needs of the store besides Store.
// The gate's store must implement it for the methods of this file.
type MatchStore interface {
	CreateMatch(ctx context.Context, m *socle.Match) error
	Match(ctx context.Context, id string) (*socle.Match, error)
	MatchesOfOffer(ctx context.Context, offerID string) ([]*socle.Match, error)
	SetMatchStatus(ctx context.Context, id, status, actor, note string) error
	MatchingConsent(ctx context.Context, personID string) (bool, error)
	SetMatchingConsent(ctx context.Context, personID string, given bool, recordedBy string) error
}

// matchIndex returns the index of the mise en relation; EUNAVAILABLE for
// a gate built without one (WithMatching).
func (g *Gate) matchIndex() (socle.MatchIndex, error) {
	if g.matches == nil {
		return nil, socle.Errorf(socle.EUNAVAILABLE, "the matching index is not available")
	}
	return g.matches, nil
}

// indexOffer makes a saved offer visible to the ranking at once.
func (g *Gate) indexOffer(o *socle.Offer) {
	if idx, err := g.matchIndex(); err == nil {
		idx.UpsertOffer(o)
	}
}

func (g *Gate) checkMatching(req Request) error {
	if err := g.checkCaller(req); err != nil {
		return err
	}
	if req.Purpose != PurposeMatching {
		return socle.Errorf(socle.EINVALID, "the mise en relation is done for the purpose %s", PurposeMatching)
	}
	return nil
}

// cardCategories are what an adviser reads of a candidate.
var cardCategories = socle.SetOf(socle.CatIdentity, socle.CatContact, socle.CatSkills)

// Candidate is a person ranked for an offer, as the policy lets the adviser
// read her, with the explanation of her score.
type Candidate struct {
	Person   *socle.Person       `json:"person"`
	Score    float64             `json:"score"`
	Reasons  []socle.MatchReason `json:"reasons"`
	Decision socle.Decision      `json:"decision"`
}

// MatchCandidates ranks for an offer the persons the actor's organisation
// follows (the index filters by organisation before anything leaves it),
// leaving out those already proposed, then reads each candidate through
// ReadPerson: decided, masked and audited one by one, and dropped when the
// policy denies.
func (g *Gate) MatchCandidates(ctx context.Context, req Request, offerID string, k int) ([]Candidate, error) {
	if err := g.checkMatching(req); err != nil {
		return nil, err
	}
	idx, err := g.matchIndex()
	if err != nil {
		return nil, err
	}
	offer, err := g.store.Offer(ctx, offerID)
	if err != nil {
		return nil, err
	}
	proposed, err := g.store.MatchesOfOffer(ctx, offerID)
	if err != nil {
		return nil, err
	}
	exclude := map[string]bool{}
	for _, m := range proposed {
		exclude[m.PersonID] = true
	}
	ranked, err := idx.Rank(offer, socle.MatchFilter{OrganisationID: req.Actor.OrganisationID, Exclude: exclude}, k)
	if err != nil {
		return nil, err
	}
	return readCards(ctx, g, req, ranked, func(r socle.MatchScore) string { return r.PersonID },
		func(r socle.MatchScore, p *socle.Person, d socle.Decision) Candidate {
			return Candidate{Person: p, Score: r.Score, Reasons: r.Reasons, Decision: d}
		})
}

// OffersForPerson reads a person through the gate (skills, contact,
// parcours) and ranks the open offers for her.
func (g *Gate) OffersForPerson(ctx context.Context, req Request, personID string, k int) ([]socle.ScoredOffer, socle.Decision, error) {
	if err := g.checkMatching(req); err != nil {
		return nil, socle.Decision{}, err
	}
	idx, err := g.matchIndex()
	if err != nil {
		return nil, socle.Decision{}, err
	}
	p, d, err := g.ReadPerson(ctx, req, personID, socle.SetOf(socle.CatContact, socle.CatSkills, socle.CatParcours))
	if err != nil {
		return nil, d, err
	}
	return idx.RankOffers(p, k), d, nil
}

// Propose proposes a person on an offer (mise en relation). The actor must
// be allowed to read the person for the purpose; the person must have
// agreed to be proposed, or the actor be her référent. consent says that
// the adviser has just collected her agreement, which is then recorded.
// The proposal is audited, then becomes a relationship fact of the policy.
func (g *Gate) Propose(ctx context.Context, req Request, offerID, personID string, consent bool) (*socle.Match, socle.Decision, error) {
	var offer *socle.Offer
	var idx socle.MatchIndex
	s := spec{action: socle.ActionRead, logged: "propose", want: socle.SetOf(socle.CatSkills), purposes: []string{PurposeMatching},
		valid: validPerson(personID),
		locate: func(ctx context.Context) (socle.Resource, error) {
			var err error
			if idx, err = g.matchIndex(); err != nil {
				return socle.Resource{}, err
			}
			if offer, err = g.store.Offer(ctx, offerID); err != nil {
				return socle.Resource{}, err
			}
			if !offer.Open {
				return socle.Resource{}, socle.Errorf(socle.EINVALID, "the offer is closed")
			}
			return personRes(personID), nil
		}}
	return access(ctx, g, req, s, func(ctx context.Context, d socle.Decision) (*socle.Match, outcome, error) {
		referent := d.Referent
		m := &socle.Match{OfferID: offerID, PersonID: personID, AgentID: req.Actor.AgentID, OrganisationID: req.Actor.OrganisationID}
		switch {
		case referent:
			m.Basis = socle.MatchBasisReferent
		case consent:
			m.Basis = socle.MatchBasisConsent
		default:
			given, err := g.store.MatchingConsent(ctx, personID)
			if err != nil {
				return nil, outcome{}, err
			}
			if !given {
				return nil, outcome{}, socle.Errorf(socle.EFORBIDDEN, "the person has not agreed to be proposed to employers and you are not her référent: collect her agreement first")
			}
			m.Basis = socle.MatchBasisConsent
		}
		if s, ok := idx.Score(offer, personID); ok {
			m.Score = s.Score
			for _, r := range s.Reasons {
				m.Reasons = append(m.Reasons, r.Text)
			}
		}
		m.ID = socle.NewID(socle.PrefixMatch)
		basis := "Vous êtes le référent de cette personne."
		if m.Basis == socle.MatchBasisConsent {
			basis = "La personne a donné son accord pour être proposée à des employeurs."
		}
		proposal := socle.Fact{Kind: "proposal", Text: basis + " Elle est proposée sur l'offre « " + offer.Title + " ».",
			Detail: map[string]string{"match_id": m.ID, "offer_id": offerID, "basis": m.Basis}}
		// Recorded before the write: a proposal that cannot be recorded
		// must not happen.
		return m, outcome{records: 1, facts: []socle.Fact{proposal}, write: func(ctx context.Context) error {
			if consent && !referent {
				if err := g.store.SetMatchingConsent(ctx, personID, true, req.Actor.AgentID); err != nil {
					return fmt.Errorf("recording consent: %w", err)
				}
			}
			if err := g.store.CreateMatch(ctx, m); err != nil {
				return fmt.Errorf("proposing: %w", err)
			}
			g.invalidate(personID)
			return nil
		}}, nil
	})
}

// Proposed is a person proposed on an offer, as the actor may read her.
type Proposed struct {
	Match  *socle.Match  `json:"match"`
	Person *socle.Person `json:"person,omitempty"`
}

// OfferMatches lists the persons proposed on an offer, each read through
// ReadPerson (so that company advisers see those proposed on their offers,
// masked and audited); persons the actor may not read are left out.
func (g *Gate) OfferMatches(ctx context.Context, req Request, offerID string) ([]Proposed, error) {
	if err := g.checkMatching(req); err != nil {
		return nil, err
	}
	matches, err := g.store.MatchesOfOffer(ctx, offerID)
	if err != nil {
		return nil, err
	}
	return readCards(ctx, g, req, matches, func(m *socle.Match) string { return m.PersonID },
		func(m *socle.Match, p *socle.Person, _ socle.Decision) Proposed { return Proposed{Match: m, Person: p} })
}

// readCards reads through ReadPerson, each audited, the card of the person
// of each item, and builds a result of each; the persons the actor may not
// read are left out.
func readCards[T, R any](ctx context.Context, g *Gate, req Request, items []T, personID func(T) string, result func(T, *socle.Person, socle.Decision) R) ([]R, error) {
	var out []R
	for _, it := range items {
		p, d, err := g.ReadPerson(ctx, req, personID(it), cardCategories)
		if socle.ErrorCode(err) == socle.ENOTFOUND {
			continue
		} else if err != nil {
			return nil, err
		}
		out = append(out, result(it, p, d))
	}
	return out, nil
}
