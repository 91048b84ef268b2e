package gate_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"socle"
	"socle/audit"
	"socle/gate"
	"socle/internal/stacktest"
	"socle/matching"
	"socle/policy"
	"socle/store/auditsql"
	"socle/store/sqlstore"
	"socle/store/storetest"
)

// env is a gate over a real SQLite store, the real policy engine and the
// real audit log, with a small network: a mission locale that follows one
// person, and a person nobody there follows.
type env struct {
	dir       string
	db        *sqlstore.DB
	log       *audit.Log
	gate      *gate.Gate
	matching  *matching.Index // the gate's, empty until a test loads it
	adviser   socle.Actor
	followed  *socle.Person
	stranger  *socle.Person
	verifyKey string
	signerKey string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := newStack(t, true, audit.Options{CheckpointEvery: 4})
	e.network(t, true)
	return e
}

// newStack is a gate over a real SQLite store (whose sensitive sections are
// sealed when sealed is true), the real policy engine and the real audit
// log opened with opts, without any network yet.
func newStack(t *testing.T, sealed bool, opts audit.Options) *env {
	t.Helper()
	s := stacktest.New(t, stacktest.Options{Unsealed: !sealed, Audit: opts})
	return &env{dir: s.Dir, db: s.DB, log: s.Log, gate: s.Gate, matching: s.Matching, verifyKey: s.VerifierKey, signerKey: s.SignerKey}
}

// network creates the small network of env: a mission locale that follows
// one person, and a person nobody there follows. Without sensitive, the
// persons carry no health, justice nor bank section (a store without an
// encryption key refuses them).
func (e *env) network(t *testing.T, sensitive bool) {
	t.Helper()
	ctx := context.Background()
	e.adviser = newAdviser(t, e.db, storetest.NewOrganisation("Mission Locale de Lyon", socle.KindYouth, "69"), "claire@ml-lyon.fr")
	e.followed, e.stranger = storetest.NewPerson(1), storetest.NewPerson(2)
	for _, p := range []*socle.Person{e.followed, e.stranger} {
		if !sensitive {
			p.Health, p.Justice, p.Bank = nil, nil, nil
		}
		p.Parcours.Situation = socle.SituationYouth
		p.Identity.BirthDate = socle.NewDate(2004, 3, 2)
		if err := e.db.CreatePerson(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	f := &socle.Followup{PersonID: e.followed.ID, OrganisationID: e.adviser.OrganisationID, AgentID: e.adviser.AgentID, Start: socle.NewDate(2025, 3, 2)}
	if err := e.db.CreateFollowup(ctx, f); err != nil {
		t.Fatal(err)
	}
}

// partnerSystem is the request of the partner system of adviser's
// organisation, with scopes, for purpose.
func partnerSystem(adviser socle.Actor, purpose string, scopes ...string) gate.Request {
	return gate.Request{Actor: socle.Actor{ClientID: "cli_ml", OrganisationID: adviser.OrganisationID, OrgKind: adviser.OrgKind,
		Departements: adviser.Departements, Scopes: scopes, Strength: socle.AuthClient}, Purpose: purpose, RequestID: "client"}
}

// newAdviser stores org and an adviser of it (email), and returns her
// actor, signed in with a second factor.
func newAdviser(t *testing.T, db *sqlstore.DB, org *socle.Organisation, email string) socle.Actor {
	t.Helper()
	ctx := context.Background()
	if err := db.CreateOrganisation(ctx, org); err != nil {
		t.Fatal(err)
	}
	agent := storetest.NewAgent(org.ID, email)
	if err := db.CreateAgent(ctx, agent); err != nil {
		t.Fatal(err)
	}
	return socle.Actor{AgentID: agent.ID, OrganisationID: org.ID, OrgKind: org.Kind, OrgName: org.Name,
		Roles: agent.Roles, Departements: org.Departements, Strength: socle.AuthMFA}
}

func (e *env) req(purpose string) gate.Request {
	return gate.Request{Actor: e.adviser, Purpose: purpose, RequestID: "test", RemoteAddr: "127.0.0.1"}
}

func TestCallerChecks(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	passwordOnly := e.adviser
	passwordOnly.Strength = socle.AuthPassword
	tests := []struct {
		name string
		req  gate.Request
		code string
		msg  string
	}{
		{"anonymous", gate.Request{Purpose: policy.PurposeAccompagnement}, socle.EUNAUTHENTICATED, "authentication"},
		{"password only", gate.Request{Actor: passwordOnly, Purpose: policy.PurposeAccompagnement}, socle.EFORBIDDEN, "second factor"},
		{"no purpose", e.req(""), socle.EINVALID, "accompagnement"},
		{"unknown purpose", e.req("curiosite"), socle.EINVALID, "accompagnement"},
		{"justification not UTF-8", gate.Request{Actor: e.adviser, Purpose: policy.PurposeAccompagnement, BreakGlass: "demande \xe9crite"}, socle.EINVALID, "UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, _, err := e.gate.ReadPerson(ctx, tt.req, e.followed.ID, 0)
			if p != nil || socle.ErrorCode(err) != tt.code || !strings.Contains(socle.ErrorMessage(err), tt.msg) {
				t.Fatalf("ReadPerson = %v, %v; want %s mentioning %q", p, err, tt.code, tt.msg)
			}
		})
	}
}

func TestReadIsDecidedMaskedAndAudited(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	before := e.log.Size()

	p, d, err := e.gate.ReadPerson(ctx, e.req(policy.PurposeAccompagnement), e.followed.ID, 0)
	if err != nil {
		t.Fatalf("reading a followed person: %v", err)
	}
	if p.Identity == nil || p.Contact == nil {
		t.Errorf("granted sections missing: %v", p.Categories())
	}
	if p.Health != nil || p.Justice != nil || p.Bank != nil {
		t.Errorf("a mission locale sees sensitive sections: %v", p.Categories())
	}
	b, _ := json.Marshal(p)
	for _, key := range []string{`"health"`, `"justice"`, `"bank"`, `"iban"`, `"rqth"`} {
		if strings.Contains(string(b), key) {
			t.Errorf("masked key %s in %s", key, b)
		}
	}
	if !strings.Contains(d.Explanation(), "Mission Locale de Lyon") {
		t.Errorf("explanation %q does not name the organisation", d.Explanation())
	}

	// Forbidden and absent look the same.
	_, _, errStranger := e.gate.ReadPerson(ctx, e.req(policy.PurposeAccompagnement), e.stranger.ID, 0)
	_, _, errAbsent := e.gate.ReadPerson(ctx, e.req(policy.PurposeAccompagnement), socle.NewID(socle.PrefixPerson), 0)
	_, _, errMalformed := e.gate.ReadPerson(ctx, e.req(policy.PurposeAccompagnement), "per_../../etc", 0)
	for _, err := range []error{errStranger, errAbsent, errMalformed} {
		if socle.ErrorCode(err) != socle.ENOTFOUND || socle.ErrorMessage(err) != "person not found" {
			t.Errorf("err = %v, want the same not found", err)
		}
	}
	// The allowed read, the denial and the absent one are in the log.
	if got := e.log.Size() - before; got != 3 {
		t.Errorf("%d audit entries, want 3 (allowed, denied, absent)", got)
	}
	last, err := e.log.Entry(ctx, e.log.Size()-1)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(last.Leaf), `"allowed":false`) {
		t.Errorf("the last entry is not the denial: %s", last.Leaf)
	}
	if strings.Contains(string(last.Leaf), e.stranger.ID) {
		t.Errorf("the audit entry carries the clear person id: %s", last.Leaf)
	}
}

// TestFailClosed breaks the audit table under the running log: the gate
// must then return no data at all.
func TestFailClosed(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, _, err := e.gate.ReadPerson(ctx, e.req(policy.PurposeAccompagnement), e.followed.ID, 0); err != nil {
		t.Fatal(err)
	}
	stacktest.BreakAuditStore(t, e.dir)
	p, _, err := e.gate.ReadPerson(ctx, e.req(policy.PurposeAccompagnement), e.followed.ID, 0)
	if p != nil || socle.ErrorCode(err) != socle.EUNAVAILABLE {
		t.Fatalf("with the audit log broken: person %v, err %v; want no data and unavailable", p, err)
	}
	found, _, err := e.gate.SearchPersons(ctx, e.req(policy.PurposeAccompagnement), socle.PersonQuery{FamilyName: e.followed.Identity.FamilyName})
	if found != nil || err == nil {
		t.Fatalf("search with the audit log broken: %v, %v", found, err)
	}
}

func TestSearchIsRestrictedToFollowedPersons(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	req := e.req(policy.PurposeAccompagnement)
	found, _, err := e.gate.SearchPersons(ctx, req, socle.PersonQuery{FamilyName: e.followed.Identity.FamilyName[:3]})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 1 || found[0].ID != e.followed.ID {
		t.Fatalf("search by name prefix found %d persons, want the followed one only", len(found))
	}
	found, _, err = e.gate.SearchPersons(ctx, req, socle.PersonQuery{FamilyName: e.stranger.Identity.FamilyName})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range found {
		if p.ID == e.stranger.ID {
			t.Fatal("a name search found a person the organisation does not follow")
		}
	}
	if _, _, err := e.gate.SearchPersons(ctx, req, socle.PersonQuery{}); socle.ErrorCode(err) != socle.EINVALID {
		t.Fatalf("a search without criteria: %v", err)
	}
	// Outside the followed population, the exact NIR with the birth date
	// gives a minimal card, within the organisation's territory (the
	// Rhône); beyond it (the stranger lives in Marseille) only with a
	// reason, flagged like a break-the-glass justification.
	neighbour := storetest.NewPerson(9) // Lyon
	if err := e.db.CreatePerson(ctx, neighbour); err != nil {
		t.Fatal(err)
	}
	cards, _, err := e.gate.SearchPersons(ctx, req, socle.PersonQuery{NIR: neighbour.Identity.NIR, BirthDate: neighbour.Identity.BirthDate})
	if err != nil {
		t.Fatal(err)
	}
	if len(cards) != 1 || cards[0].ID != neighbour.ID {
		t.Fatalf("exact lookup in the territory found %d", len(cards))
	}
	if cards[0].Contact != nil || cards[0].Parcours != nil || cards[0].Health != nil {
		t.Errorf("the lookup card carries more than identity: %v", cards[0].Categories())
	}
	outside := socle.PersonQuery{NIR: e.stranger.Identity.NIR, BirthDate: e.stranger.Identity.BirthDate}
	cards, d, err := e.gate.SearchPersons(ctx, req, outside)
	if err != nil || len(cards) != 0 {
		t.Fatalf("exact lookup outside the territory without a reason: %d cards, %v", len(cards), err)
	}
	absent := socle.PersonQuery{NIR: storetest.NIR(999), BirthDate: e.stranger.Identity.BirthDate}
	if _, none, err := e.gate.SearchPersons(ctx, req, absent); err != nil || none.Explanation() != d.Explanation() {
		t.Errorf("an absent identifier explains %q (%v), an out-of-reach one %q: a lookup must be no oracle", none.Explanation(), err, d.Explanation())
	}
	justified := req
	justified.BreakGlass = "Demande de la personne reçue à l'accueil ce matin"
	cards, d, err = e.gate.SearchPersons(ctx, justified, outside)
	if err != nil || len(cards) != 1 || cards[0].ID != e.stranger.ID || !d.BreakGlass || cards[0].Contact != nil {
		t.Fatalf("exact lookup outside the territory with a reason: %d cards, %+v, %v", len(cards), d, err)
	}
	if last := lastAuditEntry(t, e); !strings.Contains(last, `"kind":"exact_lookup"`) || !strings.Contains(last, `"outcome":"found"`) ||
		!strings.Contains(last, `"territory":"out"`) || !strings.Contains(last, `"break_glass":"Demande de la personne`) {
		t.Errorf("audit entry of the justified lookup = %s", last)
	}
	// It is listed for review like a break-the-glass access, and opens
	// nothing: the file stays closed without a justification of its own.
	officer := gate.Request{Actor: socle.Actor{AgentID: "agt_dpo", OrganisationID: e.adviser.OrganisationID, Roles: []socle.Role{socle.RoleAuditor}, Strength: socle.AuthMFA}}
	grants, err := e.gate.BreakGlassGrants(ctx, officer, false, 10)
	if err != nil || len(grants) != 1 || grants[0].Justification != justified.BreakGlass {
		t.Fatalf("grants to review = %+v, %v; want the justified lookup", grants, err)
	}
	if p, _, err := e.gate.ReadPerson(ctx, req, e.stranger.ID, 0); p != nil || socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Fatalf("reading the file after a justified lookup: %v, %v; want not found", p, err)
	}
	// The NIR alone, without the birth date, finds nobody outside.
	cards, _, err = e.gate.SearchPersons(ctx, req, socle.PersonQuery{NIR: e.stranger.Identity.NIR})
	if err != nil || len(cards) != 0 {
		t.Fatalf("NIR without birth date: %d cards, %v", len(cards), err)
	}
}

func TestCreatedPersonIsFollowedByTheCreator(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p := storetest.NewPerson(3)
	p.Health, p.Justice, p.Bank = nil, nil, nil
	p.Parcours.Situation = socle.SituationYouth
	p.Identity.BirthDate = socle.NewDate(2005, 1, 1)
	if _, err := e.gate.CreatePerson(ctx, e.req(policy.PurposeAccompagnement), p); err != nil {
		t.Fatalf("creating: %v", err)
	}
	got, _, err := e.gate.ReadPerson(ctx, e.req(policy.PurposeAccompagnement), p.ID, 0)
	if err != nil || got.Identity.FamilyName != p.Identity.FamilyName {
		t.Fatalf("reading the new person: %v, %v", got, err)
	}
	withHealth := storetest.NewPerson(4)
	if _, err := e.gate.CreatePerson(ctx, e.req(policy.PurposeAccompagnement), withHealth); socle.ErrorCode(err) != socle.EFORBIDDEN {
		t.Fatalf("a mission locale writing health data: %v", err)
	}
	if n, _ := e.db.CountPersons(ctx); n != 3 {
		t.Errorf("%d persons stored, want 3: a refused write changed data", n)
	}
}

func TestPartnerTokenBeyondItsScopes(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	client := e.adviser
	client.AgentID, client.ClientID, client.Strength = "", "cli_test", socle.AuthClient
	client.Scopes = []string{"orientation:read"}
	before := e.log.Size()
	_, _, err := e.gate.ReadPerson(ctx, gate.Request{Actor: client, Purpose: policy.PurposeAccompagnement}, e.followed.ID, 0)
	if socle.ErrorCode(err) != socle.EFORBIDDEN || !strings.Contains(socle.ErrorMessage(err), "accompagnement:read") {
		t.Fatalf("err = %v, want forbidden naming the scope", err)
	}
	if e.log.Size() != before+1 {
		t.Error("the refusal was not audited")
	}
}

func TestAuditLogVerifiesAfterTraffic(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for range 10 {
		_, _, _ = e.gate.ReadPerson(ctx, e.req(policy.PurposeAccompagnement), e.followed.ID, 0)
	}
	if err := e.log.Close(); err != nil {
		t.Fatal(err)
	}
	rep, err := audit.Verify(ctx, auditsql.New(e.db), e.verifyKey, nil)
	if err != nil || !rep.OK || rep.Size != 10 {
		t.Fatalf("verify: %+v, %v", rep, err)
	}
}

// TestTwoWritersShareTheAuditLog appends through two logs over one store,
// as the server and an operator's command (retention, client) do: each
// takes up the other's entries, and the log stays verifiable.
func TestTwoWritersShareTheAuditLog(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	signer, verifier := e.signerKey, e.verifyKey
	first, err := audit.Open(ctx, auditsql.New(e.db), signer, audit.Options{CheckpointEvery: 3})
	if err != nil {
		t.Fatal(err)
	}
	second, err := audit.Open(ctx, auditsql.New(e.db), signer, audit.Options{CheckpointEvery: 3})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		log := first
		if i%3 == 2 {
			log = second
		}
		if err := log.Append(ctx, socle.AuditEvent{Time: time.Now(), Action: "read", Purpose: "accompagnement", Allowed: true, Records: i}); err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
	}
	if err := second.Close(); err != nil {
		t.Fatal(err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	if err := e.log.Close(); err != nil {
		t.Fatal(err)
	}
	size, err := auditsql.New(e.db).Size(ctx)
	if err != nil || size != 10 {
		t.Fatalf("size %d, %v; want 10", size, err)
	}
	rep, err := audit.Verify(ctx, auditsql.New(e.db), verifier, nil)
	if err != nil || !rep.OK {
		t.Fatalf("verify after two writers: %+v, %v", rep, err)
	}
}
