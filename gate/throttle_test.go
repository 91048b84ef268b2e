package gate_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"socle"
	"socle/gate"
	"socle/internal/stacktest"
	"socle/store/sqlite"
)

// newThrottle is a throttle over a real SQLite store, and a function that
// returns a second throttle over the same store, as a restarted or a
// second server would have.
func newThrottle(t *testing.T, stepUp, block int) (*gate.Throttle, func() *gate.Throttle) {
	t.Helper()
	db, _ := stacktest.Open(t)
	th := gate.NewThrottle(db)
	th.StepUp, th.Block = stepUp, block
	return th, func() *gate.Throttle {
		again := gate.NewThrottle(db)
		again.StepUp, again.Block = stepUp, block
		return again
	}
}

func person(i int) socle.ThrottleRead {
	return socle.ThrottleRead{Subject: fmt.Sprintf("person:per-%d", i), Weight: 1}
}

func TestThrottle(t *testing.T) {
	ctx := context.Background()
	agent := socle.Actor{AgentID: "agt-1", OrganisationID: "org-1", Strength: socle.AuthMFA}
	client := socle.Actor{ClientID: "cli-1", Strength: socle.AuthClient}
	now := time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
	var alerts []string
	th, restart := newThrottle(t, 10, 20)
	alert := func(_ context.Context, a socle.Actor, n int) {
		alerts = append(alerts, fmt.Sprintf("%s:%d", gate.PrincipalKey(a), n))
	}
	th.Alert = alert
	read := func(th *gate.Throttle, a socle.Actor, at time.Time, from, to int) error {
		t.Helper()
		for i := from; i < to; i++ {
			if err := th.Allow(ctx, a, "accompagnement", at, person(i)); err != nil {
				return err
			}
		}
		return nil
	}
	if err := read(th, agent, now, 0, 10); err != nil {
		t.Fatalf("under the limit: %v", err)
	}
	if err := read(th, agent, now, 0, 10); err != nil {
		t.Fatalf("the same persons again: %v", err)
	}
	if err := read(th, agent, now, 10, 11); socle.ErrorCode(err) != socle.ESTEPUP {
		t.Fatalf("11th person: %v, want step-up", err)
	}
	// The step-up is pending for everything personal, on every server,
	// across a restart: even an access that reads no new person.
	th = restart()
	th.Alert = alert
	if err := th.Allow(ctx, agent, "accompagnement", now); socle.ErrorCode(err) != socle.ESTEPUP {
		t.Fatalf("any access while a step-up is pending: %v, want step-up", err)
	}
	if err := read(th, agent, now, 0, 1); socle.ErrorCode(err) != socle.ESTEPUP {
		t.Fatalf("a person already read while a step-up is pending: %v, want step-up", err)
	}
	if err := th.SteppedUp(ctx, agent, now); err != nil {
		t.Fatal(err)
	}
	if err := read(th, agent, now, 10, 20); err != nil {
		t.Fatalf("after step-up: %v", err)
	}
	// A lookup weighs more than a read: 20 persons + one lookup > 20.
	lookup := socle.ThrottleRead{Subject: "lookup:abc", Weight: gate.LookupWeight}
	if err := th.Allow(ctx, agent, "accompagnement", now, lookup); socle.ErrorCode(err) != socle.EFORBIDDEN {
		t.Fatalf("a lookup past the block limit: %v, want a block", err)
	}
	th = restart()
	th.Alert = alert
	if err := read(th, agent, now.Add(2*time.Hour), 0, 1); socle.ErrorCode(err) != socle.EFORBIDDEN {
		t.Fatalf("while blocked, after a restart: %v, want forbidden", err)
	}
	if err := th.Allow(ctx, agent, "accompagnement", now.Add(2*time.Hour)); socle.ErrorCode(err) != socle.EFORBIDDEN {
		t.Fatalf("any access while blocked: %v, want forbidden", err)
	}
	// A partner system cannot step up: beyond StepUp it is blocked.
	if err := read(th, client, now, 0, 11); socle.ErrorCode(err) != socle.EFORBIDDEN {
		t.Fatalf("client beyond step-up: %v, want forbidden", err)
	}
	if len(alerts) != 2 || alerts[0] != fmt.Sprintf("agent:agt-1:%d", 20+gate.LookupWeight) || alerts[1] != "client:cli-1:11" {
		t.Errorf("alerts = %v", alerts)
	}
	// An approved bulk task is exempt from counting.
	bulk, _ := newThrottle(t, 1, 2)
	bulk.Exempt = func(_ socle.Actor, purpose string, _ time.Time) bool { return purpose == "statistique" }
	for i := range 50 {
		if err := bulk.Allow(ctx, agent, "statistique", now, person(i)); err != nil {
			t.Fatalf("bulk task read %d: %v", i, err)
		}
	}
	var nilThrottle *gate.Throttle
	if err := nilThrottle.Allow(ctx, agent, "accompagnement", now, person(1)); err != nil {
		t.Errorf("nil throttle: %v", err)
	}
}

// benchThrottle is a throttle on a fresh SQLite store whose thresholds a
// benchmark never reaches, with its agent and clock.
func benchThrottle(b *testing.B) (*gate.Throttle, socle.Actor, time.Time, context.Context) {
	b.Helper()
	db, err := sqlite.Open(context.Background(), b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	th := gate.NewThrottle(db)
	th.StepUp, th.Block = 1<<30, 1<<30
	agent := socle.Actor{AgentID: "agt-bench", OrganisationID: "org-1", Strength: socle.AuthMFA}
	return th, agent, time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC), context.Background()
}

// BenchmarkThrottleAllow measures the throttle's cost per personal-data
// read on SQLite: its state read, the check and the counted read.
func BenchmarkThrottleAllow(b *testing.B) {
	th, agent, now, ctx := benchThrottle(b)
	b.ResetTimer()
	for i := range b.N {
		if err := th.Allow(ctx, agent, "accompagnement", now, person(i%500)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkThrottleAllowReadAgain measures the throttle's cost per read of
// a person already in the window, an adviser's usual read: the state read,
// the check, and no count written.
func BenchmarkThrottleAllowReadAgain(b *testing.B) {
	th, agent, now, ctx := benchThrottle(b)
	for i := range 200 {
		if err := th.Allow(ctx, agent, "accompagnement", now, person(i)); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := range b.N {
		if err := th.Allow(ctx, agent, "accompagnement", now, person(i%200)); err != nil {
			b.Fatal(err)
		}
	}
}
