package space_test

import (
	"context"
	"testing"
	"time"

	"socle"
	"socle/internal/stacktest"
	"socle/space"
	"socle/store/sqlstore"
	"socle/store/storetest"
)

// TestStore runs the space's store methods on both engines: the e-mail
// lookup over the generated column follows creates, updates and bulk
// loads; a link serves once; request counts restart with each window.
func TestStore(t *testing.T) {
	engines := map[string]func(t testing.TB) *sqlstore.DB{
		"sqlite":   func(t testing.TB) *sqlstore.DB { db, _ := stacktest.Open(t); return db },
		"postgres": stacktest.OpenPostgres,
	}
	for name, open := range engines {
		t.Run(name, func(t *testing.T) { testStore(t, open(t)) })
	}
}

func person(i int, email string) *socle.Person {
	p := storetest.NewPerson(i)
	p.Health, p.Justice, p.Bank = nil, nil, nil
	p.Contact.Email = email
	return p
}

func testStore(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	a, b := person(1, "Ana.Martin@Example.fr"), person(2, "")
	if err := db.CreatePerson(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := db.CreatePerson(ctx, b); err != nil {
		t.Fatal(err)
	}
	loaded := person(3, "shared@example.fr")
	twin := person(4, "SHARED@example.fr")
	if err := db.Load(ctx, &socle.Batch{Persons: []*socle.Person{loaded, twin}}); err != nil {
		t.Fatal(err)
	}
	lookup := func(email string) []string {
		t.Helper()
		ids, err := db.PersonsByEmail(ctx, space.EmailKey(email), 5)
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	if ids := lookup(" ana.martin@example.FR"); len(ids) != 1 || ids[0] != a.ID {
		t.Errorf("lookup of a created person: %v", ids)
	}
	if ids := lookup("shared@example.fr"); len(ids) != 2 {
		t.Errorf("lookup of loaded persons: %v", ids)
	}
	upd := &socle.Person{ID: b.ID, Contact: &socle.Contact{Email: "Bea@example.fr", PostalCode: "69001", CommuneCode: "69381"}}
	if err := db.UpdatePerson(ctx, upd, socle.SetOf(socle.CatContact)); err != nil {
		t.Fatal(err)
	}
	if ids := lookup("bea@example.fr"); len(ids) != 1 || ids[0] != b.ID {
		t.Errorf("lookup after an update: %v", ids)
	}
	if ids := lookup("nobody@example.fr"); len(ids) != 0 {
		t.Errorf("lookup of nobody: %v", ids)
	}

	now := time.Now().UTC().Truncate(time.Microsecond)
	if err := db.CreateLink(ctx, &socle.PersonLink{Hash: "h1", PersonID: a.ID, CreatedAt: now, ExpiresAt: now.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	l, err := db.TakeLink(ctx, "h1")
	if err != nil || l.PersonID != a.ID || !l.ExpiresAt.Equal(now.Add(time.Minute)) {
		t.Fatalf("TakeLink = %+v, %v", l, err)
	}
	if _, err := db.TakeLink(ctx, "h1"); socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Errorf("second TakeLink: %v, want not found", err)
	}

	se := &socle.PersonSession{ID: "s1", PersonID: a.ID, CSRF: "c", CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(time.Hour)}
	if err := db.CreatePersonSession(ctx, se); err != nil {
		t.Fatal(err)
	}
	if err := db.TouchPersonSession(ctx, "s1", now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	got, err := db.PersonSession(ctx, "s1")
	if err != nil || got.PersonID != a.ID || !got.LastSeen.Equal(now.Add(time.Minute)) {
		t.Fatalf("PersonSession = %+v, %v", got, err)
	}
	if err := db.DeletePersonSession(ctx, "s1"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.PersonSession(ctx, "s1"); socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Errorf("deleted session: %v", err)
	}

	for i, tt := range []struct {
		at   time.Duration
		want int
	}{{0, 1}, {time.Minute, 2}, {2 * time.Minute, 3}, {20 * time.Minute, 1}, {21 * time.Minute, 2}} {
		n, err := db.SpaceHit(ctx, "addr:192.0.2.1", now.Add(tt.at), 15*time.Minute)
		if err != nil || n != tt.want {
			t.Errorf("hit %d: %d, %v; want %d", i, n, err, tt.want)
		}
	}
}
