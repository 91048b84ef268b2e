package storetest

import (
	"context"
	"testing"

	"socle"
)

// BenchInsertPerson measures CreatePerson, one person per iteration.
func BenchInsertPerson(b *testing.B, open func(b *testing.B) socle.Store) {
	s := open(b)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		if err := s.CreatePerson(ctx, NewPerson(i)); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchReadPerson measures Person with every category, among 10,000 persons.
func BenchReadPerson(b *testing.B, open func(b *testing.B) socle.Store) {
	s := open(b)
	ctx := context.Background()
	batch := newBatch(0, 10000)
	if err := s.Load(ctx, batch); err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		if _, err := s.Person(ctx, batch.Persons[i%len(batch.Persons)].ID, socle.AllCategories); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchLoad measures Load of batches shaped like the demo's: 5,000
// persons, as many follow-ups, and companies, contacts and offers for one
// person in ten. It reports persons/s and rows/s.
func BenchLoad(b *testing.B, open func(b *testing.B) socle.Store) {
	const persons = 5000
	s := open(b)
	ctx := context.Background()
	rows, n := 0, 0
	for b.Loop() {
		b.StopTimer()
		batch := newBatch(n*persons, persons)
		rows += batch.Size()
		b.StartTimer()
		if err := s.Load(ctx, batch); err != nil {
			b.Fatal(err)
		}
		n++
	}
	secs := b.Elapsed().Seconds()
	b.ReportMetric(float64(n*persons)/secs, "persons/s")
	b.ReportMetric(float64(rows)/secs, "rows/s")
}
