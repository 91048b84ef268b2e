package gate

import (
	"context"
	"fmt"
	"slices"

	"socle"
)

// FileHistory is what an adviser reads of a person's follow-up on her
// file, in one audited access: who followed her and when, and what the
// timeline of her parcours is drawn from.
type FileHistory struct {
	// Followups are every follow-up of the person, current and past,
	// newest first: each organisation and référent, from when to when.
	Followups      []*socle.Followup
	Orientations   []*socle.Orientation
	Events         []*socle.Event
	Commitments    []*socle.Commitment
	Rectifications []*socle.RectificationRequest
	// Notes are those the actor may read (Notes).
	Notes []*socle.Note
	// Advisers are the active advisers of the actor's organisation when
	// it follows the person: those it may name référent (ChangeReferent).
	Advisers []Adviser
	// Names names the organisations and agents the records refer to, by
	// id: a page shows names, never ids. An agent or organisation that no
	// longer exists is absent.
	Names map[string]string
}

// FileHistory returns the follow-ups and the records of a person's
// parcours an adviser of an organisation that may read them sees, with
// the names of the organisations and agents they refer to. Purpose
// accompagnement; one audited read of the person, whatever the number of
// records.
func (p *Parcours) FileHistory(ctx context.Context, req Request, personID string) (*FileHistory, error) {
	parcours := socle.SetOf(socle.CatParcours)
	s := spec{action: socle.ActionRead, res: personRes(personID), want: noteCategories, need: parcours,
		purposes: []string{purposeAccompagnement}, valid: validPerson(personID)}
	h, _, err := access(ctx, p.g, req, s, func(ctx context.Context, d socle.Decision) (*FileHistory, outcome, error) {
		h := &FileHistory{Names: map[string]string{}}
		var err error
		if h.Followups, err = p.g.store.Followups(ctx, personID); err != nil {
			return nil, outcome{}, fmt.Errorf("reading follow-ups: %w", err)
		}
		slices.SortStableFunc(h.Followups, func(a, b *socle.Followup) int { return b.Start.Time().Compare(a.Start.Time()) })
		if openFollowup(h.Followups, req.Actor.OrganisationID, socle.DateOf(p.g.Now().In(parisZone))) != nil {
			if h.Advisers, err = p.advisersOf(ctx, req.Actor.OrganisationID); err != nil {
				return nil, outcome{}, err
			}
		}
		if h.Orientations, err = p.store.Orientations(ctx, personID); err != nil {
			return nil, outcome{}, fmt.Errorf("reading orientations: %w", err)
		}
		events, err := p.store.Events(ctx, socle.EventQuery{PersonID: personID})
		if err != nil {
			return nil, outcome{}, fmt.Errorf("reading events: %w", err)
		}
		h.Events = slices.DeleteFunc(events, func(e *socle.Event) bool { return !visible(req.Actor, e) })
		if h.Commitments, err = p.store.Commitments(ctx, personID); err != nil {
			return nil, outcome{}, fmt.Errorf("reading contracts: %w", err)
		}
		if h.Rectifications, err = p.store.Rectifications(ctx, personID); err != nil {
			return nil, outcome{}, fmt.Errorf("reading rectification requests: %w", err)
		}
		notes, err := p.g.store.Notes(ctx, personID, d.Categories&noteCategories)
		if err != nil {
			return nil, outcome{}, fmt.Errorf("reading notes: %w", err)
		}
		h.Notes = slices.DeleteFunc(notes, func(n *socle.Note) bool {
			return !n.NetworkVisible && n.OrganisationID != req.Actor.OrganisationID
		})
		if err := p.name(ctx, h); err != nil {
			return nil, outcome{}, err
		}
		n := len(h.Followups) + len(h.Orientations) + len(h.Events) + len(h.Commitments) + len(h.Rectifications) + len(h.Notes)
		return h, outcome{records: n, asked: noteCategories}, nil
	})
	return h, err
}

// name fills h.Names with the organisations and agents h refers to.
func (p *Parcours) name(ctx context.Context, h *FileHistory) error {
	orgs, agents := map[string]bool{}, map[string]bool{}
	for _, f := range h.Followups {
		orgs[f.OrganisationID], agents[f.AgentID], agents[f.AssignedBy] = true, true, true
	}
	for _, o := range h.Orientations {
		orgs[o.OrganisationID], agents[o.DecidedByAgentID] = true, true
	}
	for _, e := range h.Events {
		orgs[e.OrganisationID], agents[e.AgentID] = true, true
	}
	for _, c := range h.Commitments {
		orgs[c.OrganisationID], agents[c.AgentID] = true, true
	}
	for _, r := range h.Rectifications {
		orgs[r.AnsweredBy] = true
	}
	for _, n := range h.Notes {
		orgs[n.OrganisationID], agents[n.AgentID] = true, true
	}
	for id := range orgs {
		if id == "" {
			continue
		}
		o, err := p.store.Organisation(ctx, id)
		if socle.ErrorCode(err) == socle.ENOTFOUND {
			continue
		} else if err != nil {
			return fmt.Errorf("naming an organisation: %w", err)
		}
		h.Names[id] = o.Name
	}
	for id := range agents {
		if !socle.ValidID(socle.PrefixAgent, id) {
			continue
		}
		a, err := p.store.Agent(ctx, id)
		if socle.ErrorCode(err) == socle.ENOTFOUND {
			continue
		} else if err != nil {
			return fmt.Errorf("naming an agent: %w", err)
		}
		h.Names[id] = a.GivenName + " " + a.FamilyName
	}
	return nil
}
