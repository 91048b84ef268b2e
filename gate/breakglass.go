package gate

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"socle"
)

// BreakGlassTTL is how long a justified break-the-glass access keeps the
// person open to the agent who broke the glass, for the same purpose,
// without typing the justification again.
const BreakGlassTTL = 4 * time.Hour

// Grants stores break-the-glass grants: the gate keeps each justified
// access open for BreakGlassTTL and lists it for the privacy officers.
type Grants interface {
	AddGrant(ctx context.Context, g *socle.BreakGlassGrant) error
	// ActiveGrant returns the newest grant of the agent on the person still
	// valid at t, ENOTFOUND when none.
	ActiveGrant(ctx context.Context, agentID, personID string, t time.Time) (*socle.BreakGlassGrant, error)
	GrantsToReview(ctx context.Context, reviewed bool, limit int) ([]*socle.BreakGlassGrant, error)
	ReviewGrant(ctx context.Context, id, reviewer string, t time.Time) error
}

// breakGlassWindow runs after the policy decided a request. A new justified
// access that the policy allowed by breaking the glass opens a grant; a
// denied read of a person inside an open grant of the same agent and
// purpose is decided again with the grant's justification, so that it is
// allowed and flagged the same way. A grant that cannot be stored stops the
// access: its time limit could not be enforced otherwise.
func (g *Gate) breakGlassWindow(ctx context.Context, req Request, ar socle.AccessRequest, d socle.Decision) (socle.Decision, error) {
	gs := g.store
	if ar.Resource.Kind != socle.ResourcePerson || ar.Resource.ID == "" ||
		req.Actor.AgentID == "" || req.Actor.Strength < socle.AuthMFA {
		return d, nil
	}
	now := g.Now()
	if ar.Action == socle.ActionSearch && d.Allow && d.BreakGlass && req.BreakGlass != "" {
		// A justified exact lookup outside the territory is listed for
		// review like any break-the-glass access, but opens nothing: its
		// grant expires as it is made.
		gr := &socle.BreakGlassGrant{
			AgentID: req.Actor.AgentID, OrganisationID: req.Actor.OrganisationID, PersonID: ar.Resource.ID,
			Purpose: req.Purpose, Justification: req.BreakGlass, Created: now, Expires: now,
		}
		if err := gs.AddGrant(ctx, gr); err != nil {
			return socle.Decision{}, fmt.Errorf("recording the justified lookup for review: %w", err)
		}
		return d, nil
	}
	if ar.Action != socle.ActionRead {
		return d, nil
	}
	switch {
	case d.Allow && d.BreakGlass && req.BreakGlass != "":
		gr := &socle.BreakGlassGrant{
			AgentID: req.Actor.AgentID, OrganisationID: req.Actor.OrganisationID, PersonID: ar.Resource.ID,
			Purpose: req.Purpose, Justification: req.BreakGlass, Created: now, Expires: now.Add(BreakGlassTTL),
		}
		if err := gs.AddGrant(ctx, gr); err != nil {
			return socle.Decision{}, fmt.Errorf("recording the break-the-glass grant: %w", err)
		}
		d.Facts = append(slices.Clip(d.Facts), grantFact(gr, false))
		return d, nil
	case !d.Allow && req.BreakGlass == "":
		gr, err := gs.ActiveGrant(ctx, req.Actor.AgentID, ar.Resource.ID, now)
		if socle.ErrorCode(err) == socle.ENOTFOUND {
			return d, nil
		} else if err != nil {
			return socle.Decision{}, fmt.Errorf("reading break-the-glass grants: %w", err)
		}
		if gr.Purpose != req.Purpose || gr.OrganisationID != req.Actor.OrganisationID {
			return d, nil
		}
		ar.BreakGlass = gr.Justification
		again, err := g.policy.Decide(ctx, ar)
		if err != nil {
			return socle.Decision{}, fmt.Errorf("deciding within a break-the-glass grant: %w", err)
		}
		if !again.Allow {
			return d, nil
		}
		again.Facts = append(slices.Clip(again.Facts), grantFact(gr, true))
		return again, nil
	}
	return d, nil
}

func grantFact(gr *socle.BreakGlassGrant, reused bool) socle.Fact {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		paris = time.UTC
	}
	until := gr.Expires.In(paris).Format("02/01/2006 à 15:04")
	text := "Cet accès exceptionnel reste ouvert à vous seul jusqu'au " + until + ", puis se referme."
	if reused {
		text = "Accès dans le délai du bris de glace ouvert le " + gr.Created.In(paris).Format("02/01/2006 à 15:04") +
			", valable jusqu'au " + until + " ; il est signalé pour examen."
	}
	return socle.Fact{Kind: "break_glass_grant", Detail: map[string]string{
		"grant_id": gr.ID, "expires_at": gr.Expires.UTC().Format(time.RFC3339),
	}, Text: text}
}

// auditorSpec is a privacy officer's review: recorded as action, with
// the fact f, without a purpose.
func auditorSpec(action socle.Action, res socle.Resource, f socle.Fact) spec {
	return spec{caller: auditorCaller, action: action, res: res, grounds: on(socle.Decision{Allow: true, Facts: []socle.Fact{f}}),
		recordAs: func(r Request) Request { r.Purpose, r.BreakGlass = "", ""; return r }}
}

// BreakGlassGrants lists break-the-glass accesses for privacy officers,
// newest first: those awaiting review, or those already reviewed. Persons
// appear by their pseudonymous reference, as in the audit log. The listing
// (justifications may name a person's situation) is audited and fails
// closed.
func (g *Gate) BreakGlassGrants(ctx context.Context, req Request, reviewed bool, limit int) ([]*socle.BreakGlassGrant, error) {
	s := auditorSpec("break_glass_list", socle.Resource{}, socle.Fact{Kind: "break_glass_review",
		Text: "Consultation des accès exceptionnels (bris de glace) par le délégué à la protection des données."})
	list, _, err := access(ctx, g, req, s, func(ctx context.Context, _ socle.Decision) ([]*socle.BreakGlassGrant, outcome, error) {
		list, err := g.store.GrantsToReview(ctx, reviewed, limit)
		if err != nil {
			return nil, outcome{}, err
		}
		for _, gr := range list {
			gr.PersonRef = g.personRef(gr.PersonID)
		}
		return list, outcome{records: len(list)}, nil
	})
	return list, err
}

// ReviewBreakGlass marks a break-the-glass access as reviewed by the
// privacy officer, and records the review in the audit log first.
func (g *Gate) ReviewBreakGlass(ctx context.Context, req Request, id string) error {
	s := auditorSpec("break_glass_reviewed", socle.Resource{ID: id}, socle.Fact{Kind: "break_glass_review",
		Text: "Examen d'un accès exceptionnel (bris de glace) par le délégué à la protection des données."})
	_, _, err := access(ctx, g, req, s, func(context.Context, socle.Decision) (struct{}, outcome, error) {
		return struct{}{}, outcome{write: func(ctx context.Context) error {
			if err := g.store.ReviewGrant(ctx, id, req.Actor.AgentID, g.Now()); err != nil {
				if errors.Is(err, context.Canceled) {
					return err
				}
				return fmt.Errorf("reviewing break-the-glass grant: %w", err)
			}
			return nil
		}}, nil
	})
	return err
}
