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
	if err := p.g.checkCaller(req); err != nil {
		return nil, err
	}
	if req.Actor.AgentID == "" || req.Actor.OrganisationID == "" {
		return nil, socle.Errorf(socle.EFORBIDDEN, "the rectification queue is an adviser's")
	}
	if err := requirePurpose(req, purposeAccompagnement); err != nil {
		return nil, err
	}
	res := socle.Resource{Kind: socle.ResourcePerson}
	d, err := p.g.decide(ctx, req, socle.ActionSearch, res, socle.SetOf(socle.CatParcours))
	if err != nil {
		return nil, err
	}
	if err := covers(d, socle.SetOf(socle.CatParcours)); err != nil {
		return nil, err
	}
	rs, err := p.store.OpenRectifications(ctx, req.Actor.OrganisationID, socle.DateOf(p.g.Now()), RectificationQueueLimit)
	if err != nil {
		return nil, fmt.Errorf("reading the rectification queue: %w", err)
	}
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.PersonID
	}
	if err := p.g.throttlePersons(ctx, req, socle.ActionSearch, res, ids); err != nil {
		return nil, err
	}
	if err := p.g.audit(ctx, req, socle.ActionSearch, res, d, len(rs)); err != nil {
		return nil, err
	}
	return rs, nil
}
