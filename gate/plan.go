package gate

import (
	"context"
	"fmt"
	"slices"

	"socle"
)

// planSpec is an adviser's access to a person's plan.
func planSpec(action socle.Action, personID string, need socle.CategorySet) spec {
	s := diagnosticSpec(action, personID, need)
	s.purposes = []string{purposeAccompagnement}
	return s
}

// currentPlan reads a person's current plan; ENOTFOUND when she has none.
func (p *Parcours) currentPlan(ctx context.Context, personID string) (*socle.Plan, error) {
	pl, err := p.store.Plan(ctx, personID)
	if err != nil {
		if socle.ErrorCode(err) == socle.ENOTFOUND {
			return nil, socle.Errorf(socle.ENOTFOUND, "the person has no plan yet")
		}
		return nil, fmt.Errorf("reading the plan: %w", err)
	}
	return pl, nil
}

// Plan returns a person's current plan as the actor may read it: the
// objectives linked to a health frein, and their actions, only where the
// decision grants health. ENOTFOUND when she has no plan yet.
func (p *Parcours) Plan(ctx context.Context, req Request, personID string) (*socle.Plan, error) {
	pl, _, err := access(ctx, p.g, req, planSpec(socle.ActionRead, personID, parcoursOnly),
		func(ctx context.Context, dec socle.Decision) (*socle.Plan, outcome, error) {
			pl, err := p.currentPlan(ctx, personID)
			if err != nil {
				return nil, outcome{}, err
			}
			return pl.Within(dec.Categories), outcome{records: 1, asked: dec.Categories & diagnosticCats}, nil
		})
	return pl, err
}

// SavePlan records a new version of a person's plan (objectives and
// actions as pl holds them; its version is the next one), drawn up by the
// actor's organisation. The objectives the actor may not read (a health
// objective without health granted) are carried over from the current
// version unchanged. The person's agreement and the contract are asked
// for again: a new version is a new contract to sign.
func (p *Parcours) SavePlan(ctx context.Context, req Request, personID string, pl *socle.Plan) (*socle.Plan, error) {
	if pl == nil {
		return nil, socle.Errorf(socle.EINVALID, "plan: nothing to record")
	}
	s := planSpec(socle.ActionUpdate, personID, pl.Categories())
	s.logged = socle.ActionCreate
	s.alsoValid(func() error {
		if err := byOrganisation(req, "an adviser or a partner system draws up a plan"); err != nil {
			return err
		}
		return pl.Prepare(p.g.Now().UTC())
	})
	out, _, err := access(ctx, p.g, req, s, func(ctx context.Context, dec socle.Decision) (*socle.Plan, outcome, error) {
		next := &socle.Plan{ID: socle.NewID(socle.PrefixPlan), PersonID: personID, Version: 1, Objectives: pl.Objectives,
			Actions: pl.Actions, OrganisationID: req.Actor.OrganisationID, AgentID: req.Actor.AgentID, CreatedAt: p.g.Now().UTC()}
		cur, err := p.store.Plan(ctx, personID)
		switch {
		case err == nil:
			next.Version = cur.Version + 1
			// What the actor cannot read, she cannot drop either.
			for _, o := range cur.Objectives {
				if !dec.Categories.Has(o.Category()) {
					next.Objectives = append(next.Objectives, o)
					for _, a := range cur.Actions {
						if a.ObjectiveID == o.ID {
							next.Actions = append(next.Actions, a)
						}
					}
				}
			}
		case socle.ErrorCode(err) != socle.ENOTFOUND:
			return nil, outcome{}, fmt.Errorf("reading the plan: %w", err)
		}
		return next.Within(dec.Categories), outcome{records: 1, asked: pl.Categories(), write: func(ctx context.Context) error {
			if err := p.store.CreatePlan(ctx, next); err != nil {
				return fmt.Errorf("recording the plan: %w", err)
			}
			p.g.invalidate(personID)
			return nil
		}}, nil
	})
	return out, err
}

// UpdatePlanAction changes the status of an action of a person's current
// plan (plan.Move's rules: a reason to abandon it) and returns it. An
// action of an objective the actor may not read is not found.
func (p *Parcours) UpdatePlanAction(ctx context.Context, req Request, personID, actionID string, ch socle.ActionChange) (*socle.PlanAction, error) {
	s := planSpec(socle.ActionUpdate, personID, parcoursOnly)
	a, _, err := access(ctx, p.g, req, s, func(ctx context.Context, dec socle.Decision) (*socle.PlanAction, outcome, error) {
		pl, err := p.currentPlan(ctx, personID)
		if err != nil {
			return nil, outcome{}, err
		}
		a := pl.Within(dec.Categories).Action(actionID)
		if a == nil {
			return nil, outcome{}, socle.Errorf(socle.ENOTFOUND, "action not found in the current plan")
		}
		if err := a.Move(ch, p.g.Now().UTC()); err != nil {
			return nil, outcome{}, err
		}
		moved := *a
		return &moved, outcome{records: 1, asked: socle.SetOf(pl.Objective(a.ObjectiveID).Category()), write: func(ctx context.Context) error {
			if err := p.store.UpdatePlanAction(ctx, pl.ID, moved); err != nil {
				return fmt.Errorf("updating the action: %w", err)
			}
			p.g.invalidate(personID)
			return nil
		}}, nil
	})
	return a, err
}

// agree is the read and write of an agreement to version of a plan.
func (p *Parcours) agree(personID string, version int, a socle.PlanAgreement) func(context.Context, socle.Decision) (*socle.Plan, outcome, error) {
	return func(ctx context.Context, dec socle.Decision) (*socle.Plan, outcome, error) {
		pl, err := p.currentPlan(ctx, personID)
		if err != nil {
			return nil, outcome{}, err
		}
		if pl.Version != version {
			return nil, outcome{}, socle.Errorf(socle.ECONFLICT, "the plan is at version %d, not %d", pl.Version, version)
		}
		if pl.Agreement != nil {
			return nil, outcome{}, socle.Errorf(socle.ECONFLICT, "the person's agreement to this version is already recorded")
		}
		a.At = p.g.Now().UTC()
		pl.Agreement = &a
		return pl.Within(dec.Categories), outcome{records: 1, write: func(ctx context.Context) error {
			if err := p.store.AgreePlan(ctx, pl.ID, a); err != nil {
				return fmt.Errorf("recording the agreement: %w", err)
			}
			p.g.invalidate(personID)
			return nil
		}}, nil
	}
}

// RecordPlanAgreement records that the person agreed, in an interview,
// to version of her plan, as her adviser declares it.
func (p *Parcours) RecordPlanAgreement(ctx context.Context, req Request, personID string, version int) (*socle.Plan, error) {
	s := planSpec(socle.ActionUpdate, personID, parcoursOnly)
	s.alsoValid(func() error {
		if req.Actor.AgentID == "" {
			return socle.Errorf(socle.EFORBIDDEN, "an adviser records the person's agreement")
		}
		return nil
	})
	pl, _, err := access(ctx, p.g, req, s, p.agree(personID, version, socle.PlanAgreement{AgentID: req.Actor.AgentID}))
	return pl, err
}

// MyPlan returns the person's own current plan, in her space; ENOTFOUND
// when she has none.
func (p *Parcours) MyPlan(ctx context.Context, req Request) (*socle.Plan, error) {
	pl, _, err := access(ctx, p.g, req, selfSpec(req, "self_read", selfDecision), func(ctx context.Context, _ socle.Decision) (*socle.Plan, outcome, error) {
		pl, err := p.currentPlan(ctx, req.Actor.PersonID)
		if err != nil {
			return nil, outcome{}, err
		}
		return pl, outcome{records: 1}, nil
	})
	return pl, err
}

// AgreeToMyPlan records the person's agreement to version of her plan,
// given from her space.
func (p *Parcours) AgreeToMyPlan(ctx context.Context, req Request, version int) (*socle.Plan, error) {
	d := socle.Decision{Allow: true, Categories: socle.AllCategories, Facts: []socle.Fact{{Kind: "self",
		Text: "La personne donne son accord à son plan d'action depuis son espace."}}}
	pl, _, err := access(ctx, p.g, req, selfSpec(req, "self_agree", d), p.agree(req.Actor.PersonID, version, socle.PlanAgreement{ByPerson: true}))
	return pl, err
}

// planForContract returns the plan a contract is generated from: the
// current version as the contract's categories show it (never health:
// the contract is read under parcours), ECONFLICT when there is none or
// its contract already exists.
func (p *Parcours) planForContract(ctx context.Context, personID string, existing []*socle.Commitment) (*socle.Plan, error) {
	pl, err := p.store.Plan(ctx, personID)
	if socle.ErrorCode(err) == socle.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the plan: %w", err)
	}
	if slices.ContainsFunc(existing, func(c *socle.Commitment) bool { return c.PlanVersion == pl.Version }) {
		return pl.Within(parcoursOnly), errContractOfPlanExists
	}
	return pl.Within(parcoursOnly), nil
}

// errContractOfPlanExists refuses a second contract for one plan version.
var errContractOfPlanExists = socle.Errorf(socle.ECONFLICT, "the contract of this plan version already exists: change the plan to amend it")
