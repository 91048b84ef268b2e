package gate

import (
	"context"
	"fmt"

	"socle"
)

// RectificationQueueLimit bounds the organisation's queue of open
// rectification requests returned at once.
const RectificationQueueLimit = 500

// RectificationQueue returns the open rectification requests of the
// persons the adviser's organisation follows today, oldest first: the
// organisation's work list. The policy decides with purpose
// accompagnement over the parcours section; the listing is audited as one
// search.
func (p *Parcours) RectificationQueue(ctx context.Context, req Request) ([]*socle.RectificationRequest, error) {
	s := listingSpec(func() error {
		if req.Actor.AgentID == "" || req.Actor.OrganisationID == "" {
			return socle.Errorf(socle.EFORBIDDEN, "the rectification queue is an adviser's")
		}
		return nil
	})
	rs, _, err := access(ctx, p.g, req, s, func(ctx context.Context, _ socle.Decision) ([]*socle.RectificationRequest, outcome, error) {
		rs, err := p.store.OpenRectifications(ctx, req.Actor.OrganisationID, socle.DateOf(p.g.Now()), RectificationQueueLimit)
		if err != nil {
			return nil, outcome{}, fmt.Errorf("reading the rectification queue: %w", err)
		}
		ids := make([]string, len(rs))
		for i, r := range rs {
			ids[i] = r.PersonID
		}
		return rs, outcome{records: len(rs), persons: ids}, nil
	})
	return rs, err
}
