package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"socle"
)

// RunThrottle runs the suite of the gate's stored throttle state. open
// returns a new, empty, migrated store and a function that closes it and
// opens the same database again, as a restart or a second server would.
func RunThrottle(t *testing.T, open func(t *testing.T) (socle.Store, func() socle.Store)) {
	throttleStore := storeAs[socle.ThrottleStore]
	t.Run("ConcurrentCountsAreEachKept", func(t *testing.T) {
		// Counts arriving together are committed together (one
		// transaction); each is kept, and its call returns once it is.
		s, _ := open(t)
		ts := throttleStore(t, s)
		ctx := context.Background()
		t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		const principals, reads = 8, 25
		var wg sync.WaitGroup
		errs := make(chan error, principals*reads)
		for p := range principals {
			wg.Go(func() {
				for i := range reads {
					read := socle.ThrottleRead{Subject: fmt.Sprint("person:", i), Weight: 1 + p%2}
					errs <- ts.CountThrottleReads(ctx, fmt.Sprint("agent:", p), []socle.ThrottleRead{read}, t0.Add(time.Duration(i)*time.Second), t0.Add(-time.Hour))
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		for p := range principals {
			_, weight, counted, err := ts.ThrottleWindow(ctx, fmt.Sprint("agent:", p), t0.Add(-time.Minute), []string{"person:0", "person:24", "person:25"})
			if err != nil {
				t.Fatal(err)
			}
			if want := reads * (1 + p%2); weight != want || len(counted) != 2 {
				t.Errorf("agent:%d: weight %d, counted %v; want %d and person:0, person:24", p, weight, counted, want)
			}
		}
	})
	t.Run("WindowCountsWeightedDistinctSubjects", func(t *testing.T) {
		s, _ := open(t)
		ts := throttleStore(t, s)
		ctx := context.Background()
		t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(ts.CountThrottleReads(ctx, "agent:a", []socle.ThrottleRead{{Subject: "person:1", Weight: 1}, {Subject: "person:2", Weight: 1}, {Subject: "lookup:x", Weight: 5}}, t0, t0.Add(-time.Hour)))
		// Reading person 1 again keeps one row; another principal is apart.
		must(ts.CountThrottleReads(ctx, "agent:a", []socle.ThrottleRead{{Subject: "person:1", Weight: 1}}, t0.Add(30*time.Minute), t0.Add(-30*time.Minute)))
		must(ts.CountThrottleReads(ctx, "agent:b", []socle.ThrottleRead{{Subject: "person:1", Weight: 1}}, t0, t0.Add(-time.Hour)))
		st, weight, counted, err := ts.ThrottleWindow(ctx, "agent:a", t0.Add(-time.Minute), []string{"person:1", "person:3", "lookup:x"})
		must(err)
		slices.Sort(counted)
		if st.Principal != "agent:a" || !st.BlockedUntil.IsZero() || weight != 7 || !slices.Equal(counted, []string{"lookup:x", "person:1"}) {
			t.Fatalf("window = %+v, weight %d, counted %v; want weight 7, counted lookup:x and person:1", st, weight, counted)
		}
		// An hour later only the second read of person 1 is in the window,
		// and counting again forgets what left it.
		_, weight, _, err = ts.ThrottleWindow(ctx, "agent:a", t0.Add(time.Minute), nil)
		must(err)
		if weight != 1 {
			t.Fatalf("weight after the first reads left the window = %d, want 1", weight)
		}
		must(ts.CountThrottleReads(ctx, "agent:a", nil, t0.Add(70*time.Minute), t0.Add(10*time.Minute)))
		_, weight, _, err = ts.ThrottleWindow(ctx, "agent:a", time.Time{}, nil)
		must(err)
		if weight != 1 {
			t.Fatalf("weight after forgetting = %d, want 1", weight)
		}
	})
	t.Run("StepUpAndBlockSurviveAReopen", func(t *testing.T) {
		s, reopen := open(t)
		ts := throttleStore(t, s)
		ctx := context.Background()
		t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		if err := ts.LiftBlock(ctx, "agent:a", t0); socle.ErrorCode(err) != socle.ENOTFOUND {
			t.Fatalf("lifting no block: %v, want ENOTFOUND", err)
		}
		if err := ts.AskStepUp(ctx, "agent:a", "org_a", t0); err != nil {
			t.Fatal(err)
		}
		if err := ts.RecordStepUp(ctx, "agent:a", t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := ts.CountThrottleReads(ctx, "agent:a", []socle.ThrottleRead{{Subject: "person:1", Weight: 1}}, t0, t0.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := ts.BlockPrincipal(ctx, "agent:a", "org_a", t0.Add(2*time.Minute), t0.Add(24*time.Hour), 1001); err != nil {
			t.Fatal(err)
		}
		if err := ts.BlockPrincipal(ctx, "client:c", "org_c", t0, t0.Add(time.Hour), 251); err != nil {
			t.Fatal(err)
		}

		ts = throttleStore(t, reopen())
		st, weight, _, err := ts.ThrottleWindow(ctx, "agent:a", t0.Add(-time.Hour), nil)
		if err != nil {
			t.Fatal(err)
		}
		want := socle.ThrottleState{Principal: "agent:a", OrganisationID: "org_a", StepUpAsked: t0, SteppedUp: t0.Add(time.Minute),
			BlockedAt: t0.Add(2 * time.Minute), BlockedUntil: t0.Add(24 * time.Hour), BlockedWeight: 1001}
		if st != want || weight != 1 {
			t.Fatalf("after reopening: %+v weight %d\nwant %+v weight 1", st, weight, want)
		}
		blocks, err := ts.ThrottleBlocks(ctx, t0.Add(2*time.Hour), 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(blocks) != 1 || blocks[0].Principal != "agent:a" {
			t.Fatalf("blocks in force two hours later = %+v, want agent:a's only", blocks)
		}
		if err := ts.LiftBlock(ctx, "agent:a", t0.Add(3*time.Hour)); err != nil {
			t.Fatal(err)
		}
		st, weight, _, err = ts.ThrottleWindow(ctx, "agent:a", t0.Add(-time.Hour), nil)
		if err != nil {
			t.Fatal(err)
		}
		if !st.BlockedUntil.IsZero() || !st.StepUpAsked.IsZero() || weight != 0 {
			t.Fatalf("after lifting: %+v weight %d; want no block, no pending step-up, an empty window", st, weight)
		}
		if err := ts.LiftBlock(ctx, "agent:a", t0.Add(3*time.Hour)); socle.ErrorCode(err) != socle.ENOTFOUND {
			t.Fatalf("lifting twice: %v, want ENOTFOUND", err)
		}
	})
}
