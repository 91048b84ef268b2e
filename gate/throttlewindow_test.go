package gate_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"socle"
	"socle/gate"
	"socle/internal/stacktest"
)

// countedWrites counts the store's window reads and count writes.
type countedWrites struct {
	socle.ThrottleStore
	windowReads, writes atomic.Int64
}

func (s *countedWrites) ThrottleReads(ctx context.Context, principal string, since time.Time) ([]socle.ThrottleCounted, error) {
	s.windowReads.Add(1)
	return s.ThrottleStore.ThrottleReads(ctx, principal, since)
}

func (s *countedWrites) CountThrottleReads(ctx context.Context, principal string, reads []socle.ThrottleRead, at, since time.Time) (int64, error) {
	s.writes.Add(1)
	return s.ThrottleStore.CountThrottleReads(ctx, principal, reads, at, since)
}

// TestThrottleKeepsTheWindowInMemory: a person read again is neither read
// from the store nor written to it, but for a refresh of its stored time
// once a minute; a new person is written before the read proceeds.
func TestThrottleKeepsTheWindowInMemory(t *testing.T) {
	db, _ := stacktest.Open(t)
	store := &countedWrites{ThrottleStore: db}
	th := gate.NewThrottle(store)
	th.StepUp, th.Block = 10, 20
	ctx := context.Background()
	agent := socle.Actor{AgentID: "agt-1", OrganisationID: "org-1", Strength: socle.AuthMFA}
	now := time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
	for i := range 100 {
		if err := th.Allow(ctx, agent, "accompagnement", now.Add(time.Duration(i)*100*time.Millisecond), person(i%5)); err != nil {
			t.Fatalf("read %d: %v", i, err)
		}
	}
	if w, r := store.writes.Load(), store.windowReads.Load(); w != 5 || r != 1 {
		t.Errorf("100 reads of 5 persons: %d writes and %d window reads, want 5 and 1", w, r)
	}
	// Past a minute, a person read again has its stored time moved.
	if err := th.Allow(ctx, agent, "accompagnement", now.Add(2*time.Minute), person(0)); err != nil {
		t.Fatal(err)
	}
	if w := store.writes.Load(); w != 6 {
		t.Errorf("a person read again two minutes later: %d writes in all, want 6", w)
	}
	stored, err := db.ThrottleReads(ctx, gate.PrincipalKey(agent), now.Add(time.Minute))
	if err != nil || len(stored) != 1 || !stored[0].At.Equal(now.Add(2*time.Minute)) {
		t.Errorf("stored reads after 10:01 = %+v, %v; want person 0 at 10:02", stored, err)
	}
	// An hour after their last reads, the 5 persons left the window: 10
	// new ones reach the limit, the 11th asks for a step-up.
	later := now.Add(2*time.Minute + time.Hour + time.Second)
	for i := 10; i < 20; i++ {
		if err := th.Allow(ctx, agent, "accompagnement", later, person(i)); err != nil {
			t.Fatalf("new person %d an hour later: %v", i, err)
		}
	}
	if err := th.Allow(ctx, agent, "accompagnement", later, person(20)); socle.ErrorCode(err) != socle.ESTEPUP {
		t.Fatalf("an 11th person in the window: %v, want a step-up", err)
	}
}
