package gate

import (
	"context"
	"fmt"

	"socle"
)

// FileProvenance returns, for an adviser's or a partner's reading of a
// person's file, which organisation supplied each section she may read
// and when: only the sections the decision grants, so that a masked
// section does not even show that it exists. Audited as a read of the
// person.
func (g *Gate) FileProvenance(ctx context.Context, req Request, personID string) ([]socle.Provenance, error) {
	s := spec{action: socle.ActionRead, res: personRes(personID), want: socle.AllCategories, valid: validPerson(personID)}
	out, _, err := access(ctx, g, req, s, func(ctx context.Context, d socle.Decision) ([]socle.Provenance, outcome, error) {
		all, err := g.store.LatestProvenance(ctx, personID)
		if err != nil {
			return nil, outcome{}, fmt.Errorf("reading provenance: %w", err)
		}
		var out []socle.Provenance
		for _, p := range all {
			if d.Categories.Has(p.Category) {
				out = append(out, p)
			}
		}
		return out, outcome{records: len(out)}, nil
	})
	return out, err
}
