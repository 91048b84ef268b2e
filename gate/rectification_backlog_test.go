package gate_test

import (
	"testing"
	"time"

	"socle"
	"socle/gate"
)

// TestRectificationBacklogCountsWithoutPersons counts the open
// rectification requests of the structure for its privacy officer, the
// one past a month as overdue, and refuses an adviser.
func TestRectificationBacklogCountsWithoutPersons(t *testing.T) {
	ctx, e, p := newParcoursEnv(t)
	self := e.self(e.followed)
	if _, err := p.RequestRectification(ctx, self, socle.CatContact, "Mon numéro de téléphone a changé."); err != nil {
		t.Fatal(err)
	}
	officer := gate.Request{Actor: e.adviser, RequestID: "dpo"}
	officer.Actor.AgentID, officer.Actor.Roles = "agt_dpo", []socle.Role{socle.RoleAuditor}

	b, err := p.RectificationBacklog(ctx, officer)
	if err != nil || b.Open != 1 || b.Overdue != 0 || b.Oldest.IsZero() {
		t.Fatalf("backlog = %+v, %v; want one open request, none overdue", b, err)
	}
	later := time.Now().Add(gate.RectificationAnswerDelay + time.Hour)
	e.gate.Now = func() time.Time { return later }
	if b, err = p.RectificationBacklog(ctx, officer); err != nil || b.Open != 1 || b.Overdue != 1 {
		t.Fatalf("a month later: backlog = %+v, %v; want it overdue", b, err)
	}
	if _, err := p.RectificationBacklog(ctx, e.req("accompagnement")); socle.ErrorCode(err) != socle.EFORBIDDEN {
		t.Fatalf("an adviser counts the backlog: err = %v, want EFORBIDDEN", err)
	}
}
