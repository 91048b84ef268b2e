package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"socle"
	"socle/store/sqlstore"
)

// testChangeFeed checks that every write of a person or a company appends
// one change in its own transaction, with the record's next version, that
// a failed write appends none, and that concurrent writers leave a feed
// whose cursor pages see every change once, in order.
func testChangeFeed(t *testing.T, s *sqlstore.DB) {
	ctx := context.Background()
	org := createOrganisation(t, s, "Département du Rhône", socle.KindDepartement, "69")
	p := NewPerson(31)
	must(t, s.CreatePerson(ctx, p))
	must(t, s.CreateFollowup(ctx, &socle.Followup{PersonID: p.ID, OrganisationID: org.ID, Start: socle.NewDate(2026, 1, 5)}))
	p.Contact.Phone = "0611223344"
	must(t, s.UpdatePerson(ctx, p, socle.SetOf(socle.CatContact)))
	c := NewCompany(31)
	must(t, s.CreateCompany(ctx, c))

	// A failed write leaves no change: the follow-up names no organisation.
	if err := s.CreateFollowup(ctx, &socle.Followup{PersonID: p.ID, OrganisationID: socle.NewID(socle.PrefixOrganisation), Start: socle.NewDate(2026, 1, 5)}); err == nil {
		t.Fatal("a follow-up of an unknown organisation was stored")
	}
	if err := s.UpdatePerson(ctx, &socle.Person{ID: socle.NewID(socle.PrefixPerson), Contact: p.Contact}, socle.SetOf(socle.CatContact)); socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Fatalf("updating an unknown person: %v", err)
	}

	got, err := s.Changes(ctx, 0, 100)
	must(t, err)
	want := []struct {
		kind    socle.ResourceKind
		id      string
		version int
	}{{socle.ResourcePerson, p.ID, 1}, {socle.ResourcePerson, p.ID, 2}, {socle.ResourcePerson, p.ID, 3}, {socle.ResourceCompany, c.ID, 1}}
	if len(got) != len(want) {
		t.Fatalf("changes = %+v, want %d", got, len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Kind != w.kind || g.ID != w.id || g.Version != w.version || g.At.IsZero() || (i > 0 && g.Seq <= got[i-1].Seq) {
			t.Errorf("change %d = %+v, want %s %s version %d after seq %d", i, g, w.kind, w.id, w.version, got[max(i-1, 0)].Seq)
		}
	}
	page, err := s.Changes(ctx, got[1].Seq, 2)
	must(t, err)
	if len(page) != 2 || page[0].Seq != got[2].Seq || page[1].Seq != got[3].Seq {
		t.Errorf("page after seq %d = %+v", got[1].Seq, page)
	}
	if rest, err := s.Changes(ctx, got[3].Seq, 10); err != nil || len(rest) != 0 {
		t.Errorf("after the last change: %+v, %v", rest, err)
	}

	// Concurrent writers: every change is listed once, versions of one
	// record count up without gaps.
	const writers, each = 4, 5
	persons := make([]*socle.Person, writers)
	for i := range persons {
		persons[i] = NewPerson(40 + i)
		must(t, s.CreatePerson(ctx, persons[i]))
	}
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for _, q := range persons {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range each {
				ct := *q.Contact
				ct.Email = fmt.Sprintf("u%d@example.fr", j)
				u := &socle.Person{ID: q.ID, Contact: &ct}
				if err := s.UpdatePerson(ctx, u, socle.SetOf(socle.CatContact)); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	versions := map[string]int{}
	cursor := got[3].Seq
	for {
		page, err := s.Changes(ctx, cursor, 3)
		must(t, err)
		if len(page) == 0 {
			break
		}
		for _, ch := range page {
			if ch.Seq <= cursor {
				t.Fatalf("seq %d listed after cursor %d", ch.Seq, cursor)
			}
			cursor = ch.Seq
			versions[ch.ID]++
			if ch.Version != versions[ch.ID] {
				t.Errorf("%s: version %d, want %d", ch.ID, ch.Version, versions[ch.ID])
			}
		}
	}
	for _, q := range persons {
		if versions[q.ID] != 1+each {
			t.Errorf("%s: %d changes, want %d", q.ID, versions[q.ID], 1+each)
		}
	}
}
