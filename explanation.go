package socle

// ExplanationKinds are the kinds of facts that explain an access, most
// specific first: the agent is the référent; she covers the référent's
// portfolio (a declared delegation) or her organisation's company
// portfolio; her organisation follows the person; an appointment today; a
// proposal on an offer; an orientation; then the wider rules (territory,
// exact-identifier lookup, break the glass). Detection keeps the most
// specific one of an access (docs/detect-events.md, "explanation").
var ExplanationKinds = []string{"referent", "delegation", "portfolio", "followup", "appointment", "proposal", "orientation", "territory", "lookup", "break_glass"}

// ExplanationNone is the kind of an access nothing explains.
const ExplanationNone = "none"

// MostSpecific returns the most specific explanation kind among kinds
// (ExplanationNone when none is one).
func MostSpecific(kinds ...string) string {
	best := len(ExplanationKinds)
	for _, k := range kinds {
		for i, e := range ExplanationKinds {
			if e == k && i < best {
				best = i
			}
		}
	}
	if best == len(ExplanationKinds) {
		return ExplanationNone
	}
	return ExplanationKinds[best]
}

// Basis returns the most specific explanation kind of a decision's facts.
// A referent fact counts only when it names agentID: the policy lists the
// référents of the person, and only hers explains her access.
func Basis(facts []Fact, agentID string) string {
	kinds := make([]string, 0, len(facts))
	for _, f := range facts {
		if f.Kind == "referent" && (agentID == "" || f.Detail["agent_id"] != agentID) {
			continue
		}
		kinds = append(kinds, f.Kind)
	}
	return MostSpecific(kinds...)
}
