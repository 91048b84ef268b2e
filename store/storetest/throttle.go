package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"socle"
	"socle/gate"
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
					_, err := ts.CountThrottleReads(ctx, fmt.Sprint("agent:", p), []socle.ThrottleRead{read}, t0.Add(time.Duration(i)*time.Second), t0.Add(-time.Hour))
					errs <- err
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
			principal := fmt.Sprint("agent:", p)
			weight, _ := throttleWindow(t, ts, principal, t0.Add(-time.Minute))
			if want := reads * (1 + p%2); weight != want {
				t.Errorf("%s: weight %d, want %d", principal, weight, want)
			}
			// Each count changed the reads version once.
			if st, err := ts.ThrottleState(ctx, principal); err != nil || st.ReadsVersion != reads {
				t.Errorf("%s: reads version %d (%v), want %d", principal, st.ReadsVersion, err, reads)
			}
		}
	})
	t.Run("WindowCountsWeightedDistinctSubjects", func(t *testing.T) {
		s, _ := open(t)
		ts := throttleStore(t, s)
		ctx := context.Background()
		t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		count := func(principal string, reads []socle.ThrottleRead, at, since time.Time) int64 {
			t.Helper()
			v, err := ts.CountThrottleReads(ctx, principal, reads, at, since)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		if st, err := ts.ThrottleState(ctx, "agent:a"); err != nil || st != (socle.ThrottleState{Principal: "agent:a"}) {
			t.Fatalf("state of a principal never counted = %+v, %v; want the zero state", st, err)
		}
		v1 := count("agent:a", []socle.ThrottleRead{{Subject: "person:1", Weight: 1}, {Subject: "person:2", Weight: 1}, {Subject: "lookup:x", Weight: 5}}, t0, t0.Add(-time.Hour))
		// Reading person 1 again keeps one row; another principal is apart.
		v2 := count("agent:a", []socle.ThrottleRead{{Subject: "person:1", Weight: 1}}, t0.Add(30*time.Minute), t0.Add(-30*time.Minute))
		count("agent:b", []socle.ThrottleRead{{Subject: "person:1", Weight: 1}}, t0, t0.Add(-time.Hour))
		if v1 != 1 || v2 != 2 {
			t.Fatalf("reads versions given by two counts = %d, %d; want 1, 2", v1, v2)
		}
		st, err := ts.ThrottleState(ctx, "agent:a")
		if err != nil || st.ReadsVersion != v2 || !st.BlockedUntil.IsZero() {
			t.Fatalf("state = %+v, %v; want reads version %d and no block", st, err, v2)
		}
		weight, subjects := throttleWindow(t, ts, "agent:a", t0.Add(-time.Minute))
		if weight != 7 || !slices.Equal(subjects, []string{"lookup:x@09:00", "person:1@09:30", "person:2@09:00"}) {
			t.Fatalf("window = weight %d, %v; want weight 7, lookup:x and person:2 at 09:00, person:1 at 09:30", weight, subjects)
		}
		// An hour later only the second read of person 1 is in the window,
		// and counting again forgets what left it.
		if weight, _ = throttleWindow(t, ts, "agent:a", t0.Add(time.Minute)); weight != 1 {
			t.Fatalf("weight after the first reads left the window = %d, want 1", weight)
		}
		count("agent:a", nil, t0.Add(70*time.Minute), t0.Add(10*time.Minute))
		if weight, _ = throttleWindow(t, ts, "agent:a", time.Time{}); weight != 1 {
			t.Fatalf("weight after forgetting = %d, want 1", weight)
		}
	})
	t.Run("ServersKeepingWindowsShareThem", func(t *testing.T) {
		// Two servers on one store, each keeping windows in memory
		// (gate/throttlewindow.go), count one principal's reads together,
		// see each other's block at the next request, and a block lifted
		// gives a fresh window on both.
		s, _ := open(t)
		db := throttleStore(t, s)
		one, two := gate.NewThrottle(db), gate.NewThrottle(db)
		one.StepUp, one.Block, two.StepUp, two.Block = 10, 20, 10, 20
		person := func(i int) socle.ThrottleRead {
			return socle.ThrottleRead{Subject: fmt.Sprint("person:", i), Weight: 1}
		}
		ctx := context.Background()
		client := socle.Actor{ClientID: "cli-1", OrganisationID: "org-1", Strength: socle.AuthClient}
		now := time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
		allow := func(th *gate.Throttle, at time.Time, i int) error {
			t.Helper()
			return th.Allow(ctx, client, "accompagnement", at, person(i))
		}
		// Both servers load the window, then read alternately: 10 distinct
		// persons in all, the limit of a partner system.
		for i := range 10 {
			th := one
			if i%2 == 1 {
				th = two
			}
			if err := allow(th, now, i); err != nil {
				t.Fatalf("person %d: %v", i, err)
			}
		}
		// Persons already read, on either server, count no more.
		for i := range 10 {
			if err := allow(two, now, i); err != nil {
				t.Fatalf("person %d again on the second server: %v", i, err)
			}
		}
		if err := allow(two, now, 10); socle.ErrorCode(err) != socle.EFORBIDDEN {
			t.Fatalf("an 11th person on the second server: %v, want a block", err)
		}
		if err := allow(one, now, 0); socle.ErrorCode(err) != socle.EFORBIDDEN {
			t.Fatalf("a person already read on the first server after the block: %v, want forbidden", err)
		}
		if err := db.LiftBlock(ctx, gate.PrincipalKey(client), now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		// The lift forgot the window: 10 new persons on the first server are
		// allowed, whatever both servers held in memory.
		for i := 100; i < 110; i++ {
			if err := allow(one, now.Add(2*time.Minute), i); err != nil {
				t.Fatalf("person %d after the lift: %v", i, err)
			}
		}
		if err := allow(two, now.Add(2*time.Minute), 0); socle.ErrorCode(err) != socle.EFORBIDDEN {
			t.Fatalf("an 11th person after the lift, on the second server: %v, want a block", err)
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
		if _, err := ts.CountThrottleReads(ctx, "agent:a", []socle.ThrottleRead{{Subject: "person:1", Weight: 1}}, t0, t0.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := ts.BlockPrincipal(ctx, "agent:a", "org_a", t0.Add(2*time.Minute), t0.Add(24*time.Hour), 1001); err != nil {
			t.Fatal(err)
		}
		if err := ts.BlockPrincipal(ctx, "client:c", "org_c", t0, t0.Add(time.Hour), 251); err != nil {
			t.Fatal(err)
		}

		ts = throttleStore(t, reopen())
		st, err := ts.ThrottleState(ctx, "agent:a")
		if err != nil {
			t.Fatal(err)
		}
		weight, _ := throttleWindow(t, ts, "agent:a", t0.Add(-time.Hour))
		want := socle.ThrottleState{Principal: "agent:a", OrganisationID: "org_a", StepUpAsked: t0, SteppedUp: t0.Add(time.Minute),
			BlockedAt: t0.Add(2 * time.Minute), BlockedUntil: t0.Add(24 * time.Hour), BlockedWeight: 1001, ReadsVersion: 1}
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
		st, err = ts.ThrottleState(ctx, "agent:a")
		if err != nil {
			t.Fatal(err)
		}
		// The lift changes the reads version: a server keeping the window
		// in memory reads it again, and finds it empty.
		weight, _ = throttleWindow(t, ts, "agent:a", t0.Add(-time.Hour))
		if !st.BlockedUntil.IsZero() || !st.StepUpAsked.IsZero() || st.ReadsVersion != 2 || weight != 0 {
			t.Fatalf("after lifting: %+v weight %d; want no block, no pending step-up, reads version 2, an empty window", st, weight)
		}
		if err := ts.LiftBlock(ctx, "agent:a", t0.Add(3*time.Hour)); socle.ErrorCode(err) != socle.ENOTFOUND {
			t.Fatalf("lifting twice: %v, want ENOTFOUND", err)
		}
	})
}

// throttleWindow returns the weight of the principal's reads after since
// and each subject with the time it was counted, sorted.
func throttleWindow(t *testing.T, ts socle.ThrottleStore, principal string, since time.Time) (int, []string) {
	t.Helper()
	reads, err := ts.ThrottleReads(context.Background(), principal, since)
	if err != nil {
		t.Fatal(err)
	}
	weight := 0
	var subjects []string
	for _, r := range reads {
		weight += r.Weight
		subjects = append(subjects, r.Subject+"@"+r.At.UTC().Format("15:04"))
	}
	slices.Sort(subjects)
	return weight, subjects
}
