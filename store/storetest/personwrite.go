package storetest

import (
	"context"
	"testing"
	"time"

	"socle"
	"socle/store/sqlstore"
)

// testPersonWrites checks that a person's write and what goes with it
// (provenance, follow-up, idempotency key) are stored all or nothing.
func testPersonWrites(t *testing.T, s *sqlstore.DB) {
	ctx := context.Background()
	org := createOrganisation(t, s, "Mission Locale de Lyon", socle.KindYouth, "69")
	agent := createAgent(t, s, org.ID, "claire@ml-lyon.fr")
	supplied := func(p *socle.Person, cats ...socle.Category) []socle.Provenance {
		var out []socle.Provenance
		for _, c := range cats {
			out = append(out, socle.Provenance{PersonID: p.ID, Category: c, OrganisationID: org.ID, AgentID: agent.ID, At: time.Now()})
		}
		return out
	}
	followup := func(p *socle.Person, orgID string) *socle.Followup {
		return &socle.Followup{PersonID: p.ID, OrganisationID: orgID, AgentID: agent.ID, Start: socle.NewDate(2026, 1, 5)}
	}
	stored := func(p *socle.Person) bool {
		t.Helper()
		_, err := s.Person(ctx, p.ID, socle.AllCategories)
		if socle.ErrorCode(err) == socle.ENOTFOUND {
			return false
		}
		must(t, err)
		return true
	}

	// The follow-up insert fails (its organisation does not exist):
	// neither the person nor her provenance is stored.
	p := NewPerson(21)
	p.ID = socle.NewID(socle.PrefixPerson)
	err := s.RegisterPerson(ctx, p, supplied(p, socle.CatIdentity, socle.CatContact), followup(p, socle.NewID(socle.PrefixOrganisation)), nil)
	if err == nil {
		t.Fatal("registration with a follow-up of an unknown organisation succeeded")
	}
	if stored(p) {
		t.Error("the person was stored without her follow-up")
	}
	prov, err := s.LatestProvenance(ctx, p.ID)
	must(t, err)
	fs, err := s.Followups(ctx, p.ID)
	must(t, err)
	if len(prov) != 0 || len(fs) != 0 {
		t.Errorf("after a failed registration: provenance %+v, follow-ups %+v", prov, fs)
	}

	// The same registration with a good follow-up stores all three, and
	// the idempotency key with the person's id.
	idem := &socle.IdempotencyRecord{Principal: "agent:" + agent.ID, Key: "k-1", Operation: "create_person", RequestHash: "abc"}
	must(t, s.RegisterPerson(ctx, p, supplied(p, socle.CatIdentity, socle.CatContact), followup(p, org.ID), idem))
	prov, err = s.LatestProvenance(ctx, p.ID)
	must(t, err)
	fs, err = s.Followups(ctx, p.ID)
	must(t, err)
	if !stored(p) || len(prov) != 2 || len(fs) != 1 || fs[0].OrganisationID != org.ID {
		t.Fatalf("after registration: provenance %+v, follow-ups %+v", prov, fs)
	}
	rec, err := s.Idempotency(ctx, idem.Principal, idem.Key)
	must(t, err)
	if rec.ResourceID != p.ID || rec.RequestHash != "abc" || rec.Operation != "create_person" {
		t.Errorf("idempotency record %+v, want person %s", rec, p.ID)
	}
	_, err = s.Idempotency(ctx, "agent:"+socle.NewID(socle.PrefixAgent), idem.Key)
	wantCode(t, err, socle.ENOTFOUND)

	// The same key again in another registration: a conflict, and that
	// person is not stored.
	twin := NewPerson(22)
	twin.ID = socle.NewID(socle.PrefixPerson)
	wantCode(t, s.RegisterPerson(ctx, twin, supplied(twin, socle.CatIdentity), followup(twin, org.ID), &socle.IdempotencyRecord{
		Principal: idem.Principal, Key: idem.Key, Operation: "create_person", RequestHash: "def"}), socle.ECONFLICT)
	if stored(twin) {
		t.Error("a registration whose key conflicts was stored")
	}

	// An update whose provenance cannot be stored (it names a person that
	// does not exist) is not applied.
	contact := *p.Contact
	contact.Phone = "0699887766"
	upd := &socle.Person{ID: p.ID, Contact: &contact}
	bad := supplied(&socle.Person{ID: socle.NewID(socle.PrefixPerson)}, socle.CatContact)
	if err := s.UpdatePersonSupplied(ctx, upd, socle.AllCategories, bad); err == nil {
		t.Fatal("update with provenance that cannot be stored succeeded")
	}
	got, err := s.Person(ctx, p.ID, socle.AllCategories)
	must(t, err)
	if got.Contact.Phone == contact.Phone {
		t.Error("the update was applied without its provenance")
	}
	must(t, s.UpdatePersonSupplied(ctx, upd, socle.AllCategories, supplied(p, socle.CatContact)))
	got, err = s.Person(ctx, p.ID, socle.AllCategories)
	must(t, err)
	if got.Contact.Phone != contact.Phone {
		t.Errorf("phone %q after the update, want %q", got.Contact.Phone, contact.Phone)
	}
}
