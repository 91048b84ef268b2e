package orientation

import (
	"context"

	"socle"
	"socle/gate"
)

// The questionnaire and the rules in force, read once.
var (
	questionnaire = DefaultQuestionnaire()
	rules         = DefaultRuleset()
)

// InForce returns the questionnaire and the rules that Propose applies.
func InForce() (Questionnaire, *Ruleset) { return questionnaire, rules }

// Propose validates the questionnaire's answers for a person, reads her
// through the gate, runs the rules and records the proposal with its
// reasons through the gate.
func Propose(ctx context.Context, p *gate.Parcours, req gate.Request, personID string, answers Answers) (*socle.Orientation, Proposal, error) {
	var prop Proposal
	if err := questionnaire.Validate(answers); err != nil {
		return nil, prop, err
	}
	person, err := p.PersonToOrient(ctx, req, personID)
	if err != nil {
		return nil, prop, err
	}
	in := Input{Answers: answers, Age: Age(person.Identity.BirthDate, socle.DateOf(p.Now()))}
	if person.Parcours != nil {
		in.Situation, in.Constraints = person.Parcours.Situation, person.Parcours.Constraints
	}
	prop = rules.Evaluate(in)
	raw, err := answers.Encode()
	if err != nil {
		return nil, prop, err
	}
	o := &socle.Orientation{
		PersonID: personID, OperatorKind: prop.OperatorKind, Parcours: prop.Parcours,
		Modalite: prop.Modalite, Reasons: prop.Texts(),
		QuestionnaireVersion: questionnaire.Version, RulesetVersion: prop.RulesetVersion,
		ProposedOperatorKind: prop.OperatorKind, ProposedParcours: prop.Parcours, ProposedModalite: prop.Modalite,
		Answers: raw,
	}
	if person.Contact != nil {
		o.Departement = socle.DepartementOf(person.Contact.CommuneCode)
	}
	if err := p.RecordOrientation(ctx, req, o); err != nil {
		return nil, prop, err
	}
	return o, prop, nil
}

// Confirm records the adviser's choice on a proposed orientation through
// the gate, which checks it against the proposal (CheckChoice) once the
// adviser is admitted.
func Confirm(ctx context.Context, p *gate.Parcours, req gate.Request, orientationID string, ch gate.Choice) (*socle.Orientation, error) {
	return p.ConfirmOrientation(ctx, req, orientationID, ch, checkChoice)
}

func checkChoice(o *socle.Orientation, ch gate.Choice) error {
	return CheckChoice(o, ch.OperatorKind, ch.Parcours, ch.Modalite, ch.OverrideReason)
}
