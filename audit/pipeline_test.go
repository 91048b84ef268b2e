package audit

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"socle"
)

// heldStorage is a memStorage whose next append, once armed, waits until
// the test releases it and then fails: with nothing stored, or stored but
// its answer lost (as when the connection drops before the commit's answer
// arrives).
type heldStorage struct {
	*memStorage
	armed    atomic.Bool
	storeIt  bool          // the held append is stored before it fails
	entered  chan struct{} // closed when the held append starts
	release  chan struct{} // closed by the test to let it fail
	enterOne sync.Once
}

func (s *heldStorage) AppendBatch(ctx context.Context, first uint64, records []Record) error {
	if !s.armed.CompareAndSwap(true, false) {
		return s.memStorage.AppendBatch(ctx, first, records)
	}
	s.enterOne.Do(func() { close(s.entered) })
	<-s.release
	if s.storeIt {
		if err := s.memStorage.AppendBatch(ctx, first, records); err != nil {
			return err
		}
		return errors.New("unexpected EOF")
	}
	return errors.New("disk I/O error")
}

// appendResult is what an append was answered.
type appendResult struct {
	n     int // the event's number (testEvent)
	index uint64
	err   error
}

// TestCommitFailsWhileTheNextBatchIsBuilt: batch N's commit fails while
// batch N+1 has been built on top of it. Nothing built on N is written or
// kept: N's appends fail (unavailable), N+1's appends are written on what
// the store holds, every acknowledged event is at its index, no event
// answered with an error is stored unless its commit went through, and the
// log verifies.
func TestCommitFailsWhileTheNextBatchIsBuilt(t *testing.T) {
	for _, tt := range []struct {
		name    string
		storeIt bool // N's commit goes through but its answer is lost
	}{
		{name: "nothing stored", storeIt: false},
		{name: "stored, answer lost", storeIt: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			tl := openTestLog(t, Options{CheckpointEvery: 4})
			st := &heldStorage{memStorage: tl.st, storeIt: tt.storeIt, entered: make(chan struct{}), release: make(chan struct{})}
			tl.log.Close()
			l, err := Open(ctx, st, tl.skey, Options{CheckpointEvery: 4, ResyncInterval: 10 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				t.Fatal(err)
			}
			tl.log = l
			tl.appendN(t, 0, 3)

			results := make(chan appendResult, 16)
			appendAsync := func(n int) {
				go func() {
					i, err := l.AppendIndex(ctx, testEvent(n))
					results <- appendResult{n, i, err}
				}()
			}
			st.armed.Store(true)
			appendAsync(3) // batch N, held in the store
			<-st.entered
			for n := 4; n < 8; n++ { // built as batch N+1 meanwhile
				appendAsync(n)
			}
			deadline := time.Now().Add(5 * time.Second)
			for l.builtAhead.Load() < 4 {
				if time.Now().After(deadline) {
					t.Fatalf("the writer built %d appends ahead, want 4", l.builtAhead.Load())
				}
				time.Sleep(time.Millisecond)
			}
			close(st.release)

			got := map[int]appendResult{}
			for range 5 {
				select {
				case r := <-results:
					got[r.n] = r
				case <-time.After(10 * time.Second):
					t.Fatalf("appends unanswered after a failed commit; answered: %v", got)
				}
			}
			acked := map[uint64]int{0: 0, 1: 1, 2: 2}
			if r := got[3]; r.err == nil {
				// Its commit went through and the store then held one
				// more entry than the writer knew: it took the stored
				// tree up and wrote the batch again, after it.
				if !tt.storeIt {
					t.Errorf("append of the failed batch acknowledged at %d", r.index)
				}
				acked[r.index] = 3
			} else if socle.ErrorCode(r.err) != socle.EUNAVAILABLE {
				t.Errorf("append of the failed batch: %v, want unavailable", r.err)
			}
			for n := 4; n < 8; n++ {
				r := got[n]
				if r.err != nil {
					t.Errorf("append %d built on the failed batch: %v, want it written again", n, r.err)
					continue
				}
				acked[r.index] = n
			}
			i, err := l.AppendIndex(ctx, testEvent(8))
			if err != nil {
				t.Fatalf("append after the failure: %v", err)
			}
			acked[i] = 8
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			tl.closed = true

			rep := tl.verify(t)
			if !rep.OK || rep.Size != i+1 {
				t.Fatalf("Verify = %+v, want OK with %d entries", rep, i+1)
			}
			stored := map[uint64]string{}
			if err := tl.st.ReadRange(ctx, 0, rep.Size, func(i uint64, r Record) error {
				_, ev, err := DecodeLeaf(r.Leaf)
				stored[i] = ev.RequestID
				return err
			}); err != nil {
				t.Fatal(err)
			}
			for i, n := range acked {
				if stored[i] != testEvent(n).RequestID {
					t.Errorf("acknowledged event %d at index %d: the store holds %q there", n, i, stored[i])
				}
			}
			// Stored but unacknowledged: only the failed batch's event,
			// and only if its commit went through.
			for i, id := range stored {
				if _, ok := acked[i]; !ok && !(tt.storeIt && id == testEvent(3).RequestID && i == 3) {
					t.Errorf("entry %d (%s) stored but never acknowledged", i, id)
				}
			}
			if tt.storeIt && stored[3] != testEvent(3).RequestID {
				t.Errorf("entry 3 is %q, want the event whose commit went through", stored[3])
			}
		})
	}
}

// TestPipelinedAppendsAreDurableWhenAnswered: under concurrent appends,
// every append answered is in the store when its answer arrives.
func TestPipelinedAppendsAreDurableWhenAnswered(t *testing.T) {
	ctx := context.Background()
	tl := openTestLog(t, Options{CheckpointEvery: 64})
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for k := range 50 {
				i, err := tl.log.AppendIndex(ctx, testEvent(g*50+k))
				if err != nil {
					t.Error(err)
					return
				}
				if size, _ := tl.st.Size(ctx); size <= i {
					t.Errorf("append answered at index %d while the store holds %d entries", i, size)
					return
				}
			}
		})
	}
	wg.Wait()
	tl.close(t)
	if rep := tl.verify(t); !rep.OK || rep.Size != 800 {
		t.Fatalf("Verify = %+v, want OK with 800 entries", rep)
	}
	if tl.log.builtAhead.Load() == 0 {
		t.Log("no append was built ahead of a commit (machine too quiet to overlap)")
	}
}
