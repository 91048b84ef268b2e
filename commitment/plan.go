package commitment

import (
	"context"
	"fmt"

	"socle"
	"socle/gate"
)

// DrawFromPlan draws up the contract of the person's current plan
// d'action (a new version of the contract when the plan has a new
// version) and records it through the gate.
func DrawFromPlan(ctx context.Context, p *gate.Parcours, req gate.Request, personID string) (*socle.Commitment, error) {
	return p.CreateCommitment(ctx, req, personID, FromPlan())
}

// FromPlan completes a contract draft with the actions of the current
// plan, as the contract shows them, and names the plan's version:
// ECONFLICT when the person has no plan, or the plan's version already
// has its contract.
func FromPlan() gate.Drafter {
	return func(d gate.ContractDraft) error {
		if d.Plan == nil {
			return socle.Errorf(socle.ECONFLICT, "the person has no plan d'action to generate the contract from")
		}
		if d.PlanContracted {
			return socle.Errorf(socle.ECONFLICT, "the contract of plan version %d already exists: change the plan to amend it", d.Plan.Version)
		}
		actions := PlanActions(d.Plan)
		if len(actions) == 0 {
			return socle.Errorf(socle.EINVALID, "the plan has no action the contract can state")
		}
		if err := draw(d, actions, d.Plan.Version); err != nil {
			return err
		}
		d.Contract.PlanVersion = d.Plan.Version
		return nil
	}
}

// PlanActions writes the actions of a plan as the contract states them:
// the objective, the action, who provides it and when. Abandoned actions
// are left out.
func PlanActions(pl *socle.Plan) []string {
	var out []string
	for _, a := range pl.Actions {
		if a.Status == socle.ActionAbandoned {
			continue
		}
		line := a.Title + " — " + a.Provider
		switch {
		case !a.Start.IsZero() && !a.Due.IsZero():
			line += fmt.Sprintf(" (du %s au %s)", a.Start.French(), a.Due.French())
		case !a.Due.IsZero():
			line += fmt.Sprintf(" (avant le %s)", a.Due.French())
		case !a.Start.IsZero():
			line += fmt.Sprintf(" (à partir du %s)", a.Start.French())
		}
		if o := pl.Objective(a.ObjectiveID); o != nil {
			line = o.Title + " : " + line
		}
		out = append(out, line)
	}
	return out
}
