package gate

import (
	"slices"

	"socle"
	"socle/policy"
)

// registered is a policy that exposes its register, so that the gate can
// read the situations a territory agreement is restricted to.
type registered interface{ Register() policy.Register }

// scopeQuery restricts a search to the population the decision names (see
// policy.Scope): the persons the actor's organisation follows, or the
// persons living in the actor's territory, in the situations the agreement
// covers. A decision that names neither is restricted to the followed
// persons, the narrowest population the store knows how to search: never
// the whole population.
func scopeQuery(q *socle.PersonQuery, actor socle.Actor, d socle.Decision, p socle.Policy) error {
	q.OrganisationID, q.Departements, q.Situations = "", nil, nil
	scope := policy.Scope(d)
	if slices.Contains(scope, socle.PopulationFollowed) || !slices.Contains(scope, socle.PopulationTerritory) {
		q.OrganisationID = actor.OrganisationID
		return nil
	}
	if len(actor.Departements) == 0 {
		return socle.Errorf(socle.EFORBIDDEN, "your account has no territory: a territory search is impossible")
	}
	q.Departements = slices.Clone(actor.Departements)
	reg, ok := p.(registered)
	if !ok {
		return socle.Errorf(socle.EFORBIDDEN, "the policy does not say which situations its territory agreements cover")
	}
	agreements := reg.Register().Agreements
	anySituation := false
	for _, f := range d.Facts {
		if f.Kind != policy.FactAgreement || f.Detail["population"] != string(socle.PopulationTerritory) {
			continue
		}
		i := slices.IndexFunc(agreements, func(a policy.Agreement) bool { return a.ID == f.Detail["agreement_id"] })
		if i < 0 {
			// The register changed since the decision: refuse rather than widen.
			return socle.Errorf(socle.EFORBIDDEN, "the agreement %s is no longer in force", f.Detail["agreement_id"])
		}
		if len(agreements[i].Situations) == 0 {
			anySituation = true
		}
		for _, s := range agreements[i].Situations {
			if !slices.Contains(q.Situations, s) {
				q.Situations = append(q.Situations, s)
			}
		}
	}
	if anySituation {
		q.Situations = nil
	} else if len(q.Situations) == 0 {
		return socle.Errorf(socle.EFORBIDDEN, "no territory agreement covers this search")
	}
	return nil
}
