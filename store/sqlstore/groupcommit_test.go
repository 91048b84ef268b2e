package sqlstore

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"socle"
)

// TestGroupCommitBatchesAndIsolatesFailures: items handed together are
// written in one call; an item that fails its batch is retried alone so
// that the others are written, unless the database is unavailable, when
// every item of the batch fails at once.
func TestGroupCommitBatchesAndIsolatesFailures(t *testing.T) {
	tests := []struct {
		name      string
		fail      error // what a batch holding item 0 returns
		wantCalls int64 // calls of write for the second batch of 8
		wantErrs  int
	}{
		{"all written", nil, 1, 0},
		{"one bad item", errors.New("constraint"), 1 + 8, 1},
		{"database unavailable", socle.Errorf(socle.EUNAVAILABLE, "locked"), 1, 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var g groupCommit[int]
			var calls atomic.Int64
			release := make(chan struct{})
			first := true
			write := func(_ context.Context, items []int) error {
				if first { // hold the first batch until the others queue
					first = false
					<-release
					return nil
				}
				calls.Add(1)
				for _, it := range items {
					if it == 0 && tt.fail != nil {
						return tt.fail
					}
				}
				return nil
			}
			var wg sync.WaitGroup
			wg.Go(func() { _ = g.do(-1, write) })
			for !g.busy() {
				runtime.Gosched()
			}
			errs := make(chan error, 8)
			for i := range 8 {
				wg.Go(func() { errs <- g.do(i, write) })
			}
			for g.queued() < 8 {
				runtime.Gosched()
			}
			close(release)
			wg.Wait()
			close(errs)
			n := 0
			for err := range errs {
				if err != nil {
					n++
				}
			}
			if calls.Load() != tt.wantCalls || n != tt.wantErrs {
				t.Errorf("%d writes and %d failed items, want %d and %d", calls.Load(), n, tt.wantCalls, tt.wantErrs)
			}
		})
	}
}

func (g *groupCommit[T]) busy() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.leading
}

func (g *groupCommit[T]) queued() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.pending)
}
