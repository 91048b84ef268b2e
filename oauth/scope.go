package oauth

import (
	"slices"
	"strings"

	"socle"
	"socle/policy"
)

// Scope returns the scope string of an action for a purpose,
// "<purpose>:<action>", e.g. "accompagnement:read".
func Scope(purpose string, action socle.Action) string { return purpose + ":" + string(action) }

// parseScope splits a scope into its purpose and action.
func parseScope(s string) (purpose string, action socle.Action, ok bool) {
	p, a, ok := strings.Cut(s, ":")
	if !ok || p == "" {
		return "", "", false
	}
	switch act := socle.Action(a); act {
	case socle.ActionRead, socle.ActionSearch, socle.ActionCreate, socle.ActionUpdate, socle.ActionExport:
		return p, act, true
	}
	return "", "", false
}

// ScopeAllows reports whether actor's token grants action for purpose. Scopes
// restrict partner systems only: for an agent or a person it reports true,
// the policy deciding alone. The gate calls it before the policy, so that a
// token used beyond its scopes is refused whatever the agreement says.
func ScopeAllows(actor socle.Actor, purpose string, action socle.Action) bool {
	if actor.ClientID == "" {
		return true
	}
	want := len(purpose) + 1 + len(action)
	for _, s := range actor.Scopes {
		// Compare without building the scope string: this runs on every access.
		if len(s) == want && s[len(purpose)] == ':' && s[:len(purpose)] == purpose && s[len(purpose)+1:] == string(action) {
			return true
		}
	}
	return false
}

// agreementAllows reports whether an agreement of the organisation covers
// the scope: a rule for its kind (or for it alone) with the purpose, granted
// to the organisation's systems, that grants read categories for reads,
// searches and exports, and write categories for creations and updates.
func agreementAllows(agreements []policy.Agreement, org *socle.Organisation, scope string) bool {
	purpose, action, ok := parseScope(scope)
	if !ok {
		return false
	}
	writes := action == socle.ActionCreate || action == socle.ActionUpdate
	return slices.ContainsFunc(agreements, func(a policy.Agreement) bool {
		if a.Purpose != purpose || !a.UsableBySystems() {
			return false
		}
		if a.OrganisationID != "" && a.OrganisationID != org.ID {
			return false
		}
		if a.OrganisationID == "" && a.OrgKind != org.Kind {
			return false
		}
		if writes {
			return a.Write != 0
		}
		return a.Read != 0
	})
}

// splitScopes parses a space-separated scope parameter (RFC 6749 §3.3),
// dropping repetitions.
func splitScopes(param string) []string {
	var out []string
	for _, s := range strings.Fields(param) {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
