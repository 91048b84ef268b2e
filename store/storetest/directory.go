package storetest

import (
	"bytes"
	"context"
	"testing"
	"time"

	"socle"
)

// RunDirectory runs the suite of the detection directory: staff records,
// home history, the register of protected persons, declarations,
// baselines and notifications.
func RunDirectory(t *testing.T, open func(t *testing.T) socle.Store) {
	runTests(t, open, "directory store", []storeTest[socle.DirectoryStore]{
		{"StaffRecords", testStaffRecords},
		{"HomeHistory", testHomeHistory},
		{"ProtectedRegister", testProtectedRegister},
		{"Declarations", testDeclarations},
		{"Baselines", testBaselines},
	})
}

func testStaffRecords(t *testing.T, s socle.DirectoryStore) {
	ctx := context.Background()
	a := &socle.StaffRecord{AgentID: "agt_aaaaaaaaaaaaaaaaaaaa", Marks: socle.Marks{Identity: "i1", Household: "h1", Address: "a1", Street: "s1"},
		Start: socle.NewDate(2020, 1, 6)}
	must(t, s.PutStaffRecord(ctx, a))
	// A second import replaces the record: she left.
	a.End = socle.NewDate(2025, 6, 30)
	a.Marks.Address = "a2"
	must(t, s.PutStaffRecord(ctx, a))
	if err := s.PutStaffRecord(ctx, &socle.StaffRecord{AgentID: "bad"}); socle.ErrorCode(err) != socle.EINVALID {
		t.Fatalf("malformed agent: err = %v, want EINVALID", err)
	}
	rs, err := s.StaffRecords(ctx)
	must(t, err)
	if len(rs) != 1 || rs[0].End != socle.NewDate(2025, 6, 30) || rs[0].Start != socle.NewDate(2020, 1, 6) || rs[0].Marks.Address != "a2" || rs[0].Marks.Identity != "i1" {
		t.Fatalf("staff records = %+v", rs)
	}
}

func testHomeHistory(t *testing.T, s socle.DirectoryStore) {
	ctx := context.Background()
	const p = "per_aaaaaaaaaaaaaaaaaaaa"
	first := &socle.PersonHome{PersonID: p, Marks: socle.Marks{Identity: "i", Household: "h1", Address: "a1", Street: "s1"}, Departement: "69", From: socle.NewDate(2024, 1, 1)}
	must(t, s.SetPersonHome(ctx, first))
	again := *first
	again.From = socle.NewDate(2024, 2, 1)
	must(t, s.SetPersonHome(ctx, &again)) // same home: no new entry
	moved := &socle.PersonHome{PersonID: p, Marks: socle.Marks{Identity: "i", Household: "h2", Address: "a2", Street: "s2"}, Departement: "38", From: socle.NewDate(2025, 3, 1)}
	must(t, s.SetPersonHome(ctx, moved))
	must(t, s.SetPersonHome(ctx, &socle.PersonHome{PersonID: "per_bbbbbbbbbbbbbbbbbbbb", Marks: socle.Marks{Address: "a2"}, From: socle.NewDate(2025, 1, 1)}))
	hs, err := s.PersonHomes(ctx, p)
	must(t, err)
	if len(hs) != 2 || hs[0].Marks.Address != "a2" || !hs[0].To.IsZero() || hs[1].To != socle.NewDate(2025, 2, 28) || hs[1].Departement != "69" {
		t.Fatalf("home history = %+v", hs)
	}
	var current []string
	must(t, s.EachPersonHome(ctx, func(h *socle.PersonHome) error {
		current = append(current, h.PersonID+"@"+h.Marks.Address)
		return nil
	}))
	if len(current) != 2 {
		t.Fatalf("current homes = %v, want 2", current)
	}
}

func testProtectedRegister(t *testing.T, s socle.DirectoryStore) {
	ctx := context.Background()
	const p = "per_aaaaaaaaaaaaaaaaaaaa"
	e := &socle.ProtectedPerson{PersonID: p, Kind: socle.ProtectedElected, Reason: "Maire", AddedBy: "agt_x"}
	must(t, s.AddProtected(ctx, e))
	if err := s.AddProtected(ctx, &socle.ProtectedPerson{PersonID: p, Kind: socle.ProtectedVIP, AddedBy: "agt_x"}); socle.ErrorCode(err) != socle.ECONFLICT {
		t.Fatalf("second active entry: err = %v, want ECONFLICT", err)
	}
	if err := s.AddProtected(ctx, &socle.ProtectedPerson{PersonID: p, Kind: "star", AddedBy: "agt_x"}); socle.ErrorCode(err) != socle.EINVALID {
		t.Fatalf("unknown kind: err = %v, want EINVALID", err)
	}
	must(t, s.RemoveProtected(ctx, e.ID, "agt_y", time.Now()))
	if err := s.RemoveProtected(ctx, e.ID, "agt_y", time.Now()); socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Fatalf("removing twice: err = %v, want ENOTFOUND", err)
	}
	// Once removed, the person may be registered again.
	must(t, s.AddProtected(ctx, &socle.ProtectedPerson{PersonID: p, Kind: socle.ProtectedPublicFigure, AddedBy: "agt_x"}))
	ps, err := s.ProtectedPersons(ctx)
	must(t, err)
	if len(ps) != 2 || !ps[0].Active() || ps[0].Kind != socle.ProtectedPublicFigure || ps[1].Active() || ps[1].RemovedBy != "agt_y" {
		t.Fatalf("register = %+v", ps)
	}
}

func testDeclarations(t *testing.T, s socle.DirectoryStore) {
	ctx := context.Background()
	now := time.Now().UTC()
	const agent = "agt_aaaaaaaaaaaaaaaaaaaa"
	d := &socle.Declaration{Kind: socle.DeclareDelegation, AgentID: agent, OrganisationID: "org_a", OfAgentID: "agt_bbbbbbbbbbbbbbbbbbbb",
		From: now.Add(-time.Hour), To: now.Add(48 * time.Hour), Note: "Arrêt maladie"}
	must(t, s.AddDeclaration(ctx, d))
	call := &socle.Declaration{Kind: socle.DeclareCall, AgentID: agent, OrganisationID: "org_a", Persons: []string{"per_aaaaaaaaaaaaaaaaaaaa"},
		Reference: "APL-42", From: now.Add(-48 * time.Hour), To: now.Add(-47 * time.Hour)}
	must(t, s.AddDeclaration(ctx, call))
	if err := s.AddDeclaration(ctx, &socle.Declaration{Kind: "rumour", AgentID: agent, From: now, To: now}); socle.ErrorCode(err) != socle.EINVALID {
		t.Fatalf("unknown kind: err = %v, want EINVALID", err)
	}
	ds, err := s.Declarations(ctx, agent, now.Add(-72*time.Hour))
	must(t, err)
	if len(ds) != 2 || ds[0].Kind != socle.DeclareCall || ds[0].Persons[0] != "per_aaaaaaaaaaaaaaaaaaaa" || ds[0].Reference != "APL-42" {
		t.Fatalf("declarations = %+v", ds)
	}
	if ds, _ := s.Declarations(ctx, "", now); len(ds) != 1 || ds[0].ID != d.ID || ds[0].OfAgentID == "" {
		t.Fatalf("current declarations = %+v, want the delegation", ds)
	}
	if err := s.WithdrawDeclaration(ctx, d.ID, "agt_bbbbbbbbbbbbbbbbbbbb", now); socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Fatalf("withdrawn by another agent: err = %v, want ENOTFOUND", err)
	}
	must(t, s.WithdrawDeclaration(ctx, d.ID, agent, now))
	ds, err = s.Declarations(ctx, agent, now)
	must(t, err)
	if len(ds) != 1 || ds[0].WithdrawnAt.IsZero() || ds[0].Covers(now.Add(time.Hour)) {
		t.Fatalf("withdrawn declaration = %+v", ds)
	}
}

func testBaselines(t *testing.T, s socle.DirectoryStore) {
	ctx := context.Background()
	must(t, s.SaveBaselines(ctx, []*socle.Baseline{{Principal: "agent:a", Version: 1, State: []byte{0, 1, 2, 255}}, {Principal: "client:c", Version: 1, State: []byte("x")}}))
	must(t, s.SaveBaselines(ctx, []*socle.Baseline{{Principal: "agent:a", Version: 2, State: []byte{9}}}))
	bs, err := s.Baselines(ctx)
	must(t, err)
	if len(bs) != 2 || bs[0].Principal != "agent:a" || bs[0].Version != 2 || !bytes.Equal(bs[0].State, []byte{9}) || !bytes.Equal(bs[1].State, []byte("x")) {
		t.Fatalf("baselines = %+v", bs)
	}
}
