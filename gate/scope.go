package gate

import (
	"slices"

	"socle"
)

// scopeQuery restricts a search to the population the decision grants
// (its typed Populations and Situations, never its Facts): the persons the
// actor's organisation follows, or the persons living in the actor's
// territory, in the situations the agreements cover. A decision that
// grants neither is restricted to the followed persons, the narrowest
// population the store knows how to search: never the whole population.
func scopeQuery(q *socle.PersonQuery, actor socle.Actor, d socle.Decision) error {
	q.OrganisationID, q.Departements, q.Situations = "", nil, nil
	if d.Grants(socle.PopulationFollowed) || !d.Grants(socle.PopulationTerritory) {
		q.OrganisationID = actor.OrganisationID
		return nil
	}
	if len(actor.Departements) == 0 {
		return socle.Errorf(socle.EFORBIDDEN, "your account has no territory: a territory search is impossible")
	}
	q.Departements = slices.Clone(actor.Departements)
	q.Situations = slices.Clone(d.Situations)
	return nil
}
