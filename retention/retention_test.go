package retention_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"

	"socle"
	"socle/audit"
	"socle/gate"
	"socle/internal/stacktest"
	"socle/policy"
	"socle/retention"
	"socle/store/auditsql"
	"socle/store/sqlstore"
	"socle/store/storetest"
)

// now is the fixed day of the runs: accompagnement keeps 730 days, the
// longest purpose (indemnisation) 3650.
var now = time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)

func day(y int, m time.Month, d int) socle.Date { return socle.NewDate(y, m, d) }

// env is a store with its audit log and gate, as the application wires them.
type env struct {
	db       *sqlstore.DB
	log      *audit.Log
	gate     *gate.Gate
	verifier string
	refKey   []byte
	org      *socle.Organisation
	adviser  socle.Actor
}

func newEnv(t *testing.T, db *sqlstore.DB) *env {
	t.Helper()
	ctx := context.Background()
	s := stacktest.Over(t, db, stacktest.Options{Audit: audit.Options{CheckpointEvery: 4}})
	log, g, verifier := s.Log, s.Gate, s.VerifierKey
	e := &env{db: db, log: log, gate: g, verifier: verifier, refKey: []byte("test person-ref key")}
	e.gate.PersonRef = e.ref
	e.org = storetest.NewOrganisation("Mission Locale de Lyon", socle.KindYouth, "69")
	must(t, db.CreateOrganisation(ctx, e.org))
	agent := storetest.NewAgent(e.org.ID, "claire@ml-lyon.fr")
	must(t, db.CreateAgent(ctx, agent))
	e.adviser = socle.Actor{AgentID: agent.ID, OrganisationID: e.org.ID, OrgKind: e.org.Kind, OrgName: e.org.Name,
		Roles: agent.Roles, Departements: e.org.Departements, Strength: socle.AuthMFA}
	return e
}

func (e *env) ref(id string) string { return audit.PersonRef(e.refKey, id) }

// person creates person i with the follow-ups [start, end] given (a zero
// end is open), with or without sensitive sections.
func (e *env) person(t *testing.T, i int, sensitive bool, spans ...[2]socle.Date) *socle.Person {
	t.Helper()
	ctx := context.Background()
	p := storetest.NewPerson(i)
	p.Parcours.Situation = socle.SituationYouth
	p.Identity.BirthDate = day(2004, 3, 2)
	if !sensitive {
		p.Health, p.Justice, p.Bank = nil, nil, nil
	}
	must(t, e.db.CreatePerson(ctx, p))
	for _, s := range spans {
		must(t, e.db.CreateFollowup(ctx, &socle.Followup{PersonID: p.ID, OrganisationID: e.org.ID, Start: s[0], End: s[1]}))
	}
	return p
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestRunSQLite(t *testing.T) {
	testRun(t, func(t *testing.T) *sqlstore.DB { db, _ := stacktest.Open(t); return db })
}

func TestRunPostgres(t *testing.T) {
	testRun(t, func(t *testing.T) *sqlstore.DB { return stacktest.OpenPostgres(t) })
}

func testRun(t *testing.T, open func(t *testing.T) *sqlstore.DB) {
	ctx := context.Background()
	e := newEnv(t, open(t))
	var zero socle.Date
	type want struct{ shredded, erased bool }
	cases := []struct {
		name      string
		sensitive bool
		spans     [][2]socle.Date
		want      want
	}{
		{"ended 3 years ago", true, [][2]socle.Date{{day(2020, 1, 1), day(2023, 5, 1)}}, want{shredded: true}},
		{"ended 11 years ago", true, [][2]socle.Date{{day(2012, 1, 1), day(2015, 1, 1)}}, want{shredded: true, erased: true}},
		{"open since 12 years", true, [][2]socle.Date{{day(2014, 1, 1), zero}}, want{}},
		{"old one ended, another open", true, [][2]socle.Date{{day(2010, 1, 1), day(2012, 1, 1)}, {day(2024, 1, 1), zero}}, want{}},
		{"ended last year", true, [][2]socle.Date{{day(2020, 1, 1), day(2025, 6, 1)}}, want{}},
		{"ends in the future", true, [][2]socle.Date{{day(2010, 1, 1), day(2027, 1, 1)}}, want{}},
		{"ended just inside retention", true, [][2]socle.Date{{day(2020, 1, 1), day(2024, 6, 1)}}, want{}},
		{"no sensitive data, ended 3 years ago", false, [][2]socle.Date{{day(2020, 1, 1), day(2023, 5, 1)}}, want{}},
		{"no sensitive data, ended 11 years ago", false, [][2]socle.Date{{day(2012, 1, 1), day(2015, 1, 1)}}, want{erased: true}},
		{"never followed, created now", true, nil, want{}},
	}
	persons := make([]*socle.Person, len(cases))
	for i, c := range cases {
		persons[i] = e.person(t, 100+i, c.sensitive, c.spans...)
	}

	// Accesses through the real gate before retention: one allowed read of
	// a person about to be shredded, whose entry is proven afterwards.
	shredMe := persons[0]
	req := gate.Request{Actor: e.adviser, Purpose: policy.PurposeAccompagnement, RequestID: "test", RemoteAddr: "127.0.0.1"}
	before := e.log.Size()
	if _, _, err := e.gate.ReadPerson(ctx, req, shredMe.ID, 0); err != nil && socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Fatal(err)
	}
	if _, _, err := e.gate.ReadPerson(ctx, req, persons[2].ID, 0); err != nil {
		t.Fatal(err)
	}
	if e.log.Size() != before+2 {
		t.Fatalf("the gate appended %d entries, want 2", e.log.Size()-before)
	}

	dry, err := retention.Run(ctx, e.db, policy.DefaultRegister(), now, retention.Options{DryRun: true, BatchSize: 2})
	must(t, err)
	if dry.Shredded != 2 || dry.Erased != 2 || dry.ShredAfter != 730 || dry.EraseAfter != 3650 {
		t.Errorf("dry run: %+v, want 2 shredded and 2 erased at 730 and 3650 days", dry)
	}
	var progress int
	rep, err := retention.Run(ctx, e.db, policy.DefaultRegister(), now, retention.Options{
		Auditor: e.log, PersonRef: e.ref, BatchSize: 2, Progress: func(n int) { progress = n },
	})
	must(t, err)
	if rep.Shredded != 2 || rep.Erased != 2 || progress != 4 {
		t.Errorf("run: %+v, progress %d; want 2 shredded, 2 erased, progress 4", rep, progress)
	}
	again, err := retention.Run(ctx, e.db, policy.DefaultRegister(), now, retention.Options{Auditor: e.log, PersonRef: e.ref})
	must(t, err)
	if again.Shredded != 0 || again.Erased != 0 {
		t.Errorf("second run did something: %+v", again)
	}

	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := e.db.Person(ctx, persons[i].ID, socle.AllCategories)
			must(t, err)
			erased := got.Identity.FamilyName == sqlstore.ErasedName
			if erased != c.want.erased {
				t.Errorf("erased = %v, want %v", erased, c.want.erased)
			}
			shredded := c.sensitive && got.Health == nil && got.Bank == nil && got.Justice == nil
			if c.sensitive && shredded != c.want.shredded {
				t.Errorf("shredded = %v, want %v", shredded, c.want.shredded)
			}
			if !c.want.shredded && !c.want.erased {
				storetestSame(t, got, persons[i])
			}
		})
	}

	// The log records each destruction with the pseudonymous ref only, and
	// stays verifiable, with the proof of the earlier read.
	var actions []string
	for i := before + 2; i < e.log.Size(); i++ {
		entry, err := e.log.Entry(ctx, i)
		must(t, err)
		leaf := string(entry.Leaf)
		for _, p := range persons {
			if strings.Contains(leaf, p.ID) || strings.Contains(leaf, p.Identity.NIR) {
				t.Errorf("entry %d names a person in clear: %s", i, leaf)
			}
		}
		switch {
		case strings.Contains(leaf, `"retention_shred"`):
			actions = append(actions, retention.ActionShred)
		case strings.Contains(leaf, `"erasure"`):
			actions = append(actions, retention.ActionErase)
		}
	}
	if len(actions) != 4 {
		t.Errorf("audit actions after the gate reads: %v, want 2 shreds and 2 erasures", actions)
	}
	cp, err := e.log.Checkpoint(ctx)
	must(t, err)
	vr, err := audit.Verify(ctx, auditsql.New(e.db), e.verifier, nil)
	must(t, err)
	if !vr.OK || vr.Size != e.log.Size() {
		t.Fatalf("audit.Verify after shredding: %+v", vr)
	}
	entry, err := e.log.Entry(ctx, before)
	must(t, err)
	if !strings.Contains(string(entry.Leaf), e.ref(shredMe.ID)) {
		t.Fatalf("entry %d is not the read of the shredded person: %s", before, entry.Leaf)
	}
	p, err := e.log.InclusionProof(ctx, before, cp.Size)
	must(t, err)
	if err := proof.VerifyInclusion(rfc6962.DefaultHasher, before, cp.Size, entry.LeafHash, p, cp.Root); err != nil {
		t.Fatalf("inclusion proof of the read of a shredded person: %v", err)
	}
}

// storetestSame fails unless got has the sections of want.
func storetestSame(t *testing.T, got, want *socle.Person) {
	t.Helper()
	if got.Identity.NIR != want.Identity.NIR || (want.Bank == nil) != (got.Bank == nil) || (want.Health == nil) != (got.Health == nil) {
		t.Errorf("untouched person changed: %+v", got)
	}
	if want.Bank != nil && got.Bank.IBAN != want.Bank.IBAN {
		t.Errorf("bank changed: %+v", got.Bank)
	}
}

func TestRunRequiresAuditor(t *testing.T) {
	_, err := retention.Run(context.Background(), nil, policy.DefaultRegister(), now, retention.Options{})
	if socle.ErrorCode(err) != socle.EINVALID {
		t.Fatalf("Run without auditor: %v, want EINVALID", err)
	}
}
