package main

import (
	"context"
	"slices"
	"testing"

	"socle"
)

// TestDemoRecordsProvenance checks that the demo network says, for each
// section of each person's file, that the organisation of her first
// follow-up supplied it when she registered.
func TestDemoRecordsProvenance(t *testing.T) {
	_, db := demoStore(t, 40)
	defer db.Close()
	ctx := context.Background()
	persons, err := db.SearchPersons(ctx, socle.PersonQuery{Limit: 40}, socle.AllCategories)
	if err != nil || len(persons) == 0 {
		t.Fatalf("demo persons: %d, %v", len(persons), err)
	}
	for _, p := range persons {
		fs, err := db.Followups(ctx, p.ID)
		if err != nil || len(fs) == 0 {
			t.Fatalf("follow-ups of %s: %d, %v", p.ID, len(fs), err)
		}
		ps, err := db.LatestProvenance(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		var cats []socle.Category
		for _, pv := range ps {
			cats = append(cats, pv.Category)
			if !slices.ContainsFunc(fs, func(f *socle.Followup) bool { return f.OrganisationID == pv.OrganisationID }) {
				t.Errorf("%s of %s supplied by %s, which does not follow her", pv.Category, p.ID, pv.OrganisationID)
			}
			if !pv.At.Equal(p.Parcours.RegisteredOn.Time()) {
				t.Errorf("%s of %s supplied at %s, registered on %s", pv.Category, p.ID, pv.At, p.Parcours.RegisteredOn)
			}
		}
		for _, c := range socle.Categories {
			if p.Categories().Has(c) != slices.Contains(cats, c) {
				t.Errorf("%s: section %s present %v, provenance %v", p.ID, c, p.Categories().Has(c), cats)
			}
		}
	}
}
