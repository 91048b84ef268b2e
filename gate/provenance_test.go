package gate_test

import (
	"context"
	"testing"
	"time"

	"socle"
	"socle/gate"
	"socle/policy"
	"socle/store/storetest"
)

// TestProvenance registers a person in one organisation, has another that
// follows her update her contact details, and reads in her space which
// organisation supplied each section and when. Refused writes record
// nothing.
func TestProvenance(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	e.gate.Now = func() time.Time { return now }

	partner := storetest.NewOrganisation("Association Tremplin", socle.KindPartner, "69")
	dep := storetest.NewOrganisation("Département du Rhône", socle.KindDepartement, "69")
	actors := map[string]socle.Actor{}
	for _, o := range []struct {
		org   *socle.Organisation
		email string
	}{{partner, "conseil@tremplin.fr"}, {dep, "conseil@rhone.fr"}} {
		a := newAdviser(t, e.db, o.org, o.email)
		actors[o.org.ID] = a
	}
	as := func(a socle.Actor) gate.Request {
		return gate.Request{Actor: a, Purpose: policy.PurposeAccompagnement, RequestID: "test", RemoteAddr: "127.0.0.1"}
	}

	// t1: the mission locale registers her.
	t1 := now
	p := storetest.NewPerson(7)
	p.Health, p.Justice, p.Bank = nil, nil, nil
	p.Parcours.Situation = socle.SituationYouth
	p.Identity.BirthDate = socle.NewDate(2004, 3, 2)
	if _, err := e.gate.CreatePerson(ctx, e.req(policy.PurposeAccompagnement), p); err != nil {
		t.Fatal(err)
	}
	if err := e.db.CreateFollowup(ctx, &socle.Followup{PersonID: p.ID, OrganisationID: partner.ID,
		AgentID: actors[partner.ID].AgentID, Start: socle.NewDate(2026, 1, 5)}); err != nil {
		t.Fatal(err)
	}

	// t2: the partner that follows her corrects her contact details.
	now = now.Add(36 * time.Hour)
	t2 := now
	contact := *p.Contact
	contact.Phone = "0611223344"
	if _, err := e.gate.UpdatePerson(ctx, as(actors[partner.ID]), &socle.Person{ID: p.ID, Contact: &contact}); err != nil {
		t.Fatal(err)
	}

	// Later, refused writes: the département does not follow her, and the
	// partner may not write her identity.
	now = now.Add(time.Hour)
	identity := *p.Identity
	identity.GivenName = "Autre"
	refused := []struct {
		name string
		req  gate.Request
		p    *socle.Person
	}{
		{"organisation that does not follow her", as(actors[dep.ID]), &socle.Person{ID: p.ID, Contact: &contact}},
		{"section outside the agreement", as(actors[partner.ID]), &socle.Person{ID: p.ID, Identity: &identity}},
	}
	for _, tc := range refused {
		if _, err := e.gate.UpdatePerson(ctx, tc.req, tc.p); err == nil {
			t.Fatalf("%s: update accepted", tc.name)
		}
	}

	self := gate.Request{Actor: socle.Actor{PersonID: p.ID, Strength: socle.AuthClient}, RequestID: "self"}
	got, err := e.gate.MyProvenance(ctx, self)
	if err != nil {
		t.Fatal(err)
	}
	want := map[socle.Category]struct {
		org string
		at  time.Time
	}{
		socle.CatIdentity: {e.adviser.OrganisationID, t1},
		socle.CatContact:  {partner.ID, t2},
		socle.CatParcours: {e.adviser.OrganisationID, t1},
		socle.CatSkills:   {e.adviser.OrganisationID, t1},
	}
	if len(got) != len(want) {
		t.Fatalf("provenance %+v, want %d sections", got, len(want))
	}
	for _, pv := range got {
		w, ok := want[pv.Category]
		if !ok {
			t.Errorf("unexpected section %s in %+v", pv.Category, pv)
			continue
		}
		if pv.PersonID != p.ID || pv.OrganisationID != w.org || !pv.At.Equal(w.at) {
			t.Errorf("%s supplied by %s at %s, want %s at %s", pv.Category, pv.OrganisationID, pv.At, w.org, w.at)
		}
	}
}
