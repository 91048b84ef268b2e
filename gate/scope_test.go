package gate_test

import (
	"context"
	"testing"

	"socle"
	"socle/audit"
	"socle/gate"
	"socle/policy"
	"socle/store/storetest"
)

// A département searches the RSA beneficiaries of its territory, whether
// or not it follows them; never other situations nor other territories.
func TestTerritorySearch(t *testing.T) {
	ctx := context.Background()
	e := newStack(t, true, audit.Options{})
	db, g := e.db, e.gate
	dep := storetest.NewOrganisation("Département du Rhône", socle.KindDepartement, "69")
	if err := db.CreateOrganisation(ctx, dep); err != nil {
		t.Fatal(err)
	}
	agent := storetest.NewAgent(dep.ID, "rsa@rhone.fr")
	if err := db.CreateAgent(ctx, agent); err != nil {
		t.Fatal(err)
	}
	mk := func(i int, commune string, s socle.Situation) *socle.Person {
		p := storetest.NewPerson(i)
		p.Identity.FamilyName = "Durand"
		p.Contact.CommuneCode, p.Contact.PostalCode = commune, commune[:2]+"000"
		p.Parcours.Situation = s
		if err := db.CreatePerson(ctx, p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	rsa69 := mk(1, "69123", socle.SituationRSA)
	mk(2, "69123", socle.SituationJobseeker)
	mk(3, "75056", socle.SituationRSA)
	actor := socle.Actor{AgentID: agent.ID, OrganisationID: dep.ID, OrgKind: dep.Kind, Roles: agent.Roles,
		Departements: dep.Departements, Strength: socle.AuthMFA}
	q := socle.PersonQuery{FamilyName: "dur"}

	found, _, err := g.SearchPersons(ctx, gate.Request{Actor: actor, Purpose: policy.PurposeRSA}, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 1 || found[0].ID != rsa69.ID {
		t.Fatalf("territory search found %d persons, want the RSA beneficiary of the Rhône", len(found))
	}
	// For accompagnement, the same agent searches only the persons her
	// département follows: none.
	found, _, err = g.SearchPersons(ctx, gate.Request{Actor: actor, Purpose: policy.PurposeAccompagnement}, q)
	if err != nil || len(found) != 0 {
		t.Fatalf("followed search = %d persons, %v; want none", len(found), err)
	}
}
