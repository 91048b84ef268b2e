package gate

import (
	"context"

	"socle"
)

// provenance notes that the actor's organisation supplied the sections
// cats of the person's file now; the store records it with the write.
func (g *Gate) provenance(req Request, personID string, cats socle.CategorySet) []socle.Provenance {
	var out []socle.Provenance
	at := g.Now()
	for _, c := range socle.Categories {
		if cats.Has(c) {
			out = append(out, socle.Provenance{PersonID: personID, Category: c, OrganisationID: req.Actor.OrganisationID,
				AgentID: req.Actor.AgentID, ClientID: req.Actor.ClientID, At: at})
		}
	}
	return out
}

// MyProvenance returns, in the person's own space, which organisation
// supplied each section of her file and when. Audited as "self_read".
func (g *Gate) MyProvenance(ctx context.Context, req Request) ([]socle.Provenance, error) {
	out, _, err := access(ctx, g, req, selfSpec(req, "self_read", selfDecision), func(ctx context.Context, _ socle.Decision) ([]socle.Provenance, outcome, error) {
		out, err := g.store.LatestProvenance(ctx, req.Actor.PersonID)
		return out, outcome{records: len(out)}, err
	})
	return out, err
}
