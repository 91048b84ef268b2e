package gate

import (
	"context"
	"fmt"

	"socle"
)

// CaseloadPageSize bounds one page of an adviser's caseload.
const CaseloadPageSize = 50

// caseloadStore lists an organisation's caseload (sqlstore.DB.Caseload).
type caseloadStore interface {
	Caseload(ctx context.Context, q socle.CaseloadQuery) ([]socle.CaseloadEntry, error)
}

// Caseload returns one page of the acting adviser's caseload ("Mes
// usagers"): the persons her organisation follows today, whatever q says
// of the organisation, with list-level data only (names, birth date,
// référent, next appointment, contract state, open requests). It is
// decided like a search, with purpose accompagnement over the identity and
// parcours sections, and audited as one search whose event references
// every person listed; each of them weighs in the throttle.
func (p *Parcours) Caseload(ctx context.Context, req Request, q socle.CaseloadQuery) ([]socle.CaseloadEntry, error) {
	listed := socle.SetOf(socle.CatIdentity, socle.CatParcours)
	s := spec{action: socle.ActionSearch, res: socle.Resource{Kind: socle.ResourcePerson}, want: listed, need: listed,
		purposes: []string{purposeAccompagnement}, valid: func() error {
			if req.Actor.AgentID == "" || req.Actor.OrganisationID == "" {
				return socle.Errorf(socle.EFORBIDDEN, "a caseload is an adviser's")
			}
			if q.Limit < 0 || q.Limit > CaseloadPageSize || q.Offset < 0 {
				return socle.Errorf(socle.EINVALID, "a caseload page holds 1 to %d persons from a positive offset", CaseloadPageSize)
			}
			return nil
		}}
	entries, _, err := access(ctx, p.g, req, s, func(ctx context.Context, _ socle.Decision) ([]socle.CaseloadEntry, outcome, error) {
		q.OrganisationID = req.Actor.OrganisationID
		now := p.g.Now()
		q.Now, q.Today = now, socle.DateOf(now)
		if q.Limit == 0 {
			q.Limit = CaseloadPageSize
		}
		entries, err := p.store.Caseload(ctx, q)
		if err != nil {
			return nil, outcome{}, fmt.Errorf("reading the caseload: %w", err)
		}
		ids := make([]string, len(entries))
		for i, e := range entries {
			ids[i] = e.PersonID
		}
		return entries, outcome{records: len(entries), persons: ids, refs: true}, nil
	})
	return entries, err
}
