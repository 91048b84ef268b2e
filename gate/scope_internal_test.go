package gate

import (
	"slices"
	"testing"

	"socle"
)

// TestScopeComesFromTypedFieldsNotFacts checks that the search scope is
// built from the decision's Populations and Situations: facts that say
// otherwise, written for people, change nothing.
func TestScopeComesFromTypedFieldsNotFacts(t *testing.T) {
	actor := socle.Actor{OrganisationID: "org_1", Departements: []string{"69"}}
	territoryFact := socle.Fact{Kind: "scope", Detail: map[string]string{"population": string(socle.PopulationTerritory)}}
	tests := []struct {
		name     string
		d        socle.Decision
		wantOrg  string
		wantDeps []string
		wantSits []socle.Situation
	}{
		{"followed, whatever the facts say", socle.Decision{Populations: []socle.Population{socle.PopulationFollowed}, Facts: []socle.Fact{territoryFact}}, "org_1", nil, nil},
		{"no population is the narrowest", socle.Decision{Facts: []socle.Fact{territoryFact}}, "org_1", nil, nil},
		{"territory in the granted situations", socle.Decision{Populations: []socle.Population{socle.PopulationTerritory}, Situations: []socle.Situation{socle.SituationRSA}},
			"", []string{"69"}, []socle.Situation{socle.SituationRSA}},
		{"territory in any situation", socle.Decision{Populations: []socle.Population{socle.PopulationTerritory}}, "", []string{"69"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := socle.PersonQuery{OrganisationID: "org_other", Departements: []string{"75"}, Situations: []socle.Situation{socle.SituationYouth}}
			if err := scopeQuery(&q, actor, tt.d); err != nil {
				t.Fatal(err)
			}
			if q.OrganisationID != tt.wantOrg || !slices.Equal(q.Departements, tt.wantDeps) || !slices.Equal(q.Situations, tt.wantSits) {
				t.Errorf("query organisation %q, départements %v, situations %v; want %q, %v, %v",
					q.OrganisationID, q.Departements, q.Situations, tt.wantOrg, tt.wantDeps, tt.wantSits)
			}
		})
	}
}
