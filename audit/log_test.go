package audit

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"

	"socle"
)

func TestAppendConcurrentThenVerify(t *testing.T) {
	ctx := context.Background()
	tl := openTestLog(t, Options{CheckpointEvery: 50})
	const workers, each = 8, 60
	var mu sync.Mutex
	seen := map[uint64]int{}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for k := range each {
				n := w*each + k
				i, err := tl.log.AppendIndex(ctx, testEvent(n))
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				seen[i] = n
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != workers*each {
		t.Fatalf("got %d distinct indexes, want %d", len(seen), workers*each)
	}
	for i, n := range seen {
		e, err := tl.log.Entry(ctx, i)
		if err != nil {
			t.Fatal(err)
		}
		want := testEvent(n)
		if !e.Event.Time.Equal(want.Time) {
			t.Fatalf("entry %d time %v, want %v", i, e.Event.Time, want.Time)
		}
		want.Time = e.Event.Time
		if !reflect.DeepEqual(e.Event, want) {
			t.Fatalf("entry %d = %+v, want %+v", i, e.Event, want)
		}
	}
	tl.close(t)
	rep := tl.verify(t)
	if !rep.OK || rep.Size != workers*each || rep.Verified != rep.Size || rep.Checkpoints < 2 {
		t.Fatalf("report %+v, want OK with every entry under a checkpoint", rep)
	}
}

func TestReopenContinues(t *testing.T) {
	ctx := context.Background()
	tl := openTestLog(t, Options{CheckpointEvery: 10})
	tl.appendN(t, 0, 25)
	tl.close(t)
	cp1, err := tl.log.Checkpoint(ctx)
	if err != nil || cp1.Size != 25 {
		t.Fatalf("checkpoint at close = %+v, %v; want size 25", cp1, err)
	}
	tl.reopen(t, Options{CheckpointEvery: 10})
	if got := tl.log.Size(); got != 25 {
		t.Fatalf("size after reopen %d, want 25", got)
	}
	tl.appendN(t, 25, 40)
	// The checkpoint signed before the restart is a prefix of the tree.
	root, err := tl.log.rootAt(ctx, 40)
	if err != nil {
		t.Fatal(err)
	}
	p, err := tl.log.ConsistencyProof(ctx, 25, 40)
	if err != nil {
		t.Fatal(err)
	}
	if err := proof.VerifyConsistency(rfc6962.DefaultHasher, 25, 40, p, cp1.Root, root); err != nil {
		t.Fatal(err)
	}
	tl.close(t)

	if rep := tl.verify(t); !rep.OK || rep.Verified != 40 {
		t.Fatalf("Verify = %+v", rep)
	}
}

// referenceRoot computes the root of leaves with the library's own hasher.
func referenceRoot(t *testing.T, leaves [][]byte) []byte {
	t.Helper()
	if len(leaves) == 0 {
		return rfc6962.DefaultHasher.EmptyRoot()
	}
	var hash func(l [][]byte) []byte
	hash = func(l [][]byte) []byte { // RFC 6962 section 2.1, literally
		if len(l) == 1 {
			return rfc6962.DefaultHasher.HashLeaf(l[0])
		}
		k := 1
		for k*2 < len(l) {
			k *= 2
		}
		return rfc6962.DefaultHasher.HashChildren(hash(l[:k]), hash(l[k:]))
	}
	return hash(leaves)
}

func TestProofs(t *testing.T) {
	ctx := context.Background()
	tl := openTestLog(t, Options{})
	const n = 70
	tl.appendN(t, 0, n)
	var leaves [][]byte
	for i := range uint64(n) {
		e, err := tl.log.Entry(ctx, i)
		if err != nil {
			t.Fatal(err)
		}
		leaves = append(leaves, e.Leaf)
	}
	roots := make([][]byte, n+1)
	for size := range n + 1 {
		roots[size] = referenceRoot(t, leaves[:size])
		got, err := tl.log.rootAt(ctx, uint64(size))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, roots[size]) {
			t.Fatalf("root at %d differs from RFC 6962", size)
		}
	}
	h := rfc6962.DefaultHasher
	for size := uint64(1); size <= n; size++ {
		for i := range size {
			p, err := tl.log.InclusionProof(ctx, i, size)
			if err != nil {
				t.Fatal(err)
			}
			if err := proof.VerifyInclusion(h, i, size, h.HashLeaf(leaves[i]), p, roots[size]); err != nil {
				t.Fatalf("inclusion of %d in %d: %v", i, size, err)
			}
		}
		for from := uint64(0); from <= size; from++ {
			p, err := tl.log.ConsistencyProof(ctx, from, size)
			if err != nil {
				t.Fatal(err)
			}
			if err := proof.VerifyConsistency(h, from, size, p, roots[from], roots[size]); err != nil {
				t.Fatalf("consistency %d→%d: %v", from, size, err)
			}
		}
	}
	// A proof against the signed checkpoint, as a person would check.
	tl.close(t)
	tl.reopen(t, Options{})
	cp, err := tl.log.Checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cp, err = ParseCheckpoint(cp.Note, tl.vkey)
	if err != nil {
		t.Fatal(err)
	}
	e, err := tl.log.Entry(ctx, 42)
	if err != nil {
		t.Fatal(err)
	}
	p, err := tl.log.InclusionProof(ctx, 42, cp.Size)
	if err != nil {
		t.Fatal(err)
	}
	if err := proof.VerifyInclusion(h, 42, cp.Size, e.LeafHash, p, cp.Root); err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][2]uint64{{n, n}, {0, n + 1}} {
		if _, err := tl.log.InclusionProof(ctx, bad[0], bad[1]); socle.ErrorCode(err) != socle.EINVALID {
			t.Errorf("InclusionProof%v error %v, want EINVALID", bad, err)
		}
	}
	if _, err := tl.log.ConsistencyProof(ctx, 5, 4); socle.ErrorCode(err) != socle.EINVALID {
		t.Errorf("ConsistencyProof(5, 4) error %v, want EINVALID", err)
	}
}

func TestCheckpointFormat(t *testing.T) {
	ctx := context.Background()
	tl := openTestLog(t, Options{})
	tl.appendN(t, 0, 3)
	tl.close(t)
	tl.reopen(t, Options{})
	cp, err := tl.log.Checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	body, _, _ := bytes.Cut(cp.Note, []byte("\n\n"))
	want := checkpointBody("socle.test/audit", 3, cp.Root)
	if string(body)+"\n" != want {
		t.Fatalf("checkpoint body %q, want %q", body, want)
	}
	if _, err := ParseCheckpoint(cp.Note, tl.vkey); err != nil {
		t.Fatal(err)
	}
	_, other, err := GenerateKey("socle.test/audit")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseCheckpoint(cp.Note, other); err == nil {
		t.Fatal("checkpoint accepted with another key")
	}
	vkey, err := VerifierKey(tl.skey)
	if err != nil || vkey != tl.vkey {
		t.Fatalf("VerifierKey = %q, %v; want %q", vkey, err, tl.vkey)
	}
}

func TestCheckpointInterval(t *testing.T) {
	ctx := context.Background()
	tl := openTestLog(t, Options{CheckpointEvery: 1 << 20, CheckpointInterval: 5 * time.Millisecond})
	tl.appendN(t, 0, 2)
	// Polls until the writer's ticker signs; fails only if it never does.
	deadline := time.Now().Add(10 * time.Second)
	for {
		cp, err := tl.log.Checkpoint(ctx)
		if err == nil && cp.Size == 2 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no checkpoint of size 2 (last %+v, %v)", cp, err)
		}
		time.Sleep(time.Millisecond)
	}
}

// faultyStorage is a memStorage whose next appends can be made to fail.
type faultyStorage struct {
	*memStorage
	fail atomic.Bool
}

func (s *faultyStorage) AppendBatch(ctx context.Context, first uint64, records []Record) error {
	if s.fail.Load() {
		return errors.New("disk full")
	}
	return s.memStorage.AppendBatch(ctx, first, records)
}

func TestFailClosed(t *testing.T) {
	ctx := context.Background()
	skey, vkey, err := GenerateKey("socle.test/audit")
	if err != nil {
		t.Fatal(err)
	}
	fl := &memStorage{}
	st := &faultyStorage{memStorage: fl}
	quiet := slog.New(slog.DiscardHandler)
	l, err := Open(ctx, st, skey, Options{CheckpointEvery: 4, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	for n := range 5 {
		if err := l.Append(ctx, testEvent(n)); err != nil {
			t.Fatal(err)
		}
	}
	st.fail.Store(true)
	var wg sync.WaitGroup
	var failed atomic.Int32
	for n := range 20 {
		wg.Go(func() {
			if err := l.Append(ctx, testEvent(100+n)); err != nil {
				failed.Add(1)
			}
		})
	}
	wg.Wait()
	if failed.Load() != 20 {
		t.Fatalf("%d appends failed, want all 20", failed.Load())
	}
	st.fail.Store(false)
	i, err := l.AppendIndex(ctx, testEvent(5))
	if err != nil || i != 5 {
		t.Fatalf("append after recovery = %d, %v; want 5", i, err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Append(ctx, testEvent(6)); socle.ErrorCode(err) != socle.EUNAVAILABLE {
		t.Fatalf("append after close: %v", err)
	}
	rep, err := Verify(ctx, fl, vkey, nil)
	if err != nil || !rep.OK || rep.Size != 6 || rep.Verified != 6 {
		t.Fatalf("Verify = %+v, %v", rep, err)
	}

	// A store that breaks for good (here: closed under the log) fails
	// every append.
	l, err = Open(ctx, st, skey, Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	fl.Close()
	if err := l.Append(ctx, testEvent(7)); err == nil {
		t.Fatal("append on a closed store succeeded")
	}
	if err := l.Close(); err == nil {
		t.Fatal("Close on a broken log reported no error")
	}
}

func TestAppendInvalid(t *testing.T) {
	tl := openTestLog(t, Options{})
	ev := testEvent(1)
	ev.Action = ""
	if err := tl.log.Append(context.Background(), ev); socle.ErrorCode(err) != socle.EINVALID {
		t.Fatalf("append without action: %v", err)
	}
}

func TestVerifyWhileAppending(t *testing.T) {
	ctx := context.Background()
	tl := openTestLog(t, Options{CheckpointEvery: 8})
	stop := make(chan struct{})
	var wg sync.WaitGroup
	// The storage is in memory: bounded, so that the verifications do
	// not chase an ever longer log.
	const most = 2000
	for w := range 4 {
		wg.Go(func() {
			for n := w; n < most; n += 4 {
				select {
				case <-stop:
					return
				default:
				}
				if err := tl.log.Append(ctx, testEvent(n)); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	for range 20 {
		rep, err := Verify(ctx, tl.st, tl.vkey, nil)
		if err != nil || !rep.OK {
			t.Fatalf("Verify during appends = %+v, %v", rep, err)
		}
	}
	close(stop)
	wg.Wait()
}
