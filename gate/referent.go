package gate

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"socle"
)

// Adviser is an adviser a structure may name référent: her id and name,
// nothing else of her account.
type Adviser struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// openFollowup is the follow-up of the person by organisationID open on
// day, nil when there is none.
func openFollowup(fs []*socle.Followup, organisationID string, day socle.Date) *socle.Followup {
	i := slices.IndexFunc(fs, func(f *socle.Followup) bool { return f.OrganisationID == organisationID && f.ActiveOn(day) })
	if i < 0 {
		return nil
	}
	return fs[i]
}

// advisersOf are the active advisers of an organisation, by name.
func (p *Parcours) advisersOf(ctx context.Context, organisationID string) ([]Adviser, error) {
	agents, err := p.store.AgentsOf(ctx, organisationID)
	if err != nil {
		return nil, fmt.Errorf("reading the advisers of the structure: %w", err)
	}
	var out []Adviser
	for _, a := range agents {
		if !a.Disabled && a.HasRole(socle.RoleAdviser) {
			out = append(out, Adviser{ID: a.ID, Name: a.FullName()})
		}
	}
	slices.SortFunc(out, func(a, b Adviser) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// ChangeReferent makes agentID the référent of a person the actor's
// organisation follows. The référent is one of that organisation's active
// advisers. The open follow-up ends the day before (on its first day if
// it began today) and a new one starts today with the new référent and
// the agent who named her, in one transaction; naming the current
// référent again changes nothing and answers the current follow-up, so
// that a retry is harmless. Purpose accompagnement, a write of the
// parcours; changed says whether a new follow-up began. ECONFLICT when the organisation does not follow the person,
// EINVALID when agentID is not one of its active advisers.
func (p *Parcours) ChangeReferent(ctx context.Context, req Request, personID, agentID string) (f *socle.Followup, changed bool, err error) {
	cats := socle.SetOf(socle.CatParcours)
	s := parcoursSpec(socle.ActionUpdate, personID, cats, purposeAccompagnement)
	s.alsoValid(func() error {
		if !socle.ValidID(socle.PrefixAgent, agentID) {
			return socle.Errorf(socle.EINVALID, "agent_id: not an agent id")
		}
		return nil
	})
	var next *socle.Followup
	f, _, err = access(ctx, p.g, req, s, func(ctx context.Context, _ socle.Decision) (*socle.Followup, outcome, error) {
		now := p.g.Now()
		today := socle.DateOf(now.In(parisZone))
		fs, err := p.g.store.Followups(ctx, personID)
		if err != nil {
			return nil, outcome{}, fmt.Errorf("reading follow-ups: %w", err)
		}
		current := openFollowup(fs, req.Actor.OrganisationID, today)
		if current == nil {
			return nil, outcome{}, socle.Errorf(socle.ECONFLICT, "your organisation does not follow this person: only the organisation that follows her names her référent")
		}
		a, err := p.store.Agent(ctx, agentID)
		switch {
		case socle.ErrorCode(err) == socle.ENOTFOUND:
			return nil, outcome{}, socle.Errorf(socle.EINVALID, "agent_id: no such adviser in your organisation")
		case err != nil:
			return nil, outcome{}, fmt.Errorf("reading the adviser: %w", err)
		case a.OrganisationID != req.Actor.OrganisationID || a.Disabled || !a.HasRole(socle.RoleAdviser):
			return nil, outcome{}, socle.Errorf(socle.EINVALID, "agent_id: no such adviser in your organisation")
		}
		if current.AgentID == agentID {
			return current, outcome{records: 1, facts: []socle.Fact{{Kind: "unchanged",
				Text: "Cette personne a déjà ce référent : rien n'a changé."}}}, nil
		}
		by := req.Actor.AgentID
		if by == "" {
			by = req.Actor.ClientID
		}
		next = &socle.Followup{ID: socle.NewID(socle.PrefixFollowup), PersonID: personID, OrganisationID: req.Actor.OrganisationID,
			AgentID: agentID, Start: today, AssignedBy: by}
		yesterday := socle.DateOf(today.Time().AddDate(0, 0, -1))
		return next, outcome{records: 1, resID: next.ID, write: storing("changing the référent", func(ctx context.Context) error {
			return p.g.store.ChangeReferent(ctx, next, yesterday)
		})}, nil
	})
	if err != nil {
		return nil, false, err
	}
	return f, f == next, nil
}

// AgentNames names agents (staff of the network) by id, for pages that
// show who signed or wrote something: names, never ids. An id that names
// no agent is absent. It discloses no person's data and is not audited.
func (p *Parcours) AgentNames(ctx context.Context, ids ...string) (map[string]string, error) {
	names := make(map[string]string, len(ids))
	for _, id := range ids {
		if _, done := names[id]; done || !socle.ValidID(socle.PrefixAgent, id) {
			continue
		}
		a, err := p.store.Agent(ctx, id)
		if socle.ErrorCode(err) == socle.ENOTFOUND {
			continue
		} else if err != nil {
			return nil, fmt.Errorf("naming an agent: %w", err)
		}
		names[id] = a.FullName()
	}
	return names, nil
}
