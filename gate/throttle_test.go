package gate

import (
	"context"
	"fmt"
	"testing"
	"time"

	"socle"
)

func TestThrottle(t *testing.T) {
	ctx := context.Background()
	agent := socle.Actor{AgentID: "agt-1", Strength: socle.AuthMFA}
	client := socle.Actor{ClientID: "cli-1", Strength: socle.AuthClient}
	now := time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
	var alerts, observed []string
	th := &Throttle{StepUp: 10, Block: 20, Alert: func(_ context.Context, a socle.Actor, n int) {
		alerts = append(alerts, fmt.Sprintf("%s:%d", principalKey(a), n))
	}, Observe: func(outcome string) { observed = append(observed, outcome) }}
	read := func(a socle.Actor, at time.Time, from, to int) error {
		t.Helper()
		for i := from; i < to; i++ {
			if err := th.Allow(ctx, a, "accompagnement", at, fmt.Sprintf("per-%d", i)); err != nil {
				return err
			}
		}
		return nil
	}
	if err := read(agent, now, 0, 10); err != nil {
		t.Fatalf("under the limit: %v", err)
	}
	if err := read(agent, now, 0, 10); err != nil {
		t.Fatalf("the same persons again: %v", err)
	}
	if err := read(agent, now, 10, 11); socle.ErrorCode(err) != socle.ESTEPUP {
		t.Fatalf("11th person: %v, want step-up", err)
	}
	th.SteppedUp(agent, now)
	if err := read(agent, now, 10, 20); err != nil {
		t.Fatalf("after step-up: %v", err)
	}
	if err := read(agent, now, 20, 21); socle.ErrorCode(err) != socle.EFORBIDDEN {
		t.Fatalf("21st person: %v, want a block", err)
	}
	if err := read(agent, now.Add(2*time.Hour), 0, 1); socle.ErrorCode(err) != socle.EFORBIDDEN {
		t.Fatalf("while blocked: %v, want forbidden", err)
	}
	th.Unblock(agent)
	if err := read(agent, now.Add(2*time.Hour), 100, 110); err != nil {
		t.Fatalf("after unblock, window expired: %v", err)
	}
	// A partner system cannot step up: beyond StepUp it is blocked.
	if err := read(client, now, 0, 11); socle.ErrorCode(err) != socle.EFORBIDDEN {
		t.Fatalf("client beyond step-up: %v, want forbidden", err)
	}
	if len(alerts) != 2 || alerts[0] != "agent:agt-1:21" || alerts[1] != "client:cli-1:11" {
		t.Errorf("alerts = %v", alerts)
	}
	if fmt.Sprint(observed) != "[step_up block block]" {
		t.Errorf("observed %v, want the step-up then the two blocks (for the metrics)", observed)
	}
	// An approved bulk task is exempt.
	bulk := &Throttle{StepUp: 1, Block: 2, Exempt: func(_ socle.Actor, purpose string, _ time.Time) bool { return purpose == "statistique" }}
	for i := range 50 {
		if err := bulk.Allow(ctx, agent, "statistique", now, fmt.Sprintf("per-%d", i)); err != nil {
			t.Fatalf("bulk task read %d: %v", i, err)
		}
	}
	var nilThrottle *Throttle
	if err := nilThrottle.Allow(ctx, agent, "accompagnement", now, "per-1"); err != nil {
		t.Errorf("nil throttle: %v", err)
	}
}
