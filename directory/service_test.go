package directory_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"socle"
	"socle/audit"
	"socle/directory"
	"socle/internal/stacktest"
	"socle/store/auditsql"
	"socle/store/storetest"
)

type brokenLog struct{}

func (brokenLog) Append(context.Context, socle.AuditEvent) error { return errors.New("disk full") }

func newService(t *testing.T) (*directory.Service, *audit.Log, socle.Actor, socle.Actor, *socle.Agent) {
	t.Helper()
	ctx := context.Background()
	db, _ := stacktest.Open(t)
	org := storetest.NewOrganisation("Agence", socle.KindEmploymentService, "69")
	if err := db.CreateOrganisation(ctx, org); err != nil {
		t.Fatal(err)
	}
	dpoAgent, adv, colleague := storetest.NewAgent(org.ID, "dpo@ft.fr"), storetest.NewAgent(org.ID, "claire@ft.fr"), storetest.NewAgent(org.ID, "paul@ft.fr")
	dpoAgent.Roles = []socle.Role{socle.RoleAuditor}
	for _, a := range []*socle.Agent{dpoAgent, adv, colleague} {
		if err := db.CreateAgent(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	signer, _, err := audit.GenerateKey("socle.test")
	if err != nil {
		t.Fatal(err)
	}
	log, err := audit.Open(ctx, auditsql.New(db), signer, audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close() })
	svc := directory.NewService(db, log)
	svc.PersonRef = func(id string) string { return audit.PersonRef([]byte("k"), id) }
	actor := func(a *socle.Agent) socle.Actor {
		return socle.Actor{AgentID: a.ID, OrganisationID: org.ID, Roles: a.Roles, Strength: socle.AuthMFA}
	}
	return svc, log, actor(dpoAgent), actor(adv), colleague
}

func TestRegisterIsKeptByPrivacyOfficersAndAudited(t *testing.T) {
	svc, log, dpo, adviser, _ := newService(t)
	ctx := context.Background()
	person := storetest.NewPerson(1)
	person.ID = socle.NewID(socle.PrefixPerson)
	if _, err := svc.Protect(ctx, adviser, person.ID, socle.ProtectedElected, "Maire"); socle.ErrorCode(err) != socle.EFORBIDDEN {
		t.Fatalf("an adviser registers: %v, want EFORBIDDEN", err)
	}
	for _, bad := range []struct{ id, kind, reason string }{{"Dupont", "elected", "Maire"}, {person.ID, "star", "Maire"}, {person.ID, "elected", " "}} {
		if _, err := svc.Protect(ctx, dpo, bad.id, socle.ProtectionKind(bad.kind), bad.reason); socle.ErrorCode(err) != socle.EINVALID {
			t.Errorf("Protect(%v): %v, want EINVALID", bad, err)
		}
	}
	size := log.Size()
	e, err := svc.Protect(ctx, dpo, person.ID, socle.ProtectedElected, "Maire")
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Unprotect(ctx, dpo, e.ID); err != nil {
		t.Fatal(err)
	}
	if err := svc.Unprotect(ctx, dpo, e.ID); socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Fatalf("removing twice: %v", err)
	}
	list, err := svc.Protected(ctx, dpo)
	if err != nil || len(list) != 1 || list[0].Active() {
		t.Fatalf("register = %+v, %v", list, err)
	}
	var actions []string
	for i := size; i < log.Size(); i++ {
		entry, err := log.Entry(ctx, i)
		if err != nil {
			t.Fatal(err)
		}
		actions = append(actions, entry.Event.Action)
		if strings.Contains(string(entry.Leaf), person.ID) {
			t.Errorf("entry %d names the person in clear", i)
		}
	}
	if got := strings.Join(actions, ","); got != "protected_add,protected_remove,protected_list" {
		t.Fatalf("audited actions = %s", got)
	}
	// Fail closed: a change that cannot be recorded does not happen.
	broken := directory.NewService(nil, brokenLog{})
	if _, err := broken.Protect(ctx, dpo, person.ID, socle.ProtectedVIP, "x"); socle.ErrorCode(err) != socle.EUNAVAILABLE {
		t.Fatalf("broken log: %v, want EUNAVAILABLE", err)
	}
}

func TestDeclarationsAreCheckedByKind(t *testing.T) {
	svc, _, _, adviser, colleague := newService(t)
	ctx := context.Background()
	now := time.Now()
	pid := socle.NewID(socle.PrefixPerson)
	tests := []struct {
		name string
		d    socle.Declaration
		want string
	}{
		{"delegation", socle.Declaration{Kind: socle.DeclareDelegation, OfAgentID: colleague.ID, From: now, To: now.Add(7 * 24 * time.Hour)}, ""},
		{"delegation of herself", socle.Declaration{Kind: socle.DeclareDelegation, OfAgentID: adviser.AgentID, From: now, To: now.Add(time.Hour)}, socle.EINVALID},
		{"delegation of a year", socle.Declaration{Kind: socle.DeclareDelegation, OfAgentID: colleague.ID, From: now, To: now.AddDate(1, 0, 0)}, socle.EINVALID},
		{"walk-in", socle.Declaration{Kind: socle.DeclareCheckin, Persons: []string{pid}}, ""},
		{"walk-in without a file", socle.Declaration{Kind: socle.DeclareCheckin}, socle.EINVALID},
		{"call without reference", socle.Declaration{Kind: socle.DeclareCall, Persons: []string{pid}}, socle.EINVALID},
		{"call", socle.Declaration{Kind: socle.DeclareCall, Persons: []string{pid}, Reference: "APL-7"}, ""},
		{"event", socle.Declaration{Kind: socle.DeclareEvent, Persons: []string{pid, socle.NewID(socle.PrefixPerson)}, Reference: "Job-dating", From: now, To: now.Add(3 * time.Hour)}, ""},
		{"event with a malformed file", socle.Declaration{Kind: socle.DeclareEvent, Persons: []string{"Dupont"}, Reference: "Job-dating", From: now, To: now.Add(time.Hour)}, socle.EINVALID},
		{"conflict", socle.Declaration{Kind: socle.DeclareConflict, Persons: []string{pid}}, ""},
		{"unknown kind", socle.Declaration{Kind: "rumeur"}, socle.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := tt.d
			if err := svc.Declare(ctx, adviser, &d); socle.ErrorCode(err) != tt.want {
				t.Fatalf("Declare: %v, want %q", err, tt.want)
			}
		})
	}
	ds, err := svc.Declarations(ctx, adviser)
	if err != nil || len(ds) != 5 {
		t.Fatalf("declarations = %d, %v; want 5", len(ds), err)
	}
	if err := svc.Withdraw(ctx, adviser, ds[0].ID); err != nil {
		t.Fatal(err)
	}
}

// TestBackfillIndexesBulkLoadedHomes checks that persons loaded without
// the gate get their homes indexed: two persons of one address share the
// household and address marks, and a person with no identity nor contact
// is left out.
func TestBackfillIndexesBulkLoadedHomes(t *testing.T) {
	ctx := context.Background()
	db, _ := stacktest.Open(t)
	a, b, bare := storetest.NewPerson(1), storetest.NewPerson(2), storetest.NewPerson(3)
	b.Identity.FamilyName = "Autrenom"
	b.Contact.Address, b.Contact.CommuneCode = a.Contact.Address, a.Contact.CommuneCode
	for _, p := range []*socle.Person{a, b, bare} {
		p.Health, p.Justice, p.Bank = nil, nil, nil
	}
	bare.Identity, bare.Contact = nil, nil
	if err := db.Load(ctx, &socle.Batch{Persons: []*socle.Person{a, b}}); err != nil {
		t.Fatal(err)
	}
	idx := directory.HomeIndex{Marker: directory.NewMarker([]byte("0123456789abcdef0123456789abcdef")), Store: db}
	n, err := idx.Backfill(ctx, []*socle.Person{a, b, bare}, socle.DateOf(time.Now()))
	if err != nil || n != 2 {
		t.Fatalf("backfilled %d homes (%v), want 2", n, err)
	}
	homes := map[string]socle.Marks{}
	for _, p := range []*socle.Person{a, b, bare} {
		hs, err := db.PersonHomes(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(hs) > 0 {
			homes[p.ID] = hs[0].Marks
		}
	}
	ma, mb := homes[a.ID], homes[b.ID]
	if ma.Address == "" || ma.Address != mb.Address || ma.Household != mb.Household || ma.Identity == mb.Identity {
		t.Fatalf("marks %+v and %+v: want the same home, different identities", ma, mb)
	}
	if _, ok := homes[bare.ID]; ok {
		t.Fatal("a person without identity nor contact got a home")
	}
}
