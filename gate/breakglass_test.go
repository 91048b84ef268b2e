package gate_test

import (
	"context"
	"testing"
	"time"

	"socle"
	"socle/audit"
	"socle/gate"
	"socle/policy"
	"socle/store/storetest"
)

// glassEnv is a gate over real SQLite (with sealed sensitive sections), the
// real engine and audit log, an adviser of a mission locale and a person her
// structure does not follow.
func glassEnv(t *testing.T) (*gate.Gate, socle.Actor, *socle.Person, *time.Time) {
	t.Helper()
	ctx := context.Background()
	e := newStack(t, true, audit.Options{})
	db, g := e.db, e.gate
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	g.Now = func() time.Time { return now }
	actor := newAdviser(t, db, storetest.NewOrganisation("Mission Locale de Lyon", socle.KindYouth, "69"), "claire@ml-lyon.fr")
	p := storetest.NewPerson(7)
	if err := db.CreatePerson(ctx, p); err != nil {
		t.Fatal(err)
	}
	return g, actor, p, &now
}

func TestBreakGlass(t *testing.T) {
	g, actor, p, now := glassEnv(t)
	ctx := context.Background()
	req := gate.Request{Actor: actor, Purpose: policy.PurposeAccompagnement, RequestID: "t"}

	if _, _, err := g.ReadPerson(ctx, req, p.ID, 0); socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Fatalf("read outside the rules: err = %v, want not found", err)
	}
	short := req
	short.BreakGlass = "urgence"
	if _, _, err := g.ReadPerson(ctx, short, p.ID, 0); socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Fatalf("short justification: err = %v, want refused as not found", err)
	}
	if _, _, err := g.ReadPerson(ctx, req, p.ID, 0); socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Fatalf("a refused break of the glass opened the file: %v", err)
	}

	justified := req
	justified.BreakGlass = "Appel de la préfecture : personne en danger, vérification d'adresse"
	got, d, err := g.ReadPerson(ctx, justified, p.ID, 0)
	if err != nil {
		t.Fatalf("justified break of the glass: %v", err)
	}
	if !d.BreakGlass || got.Identity == nil || got.Health != nil || got.Bank != nil || got.Justice != nil {
		t.Fatalf("break glass: flagged=%v categories=%v", d.BreakGlass, got.Categories())
	}

	// Within the window, the same agent reads again without typing the
	// justification; the access is still flagged.
	*now = now.Add(gate.BreakGlassTTL - time.Minute)
	_, d, err = g.ReadPerson(ctx, req, p.ID, 0)
	if err != nil || !d.BreakGlass {
		t.Fatalf("read within the window: flagged=%v err=%v", d.BreakGlass, err)
	}
	other := req
	other.Purpose = policy.PurposeOrientation
	if _, _, err := g.ReadPerson(ctx, other, p.ID, 0); socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Fatalf("the grant served another purpose: %v", err)
	}

	// After the window, the file is closed again.
	*now = now.Add(2 * time.Minute)
	if _, _, err := g.ReadPerson(ctx, req, p.ID, 0); socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Fatalf("read after expiry: err = %v, want not found", err)
	}

	// The access waits for review; only auditors see it.
	if _, err := g.BreakGlassGrants(ctx, gate.Request{Actor: actor}, false, 10); socle.ErrorCode(err) != socle.EFORBIDDEN {
		t.Fatalf("an adviser listed break-the-glass accesses: %v", err)
	}
	auditor := actor
	auditor.Roles = []socle.Role{socle.RoleAuditor}
	list, err := g.BreakGlassGrants(ctx, gate.Request{Actor: auditor}, false, 10)
	if err != nil || len(list) != 1 || list[0].AgentID != actor.AgentID || list[0].Justification != justified.BreakGlass {
		t.Fatalf("grants to review = %+v, %v", list, err)
	}
	if !list[0].Expires.Equal(list[0].Created.Add(gate.BreakGlassTTL)) {
		t.Errorf("grant from %s to %s, want %s", list[0].Created, list[0].Expires, gate.BreakGlassTTL)
	}
	if err := g.ReviewBreakGlass(ctx, gate.Request{Actor: auditor}, list[0].ID); err != nil {
		t.Fatal(err)
	}
	if list, err := g.BreakGlassGrants(ctx, gate.Request{Actor: auditor}, false, 10); err != nil || len(list) != 0 {
		t.Fatalf("after review, to review = %d, %v", len(list), err)
	}
}
