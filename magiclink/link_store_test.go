package magiclink_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"socle"
	"socle/audit"
	"socle/employer"
	"socle/identity"
	"socle/internal/stacktest"
	"socle/magiclink"
	"socle/space"
	"socle/store/auditsql"
	"socle/store/storetest"
)

// TestLinksAreStoredAsKeyedHashes: the tables of one-time links of the
// person's and the employer's spaces hold neither the token nor its plain
// SHA-256, which a copy of the database could test guesses against; the
// link still works once.
func TestLinksAreStoredAsKeyedHashes(t *testing.T) {
	ctx := context.Background()
	db, _ := stacktest.Open(t)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	signer, _, err := audit.GenerateKey("socle.test")
	if err != nil {
		t.Fatal(err)
	}
	log, err := audit.Open(ctx, auditsql.New(db), signer, audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close() })
	key, linkKey := []byte("a form key of 32 bytes, at least"), []byte("the platform link key, 32 bytes!")
	mailer := identity.DemoMailer{Out: io.Discard}
	client := identity.Client{RemoteAddr: "192.0.2.1"}

	p := storetest.NewPerson(1)
	p.Health, p.Justice, p.Bank = nil, nil, nil
	if err := db.CreatePerson(ctx, p); err != nil {
		t.Fatal(err)
	}
	sp, err := space.New(db, log, mailer, logger, space.Config{BaseURL: "http://socle.test", Key: key, LinkKey: linkKey, PersonRef: func(id string) string { return "ref-" + id }})
	if err != nil {
		t.Fatal(err)
	}
	link, err := sp.IssueLink(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	token := link[len(link)-43:]
	if _, err := db.TakeLink(ctx, magiclink.Hash(token)); socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Fatalf("the person's link is stored as the plain SHA-256 of its token: %v", err)
	}
	if _, err := db.TakeLink(ctx, token); socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Fatalf("the person's link is stored in clear: %v", err)
	}
	if _, err := sp.ConsumeLink(ctx, token, client); err != nil {
		t.Fatalf("the person's link does not work: %v", err)
	}

	c := storetest.NewCompany(1)
	if err := db.CreateCompany(ctx, c); err != nil {
		t.Fatal(err)
	}
	ct := storetest.NewContact(c.ID, 1)
	if err := db.CreateContact(ctx, ct); err != nil {
		t.Fatal(err)
	}
	emp, err := employer.New(db, log, mailer, logger, employer.Config{BaseURL: "http://socle.test", Key: key, LinkKey: linkKey})
	if err != nil {
		t.Fatal(err)
	}
	link, err = emp.IssueLink(ctx, ct.ID)
	if err != nil {
		t.Fatal(err)
	}
	token = link[len(link)-43:]
	for _, stored := range []string{magiclink.Hash(token), token} {
		if _, err := db.UseEmployerToken(ctx, stored, sp.Now()); err == nil {
			t.Fatal("the employer's link is stored in clear or as its plain SHA-256")
		}
	}
	if _, err := emp.ConsumeLink(ctx, token, client); err != nil {
		t.Fatalf("the employer's link does not work: %v", err)
	}
}

func TestLinkHashIsKeyedAndSpaceBound(t *testing.T) {
	k1, k2 := []byte("key one, 32 bytes long, at least"), []byte("key two, 32 bytes long, at least")
	h := magiclink.LinkHash(k1, "usager", "tok")
	for name, other := range map[string]string{
		"another key":   magiclink.LinkHash(k2, "usager", "tok"),
		"another space": magiclink.LinkHash(k1, "employeur", "tok"),
		"plain SHA-256": magiclink.Hash("tok"),
	} {
		if other == h {
			t.Errorf("%s gives the same hash", name)
		}
	}
}
