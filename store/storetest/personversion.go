package storetest

import (
	"context"
	"testing"

	"socle"
	"socle/store/sqlstore"
)

// testPersonVersions checks the optimistic concurrency of a person's
// file: every update counts the version up, an update from a stale copy
// is ESTALE and changes nothing, an unknown person stays ENOTFOUND.
func testPersonVersions(t *testing.T, s *sqlstore.DB) {
	ctx := context.Background()
	p := NewPerson(31)
	must(t, s.CreatePerson(ctx, p))
	if p.Version != 1 {
		t.Fatalf("a new person is at version %d, want 1", p.Version)
	}
	read, err := s.Person(ctx, p.ID, socle.SetOf(socle.CatContact))
	must(t, err)
	if read.Version != 1 {
		t.Fatalf("read version %d, want 1", read.Version)
	}

	first := &socle.Person{ID: p.ID, Version: 1, Contact: &socle.Contact{Email: "premier@example.fr", PostalCode: "69001", CommuneCode: "69381"}}
	must(t, s.UpdatePersonSupplied(ctx, first, socle.AllCategories, nil))
	if first.Version != 2 {
		t.Fatalf("after an update the person is at version %d, want 2", first.Version)
	}

	// A second adviser saves from the copy she read at version 1.
	stale := &socle.Person{ID: p.ID, Version: 1, Contact: &socle.Contact{Email: "second@example.fr", PostalCode: "69002", CommuneCode: "69382"}}
	wantCode(t, s.UpdatePersonSupplied(ctx, stale, socle.AllCategories, nil), socle.ESTALE)
	got, err := s.Person(ctx, p.ID, socle.SetOf(socle.CatContact))
	must(t, err)
	if got.Contact.Email != "premier@example.fr" || got.Version != 2 {
		t.Errorf("after a stale update the file holds %q at version %d, want the first write at version 2", got.Contact.Email, got.Version)
	}

	// Without a version the update applies whatever the version (the
	// store's own callers, bulk corrections) and still counts it.
	unconditional := &socle.Person{ID: p.ID, Parcours: &socle.Parcours{Situation: socle.SituationJobseeker}}
	must(t, s.UpdatePerson(ctx, unconditional, socle.AllCategories))
	if unconditional.Version != 3 {
		t.Errorf("an update without a version left the person at version %d, want 3", unconditional.Version)
	}

	missing := &socle.Person{ID: socle.NewID(socle.PrefixPerson), Version: 1, Contact: first.Contact}
	wantCode(t, s.UpdatePersonSupplied(ctx, missing, socle.AllCategories, nil), socle.ENOTFOUND)
}

// testApplyRectification checks that accepting a rectification corrects
// the file and answers the request together or not at all: from a stale
// copy neither happens; a request already answered is ECONFLICT and the
// file is left as it was.
func testApplyRectification(t *testing.T, s *sqlstore.DB) {
	ctx := context.Background()
	p := NewPerson(32)
	p.Health, p.Justice, p.Bank = nil, nil, nil
	must(t, s.CreatePerson(ctx, p))
	r := &socle.RectificationRequest{PersonID: p.ID, Field: string(socle.CatContact), Requested: "Mon numéro est le 06 98 76 54 32."}
	must(t, s.CreateRectification(ctx, r))
	answer := func() *socle.RectificationRequest {
		a := *r
		a.Status, a.Answer, a.AnsweredBy = socle.RectificationAccepted, "Numéro corrigé.", "org_x"
		return &a
	}
	contact := *p.Contact
	contact.Phone = "0698765432"
	open := func() string {
		t.Helper()
		rs, err := s.Rectifications(ctx, p.ID)
		must(t, err)
		return rs[0].Status
	}

	must(t, s.UpdatePerson(ctx, &socle.Person{ID: p.ID, Parcours: p.Parcours}, socle.AllCategories)) // version 2
	wantCode(t, s.ApplyRectification(ctx, &socle.Person{ID: p.ID, Version: 1, Contact: &contact}, socle.AllCategories, nil, answer()), socle.ESTALE)
	if open() != socle.RectificationOpen {
		t.Fatal("a stale correction answered the request")
	}

	applied := &socle.Person{ID: p.ID, Version: 2, Contact: &contact}
	must(t, s.ApplyRectification(ctx, applied, socle.AllCategories, nil, answer()))
	got, err := s.Person(ctx, p.ID, socle.SetOf(socle.CatContact))
	must(t, err)
	if got.Contact.Phone != contact.Phone || open() != socle.RectificationAccepted || got.Version != 3 {
		t.Fatalf("after applying: phone %q, request %s, version %d; want the correction, accepted, version 3", got.Contact.Phone, open(), got.Version)
	}

	again := contact
	again.Phone = "0611111111"
	wantCode(t, s.ApplyRectification(ctx, &socle.Person{ID: p.ID, Version: 3, Contact: &again}, socle.AllCategories, nil, answer()), socle.ECONFLICT)
	got, err = s.Person(ctx, p.ID, socle.SetOf(socle.CatContact))
	must(t, err)
	if got.Contact.Phone != contact.Phone || got.Version != 3 {
		t.Errorf("a second answer changed the file: phone %q, version %d", got.Contact.Phone, got.Version)
	}
}
