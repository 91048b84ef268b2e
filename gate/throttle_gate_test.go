package gate_test

import (
	"context"
	"strings"
	"testing"

	"socle"
	"socle/audit"
	"socle/gate"
	"socle/policy"
	"socle/store/auditsql"
	"socle/store/storetest"
)

// lastAuditEntry returns the newest entry of the audit log, as stored.
func lastAuditEntry(t *testing.T, e *env) string {
	t.Helper()
	ctx := context.Background()
	size, err := auditsql.New(e.db).Size(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var last string
	if err := auditsql.New(e.db).ReadRange(ctx, size-1, size, func(_ uint64, r audit.Record) error { last = string(r.Leaf); return nil }); err != nil {
		t.Fatal(err)
	}
	return last
}

// TestGateThrottle reads through the real gate: every personal-data read
// counts, whatever the route; past the limit the agent is asked to step up
// and, until she does, reads nothing personal at all; past the block she
// reads nothing until a privacy officer lifts the block, with a reason, in
// the audit log.
func TestGateThrottle(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var followed []*socle.Person
	for i := 3; i < 6; i++ {
		p := storetest.NewPerson(i)
		p.Parcours.Situation = socle.SituationYouth
		if err := e.db.CreatePerson(ctx, p); err != nil {
			t.Fatal(err)
		}
		f := &socle.Followup{PersonID: p.ID, OrganisationID: e.adviser.OrganisationID, AgentID: e.adviser.AgentID, Start: socle.NewDate(2025, 3, 2)}
		if err := e.db.CreateFollowup(ctx, f); err != nil {
			t.Fatal(err)
		}
		followed = append(followed, p)
	}
	e.gate.Throttle = gate.NewThrottle(e.db)
	e.gate.Throttle.StepUp, e.gate.Throttle.Block = 1, 3
	req := e.req(policy.PurposeAccompagnement)
	if _, _, err := e.gate.ReadPerson(ctx, req, e.followed.ID, 0); err != nil {
		t.Fatalf("first person: %v", err)
	}
	// Reading a second person's follow-ups counts like reading her file.
	if fs, _, err := e.gate.Followups(ctx, req, followed[0].ID); fs != nil || socle.ErrorCode(err) != socle.ESTEPUP {
		t.Fatalf("follow-ups of a second person = %v, %v; want step-up", fs, err)
	}
	if last := lastAuditEntry(t, e); !strings.Contains(last, `"kind":"throttle"`) || !strings.Contains(last, `"allowed":false`) {
		t.Errorf("last audit entry = %s, want the throttle refusal", last)
	}
	// Until she steps up, nothing personal: not even what she read before.
	stepUpPending := map[string]func() error{
		"file already read": func() error { _, _, err := e.gate.ReadPerson(ctx, req, e.followed.ID, 0); return err },
		"follow-ups":        func() error { _, _, err := e.gate.Followups(ctx, req, e.followed.ID); return err },
		"search": func() error {
			_, _, err := e.gate.SearchPersons(ctx, req, socle.PersonQuery{FamilyName: "a"})
			return err
		},
		"lookup": func() error {
			_, _, err := e.gate.SearchPersons(ctx, req, socle.PersonQuery{NIR: e.stranger.Identity.NIR, BirthDate: e.stranger.Identity.BirthDate})
			return err
		},
	}
	for name, access := range stepUpPending {
		if err := access(); socle.ErrorCode(err) != socle.ESTEPUP {
			t.Errorf("%s while a step-up is pending: %v, want step-up", name, err)
		}
	}
	if err := e.gate.Throttle.SteppedUp(ctx, e.adviser, e.gate.Now()); err != nil {
		t.Fatal(err)
	}
	for i, p := range followed[:2] {
		if _, _, err := e.gate.Followups(ctx, req, p.ID); err != nil {
			t.Fatalf("after step-up, person %d: %v", i, err)
		}
	}
	if _, _, err := e.gate.ReadPerson(ctx, req, followed[2].ID, 0); socle.ErrorCode(err) != socle.EFORBIDDEN {
		t.Fatalf("fourth person: %v, want a block", err)
	}
	for name, access := range stepUpPending {
		if err := access(); socle.ErrorCode(err) != socle.EFORBIDDEN {
			t.Errorf("%s while blocked: %v, want forbidden", name, err)
		}
	}

	// Only a privacy officer lifts the block, with a reason, audited.
	officer := gate.Request{Actor: socle.Actor{AgentID: "agt_dpo", OrganisationID: e.adviser.OrganisationID, Roles: []socle.Role{socle.RoleAuditor}, Strength: socle.AuthMFA}, RequestID: "lift"}
	principal := gate.PrincipalKey(e.adviser)
	const reason = "Relance de la cohorte vérifiée avec sa responsable"
	lifts := []struct {
		name      string
		req       gate.Request
		principal string
		reason    string
		code      string
	}{
		{"by the blocked agent", req, principal, reason, socle.EFORBIDDEN},
		{"without a reason", officer, principal, "  ", socle.EINVALID},
		{"of a malformed principal", officer, "agt_x", reason, socle.EINVALID},
		{"of an account not blocked", officer, "agent:agt_other", reason, socle.ENOTFOUND},
		{"of her own account", officer, gate.PrincipalKey(officer.Actor), reason, socle.EFORBIDDEN},
	}
	for _, tt := range lifts {
		if err := e.gate.LiftBlock(ctx, tt.req, tt.principal, tt.reason); socle.ErrorCode(err) != tt.code {
			t.Errorf("lifting %s: %v, want %s", tt.name, err, tt.code)
		}
	}
	blocks, err := e.gate.ThrottleBlocks(ctx, officer, 10)
	if err != nil || len(blocks) != 1 || blocks[0].Principal != principal {
		t.Fatalf("blocks = %+v, %v; want the adviser's", blocks, err)
	}
	if err := e.gate.LiftBlock(ctx, officer, principal, reason); err != nil {
		t.Fatal(err)
	}
	if last := lastAuditEntry(t, e); !strings.Contains(last, `"throttle_block_lifted"`) || !strings.Contains(last, reason) || !strings.Contains(last, `"agent_id":"agt_dpo"`) {
		t.Errorf("last audit entry = %s, want the lifting with its reason and officer", last)
	}
	if _, _, err := e.gate.ReadPerson(ctx, req, followed[2].ID, 0); err != nil {
		t.Fatalf("after the block is lifted: %v", err)
	}
}
