package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"testing"

	"socle"
	"socle/seal"
	"socle/store/sqlstore"
)

// Keyring returns a keyring with a fresh random master key, for the stores
// of tests: without one, a store refuses sensitive sections.
func Keyring(tb testing.TB) *seal.Keyring {
	tb.Helper()
	master := make([]byte, seal.KeySize)
	if _, err := rand.Read(master); err != nil {
		tb.Fatal(err)
	}
	k, err := seal.New(master)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// Raw is a store with a keyring set and a second connection to the same
// database, to look at what is stored at rest, and one to the database of
// its audit log (the same one unless the engine keeps the log apart).
type Raw struct {
	Store *sqlstore.DB
	DB    *sql.DB
	Audit *sql.DB
}

// RunSealing runs the tests of sealed sensitive sections and crypto-
// shredding; open returns a fresh store and a raw connection to it.
func RunSealing(t *testing.T, open func(t *testing.T) Raw) {
	runTests(t, open, "raw store", []storeTest[Raw]{
		{"CiphertextAtRest", testCiphertextAtRest},
		{"SwappedCiphertext", testSwappedCiphertext},
		{"NoSealer", testNoSealer},
		{"Shred", testShred},
		{"Erase", testErase},
	})
}

// rawSections returns the stored health, justice and bank values of a person.
func rawSections(t *testing.T, r Raw, id string) [3][]byte {
	t.Helper()
	var out [3][]byte
	q := rebind(r, `SELECT health, justice, bank FROM persons WHERE id = ?`)
	if err := r.DB.QueryRowContext(context.Background(), q, id).Scan(&out[0], &out[1], &out[2]); err != nil {
		t.Fatal(err)
	}
	return out
}

// rebind returns q for the raw connection's engine.
func rebind(r Raw, q string) string {
	if r.Store.Dialect().Numbered {
		return sqlstore.Rebind(q)
	}
	return q
}

func testCiphertextAtRest(t *testing.T, r Raw) {
	ctx := context.Background()
	loaded := NewPerson(7)
	loaded.Health.Notes = "RQTH : travailleur handicapé, poste adapté"
	must(t, r.Store.Load(ctx, &socle.Batch{Persons: []*socle.Person{loaded}}))
	created := NewPerson(8)
	created.Health.Notes = loaded.Health.Notes
	must(t, r.Store.CreatePerson(ctx, created))
	updated := NewPerson(9)
	updated.Health, updated.Justice, updated.Bank = nil, nil, nil
	must(t, r.Store.CreatePerson(ctx, updated))
	must(t, r.Store.UpdatePerson(ctx, &socle.Person{ID: updated.ID, Health: loaded.Health, Bank: loaded.Bank}, socle.AllCategories))

	for _, tt := range []struct {
		name string
		p    *socle.Person
	}{{"Load", loaded}, {"CreatePerson", created}, {"UpdatePerson", updated}} {
		t.Run(tt.name, func(t *testing.T) {
			raw := rawSections(t, r, tt.p.ID)
			for i, v := range raw {
				for _, clear := range []string{ValidIBAN, "travailleur handicap", "BNPAFRPP", "sursis", "rqth"} {
					if bytes.Contains(bytes.ToLower(v), bytes.ToLower([]byte(clear))) {
						t.Errorf("column %d holds %q in clear", i, clear)
					}
				}
			}
			if raw[0] == nil || raw[2] == nil {
				t.Fatalf("health or bank not stored: %q", raw)
			}
			got, err := r.Store.Person(ctx, tt.p.ID, socle.AllCategories)
			must(t, err)
			sameJSON(t, "health", got.Health, loaded.Health)
			sameJSON(t, "bank", got.Bank, loaded.Bank)
			found, err := r.Store.SearchPersons(ctx, socle.PersonQuery{NIR: tt.p.Identity.NIR}, socle.AllCategories)
			must(t, err)
			if len(found) != 1 {
				t.Fatalf("search by NIR found %d persons", len(found))
			}
			sameJSON(t, "searched bank", found[0].Bank, loaded.Bank)
		})
	}
}

// testSwappedCiphertext moves the sealed sections of one person to another
// in the database: reading either fails closed (EINTERNAL) and never shows
// the other person's data; reading without the sensitive categories works.
func testSwappedCiphertext(t *testing.T, r Raw) {
	ctx := context.Background()
	a, b := NewPerson(10), NewPerson(11)
	b.Bank.IBAN = "FR1420041010050500013M02606"
	must(t, r.Store.Load(ctx, &socle.Batch{Persons: []*socle.Person{a, b}}))
	ra, rb := rawSections(t, r, a.ID), rawSections(t, r, b.ID)
	set := rebind(r, `UPDATE persons SET bank = ? WHERE id = ?`)
	for _, u := range []struct {
		v  []byte
		id string
	}{{rb[2], a.ID}, {ra[2], b.ID}} {
		if _, err := r.DB.ExecContext(ctx, set, u.v, u.id); err != nil {
			t.Fatal(err)
		}
	}
	// Health moved into the bank column of the same person: also refused.
	c := createdID(t, r, 12)
	if _, err := r.DB.ExecContext(ctx, rebind(r, `UPDATE persons SET bank = health, health = NULL WHERE id = ?`), c); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{a.ID, b.ID, c} {
		p, err := r.Store.Person(ctx, id, socle.AllCategories)
		if p != nil {
			t.Errorf("read of a swapped ciphertext returned a person with bank %+v", p.Bank)
		}
		wantCode(t, err, socle.EINTERNAL)
		p, err = r.Store.Person(ctx, id, socle.SetOf(socle.CatIdentity, socle.CatContact))
		must(t, err)
		if p.Identity == nil || p.Bank != nil {
			t.Errorf("read without sensitive categories: %+v", p)
		}
	}
}

// createdID creates person i in the store of r and returns its id.
func createdID(t *testing.T, r Raw, i int) string {
	t.Helper()
	p := NewPerson(i)
	must(t, r.Store.CreatePerson(context.Background(), p))
	return p.ID
}

// testNoSealer checks the fail-safe: a store without keyring refuses to
// write a sensitive section, in every write path, and writes the rest.
func testNoSealer(t *testing.T, r Raw) {
	ctx := context.Background()
	id := createdID(t, r, 13)
	r.Store.SetSealer(nil)
	wantCode(t, r.Store.CreatePerson(ctx, NewPerson(14)), socle.EUNAVAILABLE)
	wantCode(t, r.Store.Load(ctx, &socle.Batch{Persons: []*socle.Person{NewPerson(15)}}), socle.EUNAVAILABLE)
	wantCode(t, r.Store.UpdatePerson(ctx, &socle.Person{ID: id, Bank: &socle.Bank{IBAN: ValidIBAN}}, socle.AllCategories), socle.EUNAVAILABLE)
	_, err := r.Store.Person(ctx, id, socle.AllCategories)
	wantCode(t, err, socle.EUNAVAILABLE)
	plain := NewPerson(16)
	plain.Health, plain.Justice, plain.Bank = nil, nil, nil
	must(t, r.Store.CreatePerson(ctx, plain))
	must(t, r.Store.UpdatePerson(ctx, &socle.Person{ID: id, Skills: plain.Skills}, socle.AllCategories))
}

func testShred(t *testing.T, r Raw) {
	ctx := context.Background()
	p := NewPerson(17)
	must(t, r.Store.CreatePerson(ctx, p))
	must(t, r.Store.ShredPerson(ctx, p.ID))
	must(t, r.Store.ShredPerson(ctx, p.ID)) // twice is not an error
	if raw := rawSections(t, r, p.ID); raw[0] != nil || raw[1] != nil || raw[2] != nil {
		t.Errorf("sealed columns after shredding: %q", raw)
	}
	var wrapped []byte
	var shredded sql.NullString
	if err := r.DB.QueryRowContext(ctx, rebind(r, `SELECT wrapped_key, CAST(shredded_at AS TEXT) FROM person_keys WHERE person_id = ?`), p.ID).Scan(&wrapped, &shredded); err != nil {
		t.Fatal(err)
	}
	if wrapped != nil || !shredded.Valid {
		t.Errorf("key row after shredding: key %d bytes, shredded_at %v", len(wrapped), shredded)
	}
	got, err := r.Store.Person(ctx, p.ID, socle.AllCategories)
	must(t, err)
	if got.Health != nil || got.Justice != nil || got.Bank != nil {
		t.Errorf("shredded person read with sensitive sections: %+v %+v %+v", got.Health, got.Justice, got.Bank)
	}
	sameJSON(t, "identity kept", got.Identity, p.Identity)
	sameJSON(t, "contact kept", got.Contact, p.Contact)

	// A new sensitive section after shredding takes a new key.
	must(t, r.Store.UpdatePerson(ctx, &socle.Person{ID: p.ID, Bank: p.Bank}, socle.AllCategories))
	got, err = r.Store.Person(ctx, p.ID, socle.AllCategories)
	must(t, err)
	sameJSON(t, "bank written after shredding", got.Bank, p.Bank)
	if got.Health != nil {
		t.Errorf("health came back: %+v", got.Health)
	}

	wantCode(t, r.Store.ShredPerson(ctx, socle.NewID(socle.PrefixPerson)), socle.ENOTFOUND)
	wantCode(t, r.Store.UpdatePerson(ctx, &socle.Person{ID: socle.NewID(socle.PrefixPerson), Bank: p.Bank}, socle.AllCategories), socle.ENOTFOUND)
}

func testErase(t *testing.T, r Raw) {
	ctx := context.Background()
	p := NewPerson(18)
	plain := NewPerson(19)
	plain.Health, plain.Justice, plain.Bank = nil, nil, nil
	must(t, r.Store.Load(ctx, &socle.Batch{Persons: []*socle.Person{p, plain}}))
	for _, id := range []string{p.ID, plain.ID} {
		must(t, r.Store.ErasePerson(ctx, id))
		must(t, r.Store.ErasePerson(ctx, id))
		got, err := r.Store.Person(ctx, id, socle.AllCategories)
		must(t, err)
		if got.ID != id || got.Identity == nil || got.Identity.FamilyName != sqlstore.ErasedName || got.Identity.NIR != "" {
			t.Errorf("erased person's identity: %+v", got.Identity)
		}
		if got.Contact != nil || got.Parcours != nil || got.Skills != nil || got.Health != nil || got.Justice != nil || got.Bank != nil {
			t.Errorf("erased person keeps sections: %+v", got)
		}
	}
	found, err := r.Store.SearchPersons(ctx, socle.PersonQuery{NIR: p.Identity.NIR}, socle.AllCategories)
	must(t, err)
	if len(found) != 0 {
		t.Errorf("an erased person is found by her former NIR")
	}
	wantCode(t, r.Store.UpdatePerson(ctx, &socle.Person{ID: p.ID, Bank: p.Bank}, socle.AllCategories), socle.ECONFLICT)
	wantCode(t, r.Store.ErasePerson(ctx, socle.NewID(socle.PrefixPerson)), socle.ENOTFOUND)
}
