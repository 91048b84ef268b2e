package storetest

import (
	"context"
	"testing"

	"socle"
	"socle/policy"
)

// BenchRelations measures the policy's facts of one person for one
// organisation (what a decision missing the cache reads), over 10,000
// persons of which one in ten has an open orientation request addressed
// to the organisation.
func BenchRelations(b *testing.B, open func(b *testing.B) socle.Store) {
	s := open(b)
	ctx := context.Background()
	batch := newBatch(0, 10000)
	if err := s.Load(ctx, batch); err != nil {
		b.Fatal(err)
	}
	facts, ok := s.(policy.Facts)
	if !ok {
		b.Fatal("the store does not answer the policy's facts")
	}
	requests, ok := s.(socle.OrientationRequestStore)
	if !ok {
		b.Fatal("the store does not keep orientation requests")
	}
	from, to := batch.Organisations[0], NewOrganisation("Mission locale", socle.KindYouth, "69")
	if err := s.CreateOrganisation(ctx, to); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < len(batch.Persons); i += 10 {
		r := &socle.OrientationRequest{PersonID: batch.Persons[i].ID, FromOrganisationID: from.ID, ToOrganisationID: to.ID,
			Parcours: socle.ParcoursProfessional, Motive: "Alternance.", Status: socle.HandoffSent, Deadline: socle.NewDate(2026, 12, 15)}
		if err := requests.CreateOrientationRequest(ctx, r, nil); err != nil {
			b.Fatal(err)
		}
	}
	day := socle.NewDate(2026, 12, 3)
	i := 0
	for b.Loop() {
		if _, err := facts.Relations(ctx, to.ID, batch.Persons[i%len(batch.Persons)].ID, day); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
