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
	if err := checkSelf(req); err != nil {
		return nil, err
	}
	ps, ok := g.store.(socle.ProvenanceStore)
	if !ok {
		return nil, nil
	}
	out, err := ps.LatestProvenance(ctx, req.Actor.PersonID)
	if err != nil {
		return nil, err
	}
	if err := g.auditSelf(ctx, req, "self_read", len(out)); err != nil {
		return nil, err
	}
	return out, nil
}
