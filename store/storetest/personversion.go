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
