package gate_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"socle"
	"socle/gate"
	"socle/internal/stacktest"
)

// slowCounts makes the count of reads take a while, as a commit under
// load does, so that a principal's reads overlap.
type slowCounts struct {
	socle.ThrottleStore
}

func (s slowCounts) CountThrottleReads(ctx context.Context, principal string, reads []socle.ThrottleRead, at, since time.Time) (int64, error) {
	time.Sleep(20 * time.Millisecond)
	return s.ThrottleStore.CountThrottleReads(ctx, principal, reads, at, since)
}

// TestThrottleCountsReadsInFlight: a principal's concurrent reads are
// counted outside her lock, yet each check counts those still being
// written: a partner system allowed 10 reads gets exactly 10 of 30
// concurrent ones, and every read allowed is counted in the store.
func TestThrottleCountsReadsInFlight(t *testing.T) {
	db, _ := stacktest.Open(t)
	th := gate.NewThrottle(slowCounts{db})
	th.StepUp, th.Block = 10, 100
	actor := socle.Actor{ClientID: "cli_1", OrganisationID: "org_1"}
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	var allowed, refused atomic.Int64
	var wg sync.WaitGroup
	for i := range 30 {
		wg.Go(func() {
			err := th.Allow(context.Background(), actor, "accompagnement", now, socle.ThrottleRead{Subject: fmt.Sprint("person:", i), Weight: 1})
			switch socle.ErrorCode(err) {
			case "":
				allowed.Add(1)
			case socle.EFORBIDDEN:
				refused.Add(1)
			default:
				t.Errorf("read %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	if allowed.Load() != 10 || refused.Load() != 20 {
		t.Errorf("%d reads allowed and %d refused, want 10 and 20", allowed.Load(), refused.Load())
	}
	stored, err := db.ThrottleReads(context.Background(), gate.PrincipalKey(actor), now.Add(-time.Hour))
	if err != nil || len(stored) != 10 {
		t.Errorf("%d reads stored, %v; want the 10 reads allowed", len(stored), err)
	}
}
