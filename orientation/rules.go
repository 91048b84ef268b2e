package orientation

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"socle"
)

// Condition is one test on the input. Field names a built-in fact (age,
// situation, constraints, nb_constraints) or a question of the
// questionnaire; Op is one of eq, ne, in, not_in (against the field's
// values) or lt, le, gt, ge (against a number).
type Condition struct {
	Field  string   `json:"field"`
	Op     string   `json:"op"`
	Value  string   `json:"value,omitempty"`
	Values []string `json:"values,omitempty"`
	Number int      `json:"number,omitempty"`
}

// Outcome is what a rule proposes; an empty field leaves that dimension to
// later rules.
type Outcome struct {
	OperatorKind socle.OrgKind `json:"operator_kind,omitempty"`
	Parcours     string        `json:"parcours,omitempty"`
	Modalite     string        `json:"modalite,omitempty"`
}

// Rule proposes an outcome with a French reason when all its conditions
// hold.
type Rule struct {
	ID      string      `json:"id"`
	When    []Condition `json:"when"`
	Then    Outcome     `json:"then"`
	Because string      `json:"because"`
}

// Ruleset is a versioned list of rules. Each dimension (operator, parcours,
// modalité) is decided by the first rule, in order, that fires and sets it;
// Defaults decide a dimension no rule set.
type Ruleset struct {
	Version  int    `json:"version"`
	Name     string `json:"name"`
	Rules    []Rule `json:"rules"`
	Defaults struct {
		Outcome
		Because string `json:"because"`
	} `json:"defaults"`
}

//go:embed rules.json
var defaultRules []byte

// DefaultRuleset returns the embedded ruleset.
func DefaultRuleset() *Ruleset {
	rs, err := ParseRuleset(defaultRules)
	if err != nil {
		panic("orientation: the embedded ruleset is invalid: " + err.Error())
	}
	return rs
}

// ParseRuleset decodes and checks a ruleset: unknown fields, operators or
// outcomes are EINVALID.
func ParseRuleset(b []byte) (*Ruleset, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var rs Ruleset
	if err := dec.Decode(&rs); err != nil {
		return nil, socle.Errorf(socle.EINVALID, "ruleset: %v", err)
	}
	if err := rs.Validate(); err != nil {
		return nil, err
	}
	return &rs, nil
}

var (
	parcoursValues = []string{socle.ParcoursProfessional, socle.ParcoursSocioProfessional, socle.ParcoursSocial}
	modaliteValues = []string{socle.ModaliteSuivi, socle.ModaliteGuide, socle.ModaliteRenforce, socle.ModaliteGlobal}
	operatorKinds  = []socle.OrgKind{socle.KindEmploymentService, socle.KindDisability, socle.KindYouth, socle.KindDepartement}
	builtinFields  = []string{"age", "situation", "constraints", "nb_constraints"}
)

// Operators lists the kinds of organisation an orientation may designate.
func Operators() []socle.OrgKind { return slices.Clone(operatorKinds) }

// ParcoursValues lists the parcours.
func ParcoursValues() []string { return slices.Clone(parcoursValues) }

// ModaliteValues lists the modalités.
func ModaliteValues() []string { return slices.Clone(modaliteValues) }

func (o Outcome) check(p *socle.Problems, where string) {
	if o.OperatorKind != "" && !slices.Contains(operatorKinds, o.OperatorKind) {
		p.Add(where+".operator_kind", "unknown operator kind %q", o.OperatorKind)
	}
	if o.Parcours != "" && !slices.Contains(parcoursValues, o.Parcours) {
		p.Add(where+".parcours", "unknown parcours %q", o.Parcours)
	}
	if o.Modalite != "" && !slices.Contains(modaliteValues, o.Modalite) {
		p.Add(where+".modalite", "unknown modalité %q", o.Modalite)
	}
}

// Validate checks the ruleset against itself and the default questionnaire.
func (rs *Ruleset) Validate() error {
	var p socle.Problems
	if rs.Version <= 0 {
		p.Add("version", "a positive number")
	}
	q := DefaultQuestionnaire()
	ids := map[string]bool{}
	for i, r := range rs.Rules {
		where := fmt.Sprintf("rules[%d]", i)
		if r.ID == "" || ids[r.ID] {
			p.Add(where+".id", "required and unique")
		}
		ids[r.ID] = true
		if strings.TrimSpace(r.Because) == "" {
			p.Add(where+".because", "required: every rule explains itself")
		}
		if r.Then == (Outcome{}) {
			p.Add(where+".then", "sets nothing")
		}
		r.Then.check(&p, where+".then")
		for j, c := range r.When {
			cw := fmt.Sprintf("%s.when[%d]", where, j)
			if _, ok := q.Question(c.Field); !ok && !slices.Contains(builtinFields, c.Field) {
				p.Add(cw+".field", "unknown field %q", c.Field)
			}
			switch c.Op {
			case "eq", "ne":
				if c.Value == "" {
					p.Add(cw+".value", "required with %s", c.Op)
				}
			case "in", "not_in":
				if len(c.Values) == 0 {
					p.Add(cw+".values", "required with %s", c.Op)
				}
			case "lt", "le", "gt", "ge":
			default:
				p.Add(cw+".op", "unknown operator %q", c.Op)
			}
		}
	}
	d := rs.Defaults
	if d.OperatorKind == "" || d.Parcours == "" || d.Modalite == "" || d.Because == "" {
		p.Add("defaults", "operator_kind, parcours, modalite and because are required")
	}
	d.Outcome.check(&p, "defaults")
	return p.Err("ruleset")
}

// Input is what the rules look at.
type Input struct {
	Age         int
	Situation   socle.Situation
	Constraints []string // from the person's file; the answer "freins" adds to them
	Answers     Answers
}

// values returns the values of a field for in/eq tests, and its number for
// comparisons.
func (in Input) values(field string) ([]string, int, bool) {
	switch field {
	case "age":
		return []string{fmt.Sprint(in.Age)}, in.Age, true
	case "situation":
		return []string{string(in.Situation)}, 0, false
	case "constraints":
		return in.constraints(), 0, false
	case "nb_constraints":
		n := len(in.constraints())
		return []string{fmt.Sprint(n)}, n, true
	}
	v := in.Answers[field]
	if len(v) == 1 {
		n, ok := number(v[0])
		return v, n, ok
	}
	return v, 0, false
}

func (in Input) constraints() []string {
	all := slices.Clone(in.Constraints)
	for _, c := range in.Answers["freins"] {
		if !slices.Contains(all, c) {
			all = append(all, c)
		}
	}
	slices.Sort(all)
	return all
}

func (c Condition) holds(in Input) bool {
	vals, n, numeric := in.values(c.Field)
	switch c.Op {
	case "eq":
		return slices.Contains(vals, c.Value)
	case "ne":
		return !slices.Contains(vals, c.Value)
	case "in":
		return slices.ContainsFunc(vals, func(v string) bool { return slices.Contains(c.Values, v) })
	case "not_in":
		return !slices.ContainsFunc(vals, func(v string) bool { return slices.Contains(c.Values, v) })
	case "lt":
		return numeric && n < c.Number
	case "le":
		return numeric && n <= c.Number
	case "gt":
		return numeric && n > c.Number
	case "ge":
		return numeric && n >= c.Number
	}
	return false
}

// Reason is one rule that fired, with the dimensions it decided.
type Reason struct {
	RuleID  string   `json:"rule_id"`
	Text    string   `json:"text"`
	Decided []string `json:"decided,omitempty"` // operator_kind, parcours, modalite
}

// Proposal is the outcome of the rules with every reason that fired.
type Proposal struct {
	Outcome
	RulesetVersion int      `json:"ruleset_version"`
	Reasons        []Reason `json:"reasons"`
}

// Texts returns the reasons as French sentences, deciding rules first.
func (p Proposal) Texts() []string {
	var decided, other []string
	for _, r := range p.Reasons {
		if len(r.Decided) > 0 {
			decided = append(decided, r.Text)
		} else {
			other = append(other, r.Text)
		}
	}
	return append(decided, other...)
}

// Evaluate runs the rules over the input. Each dimension takes the outcome
// of the first firing rule that sets it; every firing rule is a reason.
func (rs *Ruleset) Evaluate(in Input) Proposal {
	p := Proposal{RulesetVersion: rs.Version}
	for _, r := range rs.Rules {
		if !slices.ContainsFunc(r.When, func(c Condition) bool { return !c.holds(in) }) {
			reason := Reason{RuleID: r.ID, Text: r.Because}
			if r.Then.OperatorKind != "" && p.OperatorKind == "" {
				p.OperatorKind = r.Then.OperatorKind
				reason.Decided = append(reason.Decided, "operator_kind")
			}
			if r.Then.Parcours != "" && p.Parcours == "" {
				p.Parcours = r.Then.Parcours
				reason.Decided = append(reason.Decided, "parcours")
			}
			if r.Then.Modalite != "" && p.Modalite == "" {
				p.Modalite = r.Then.Modalite
				reason.Decided = append(reason.Decided, "modalite")
			}
			p.Reasons = append(p.Reasons, reason)
		}
	}
	d := rs.Defaults
	def := Reason{RuleID: "defaut", Text: d.Because}
	if p.OperatorKind == "" {
		p.OperatorKind = d.OperatorKind
		def.Decided = append(def.Decided, "operator_kind")
	}
	if p.Parcours == "" {
		p.Parcours = d.Parcours
		def.Decided = append(def.Decided, "parcours")
	}
	if p.Modalite == "" {
		p.Modalite = d.Modalite
		def.Decided = append(def.Decided, "modalite")
	}
	if len(def.Decided) > 0 {
		p.Reasons = append(p.Reasons, def)
	}
	return p
}

// Age returns the age in whole years on day of a person born on birth.
func Age(birth, day socle.Date) int {
	if birth.IsZero() {
		return 0
	}
	b, d := birth.Time(), day.Time()
	age := d.Year() - b.Year()
	if d.Month() < b.Month() || (d.Month() == b.Month() && d.Day() < b.Day()) {
		age--
	}
	return age
}
