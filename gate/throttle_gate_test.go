package gate_test

import (
	"context"
	"strings"
	"testing"

	"socle"
	"socle/audit"
	"socle/gate"
	"socle/policy"
	"socle/store/storetest"
)

// TestGateThrottle reads through the real gate: past the limit the agent is
// asked to step up, and the refusal is in the audit log.
func TestGateThrottle(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	second := storetest.NewPerson(3)
	second.Parcours.Situation = socle.SituationYouth
	if err := e.db.CreatePerson(ctx, second); err != nil {
		t.Fatal(err)
	}
	f := &socle.Followup{PersonID: second.ID, OrganisationID: e.adviser.OrganisationID, AgentID: e.adviser.AgentID, Start: socle.NewDate(2025, 3, 2)}
	if err := e.db.CreateFollowup(ctx, f); err != nil {
		t.Fatal(err)
	}
	e.gate.Throttle = &gate.Throttle{StepUp: 1, Block: 5}
	req := e.req(policy.PurposeAccompagnement)
	if _, _, err := e.gate.ReadPerson(ctx, req, e.followed.ID, 0); err != nil {
		t.Fatalf("first person: %v", err)
	}
	p, _, err := e.gate.ReadPerson(ctx, req, second.ID, 0)
	if p != nil || socle.ErrorCode(err) != socle.ESTEPUP {
		t.Fatalf("second person = %v, %v; want step-up", p, err)
	}
	size, err := e.db.AuditLog().Size(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var last string
	if err := e.db.AuditLog().ReadRange(ctx, size-1, size, func(_ uint64, r audit.Record) error { last = string(r.Leaf); return nil }); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(last, `"kind":"throttle"`) || !strings.Contains(last, `"allowed":false`) {
		t.Errorf("last audit entry = %s, want the throttle refusal", last)
	}
	e.gate.Throttle.SteppedUp(e.adviser, e.gate.Now())
	if _, _, err := e.gate.ReadPerson(ctx, req, second.ID, 0); err != nil {
		t.Fatalf("after step-up: %v", err)
	}
}
