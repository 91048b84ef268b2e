package orientation

import (
	"slices"
	"strings"
	"unicode/utf8"

	"socle"
)

// MinOverrideReason is the shortest reason, in characters, an adviser
// gives when her choice departs from the proposal.
const MinOverrideReason = 10

// Overrides reports whether a choice departs from the proposal that o
// holds.
func Overrides(o *socle.Orientation, kind socle.OrgKind, parcours, modalite string) bool {
	return kind != o.ProposedOperatorKind || parcours != o.ProposedParcours || modalite != o.ProposedModalite
}

// CheckChoice checks an adviser's choice on the proposal that o holds:
// a known operator kind, parcours and modalité, and a reason of at least
// MinOverrideReason characters when the choice departs from the proposal.
func CheckChoice(o *socle.Orientation, kind socle.OrgKind, parcours, modalite, reason string) error {
	var pr socle.Problems
	if !slices.Contains(operatorKinds, kind) {
		pr.Add("operator_kind", "unknown operator kind %q", kind)
	}
	if !slices.Contains(parcoursValues, parcours) {
		pr.Add("parcours", "unknown parcours %q", parcours)
	}
	if !slices.Contains(modaliteValues, modalite) {
		pr.Add("modalite", "unknown modalité %q", modalite)
	}
	if Overrides(o, kind, parcours, modalite) && utf8.RuneCountInString(strings.TrimSpace(reason)) < MinOverrideReason {
		pr.Add("override_reason", "required (at least %d characters) when the choice departs from the proposal", MinOverrideReason)
	}
	return pr.Err("orientation")
}
