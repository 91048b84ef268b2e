package audit

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
)

// Report is the outcome of Verify.
type Report struct {
	Size        uint64 // entries in the storage
	Checkpoints int    // checkpoints whose signature and root were checked
	Verified    uint64 // size of the largest checkpoint matched: entries below it are proven
	Witnessed   uint64 // size of the largest witnessed checkpoint matched (see Verify)
	Root        []byte // root recomputed over all entries, when OK
	OK          bool
	// FirstBad is, when !OK, the lowest entry index that cannot be trusted:
	// every entry below it is intact. An entry altered without also
	// rewriting the stored hashes, or deleted, inserted or moved, is named
	// exactly; a consistent rewrite of entries and hashes is only caught
	// by the next checkpoint, and FirstBad is then the size of the last
	// checkpoint that still matched.
	FirstBad uint64
	Problem  string // when !OK, what is wrong
}

// progressEvery is how many entries Verify hashes between progress calls.
const progressEvery = 1 << 16

// Verify recomputes the whole tree from the entries in st and checks it
// against every stored checkpoint, signed by verifierKey: each signature,
// and that each checkpoint's root is the root recomputed at its size (which
// proves that every checkpoint is consistent with the ones before). It also
// checks each entry's position and the node hashes stored with it.
// progress, if not nil, is called with the number of entries checked so far.
// Verify returns an error only when it could not do its work; tampering is
// reported in the Report.
//
// Entries added after the last checkpoint, and a log cut back together with
// its checkpoints or rewritten by someone holding the signer key, can only
// be checked against a checkpoint kept elsewhere: witnessed checkpoints
// (from AskWitness or OpenWitnessed) are checked like the stored ones, and
// one larger than the log, or whose root differs from the one recomputed
// at its size, is reported. Report.Witnessed is then the size up to which
// the log matches them.
func Verify(ctx context.Context, st Storage, verifierKey string, progress func(done uint64), witnessed ...Checkpoint) (Report, error) {
	verifier, err := note.NewVerifier(verifierKey)
	if err != nil {
		return Report{}, fmt.Errorf("audit verifier key: %w", err)
	}
	rep := Report{OK: true}
	bad := func(first uint64, format string, args ...any) {
		if rep.OK || first < rep.FirstBad {
			rep.OK, rep.FirstBad, rep.Problem = false, first, fmt.Sprintf(format, args...)
		}
	}

	// Read the checkpoints, stopping at the first one that is not valid:
	// the entries it claims to cover are proven only up to the one before.
	type cpAt struct {
		size uint64
		root []byte
	}
	var cps []cpAt
	var last uint64
	n := 0
	err = st.Checkpoints(ctx, func(stored uint64, msg []byte) error {
		n++
		cp, err := OpenCheckpoint(msg, verifier)
		switch {
		case err != nil:
			bad(last, "checkpoint %d (size %d): %v", n, stored, err)
		case cp.Size != stored:
			bad(last, "checkpoint %d: stored as size %d but signed for size %d", n, stored, cp.Size)
		case cp.Size < last:
			bad(last, "checkpoint %d: size %d after size %d", n, cp.Size, last)
		default:
			cps = append(cps, cpAt{cp.Size, cp.Root})
			last = cp.Size
			return nil
		}
		return errStop
	})
	if err != nil && !errors.Is(err, errStop) {
		return Report{}, fmt.Errorf("verify audit log: %w", err)
	}
	// Read the size after the checkpoints: a log being appended to stores
	// a checkpoint only after its entries, so none can exceed this size.
	size, err := st.Size(ctx)
	if err != nil {
		return Report{}, fmt.Errorf("verify audit log: %w", err)
	}
	rep.Size = size
	if last > size {
		bad(size, "log cut back to %d entries; checkpoint %d covers %d", size, len(cps), last)
	}
	witnessed = slices.Clone(witnessed)
	slices.SortFunc(witnessed, func(a, b Checkpoint) int { return cmp.Compare(a.Size, b.Size) })
	if n := len(witnessed); n > 0 && witnessed[n-1].Size > size {
		bad(size, "log cut back to %d entries; a witnessed checkpoint covers %d", size, witnessed[n-1].Size)
	}

	th := newTreeHasher()
	rng := th.factory().NewEmptyRange(0)
	next := 0    // the next checkpoint to compare
	nextWit := 0 // the next witnessed checkpoint to compare
	checkRoot := func(at uint64) error {
		if (next >= len(cps) || cps[next].size != at) && (nextWit >= len(witnessed) || witnessed[nextWit].Size != at) {
			return nil
		}
		root := rfc6962.DefaultHasher.EmptyRoot()
		if at > 0 {
			var err error
			if root, err = rng.GetRootHash(nil); err != nil {
				return err
			}
		}
		// The witnessed checkpoints first: the stored ones may have been
		// re-signed over a rewritten tail.
		for ; nextWit < len(witnessed) && witnessed[nextWit].Size == at; nextWit++ {
			if !bytes.Equal(root, witnessed[nextWit].Root) {
				bad(rep.Verified, "root at size %d differs from the witnessed checkpoint: an entry in [%d, %d) was rewritten", at, rep.Verified, at)
				return errStop
			}
			rep.Witnessed = at
		}
		for ; next < len(cps) && cps[next].size == at; next++ {
			if !bytes.Equal(root, cps[next].root) {
				bad(rep.Verified, "root at size %d differs from checkpoint %d: an entry in [%d, %d) was rewritten", at, next+1, rep.Verified, at)
				return errStop
			}
			rep.Checkpoints++
			rep.Verified = at
		}
		return nil
	}
	if err := checkRoot(0); err != nil {
		return finish(rep, err)
	}
	// The visitor compares each node the append completes with the hash
	// stored with the entry; a mismatch at level L means one of the 2^L
	// entries below it changed.
	var cur uint64
	var hashes []byte
	mismatch := -1
	visit := func(id compact.NodeID, h []byte) {
		off := int(id.Level) * hashSize
		if mismatch < 0 && !bytes.Equal(h, hashes[off:off+hashSize]) {
			mismatch = int(id.Level)
		}
	}
	to := size
	if !rep.OK {
		to = min(size, rep.FirstBad)
	}
	readCtx, stopReading := context.WithCancel(ctx)
	defer stopReading()
	windows := readWindows(readCtx, st, to)
	err = func() error {
		for w := range windows {
			for k := range w.items {
				i := w.from + uint64(k)
				if w.corrupt != nil && i >= w.corrupt.Index {
					return w.corrupt
				}
				cur = i
				it := &w.items[k]
				if it.index != i || !it.indexOK {
					bad(i, "entry %d: holds index %d (deleted, inserted or moved entry)", i, it.index)
					return errStop
				}
				if len(it.hashes) != hashesLen(i) {
					bad(i, "entry %d: %d stored hashes, want %d", i, len(it.hashes)/hashSize, hashesLen(i)/hashSize)
					return errStop
				}
				hashes = it.hashes
				if err := rng.Append(it.leafHash, visit); err != nil {
					return err
				}
				if mismatch >= 0 {
					first := i + 1 - 1<<mismatch
					bad(first, "entry %d: stored tree hash at level %d differs from the recomputed one (entries %d-%d)", i, mismatch, first, i)
					return errStop
				}
				if (i+1)%progressEvery == 0 && progress != nil {
					progress(i + 1)
				}
				if err := checkRoot(i + 1); err != nil {
					return err
				}
			}
			if w.corrupt != nil {
				return w.corrupt
			}
			if w.err != nil {
				return w.err
			}
		}
		return ctx.Err()
	}()
	stopReading()
	var ce *CorruptError
	if errors.As(err, &ce) {
		bad(ce.Index, "entry %d: %v", ce.Index, ce.Err)
		err = nil
	}
	if err != nil && !errors.Is(err, errStop) {
		return Report{}, fmt.Errorf("verify audit log at entry %d: %w", cur, err)
	}
	if progress != nil {
		progress(rng.End())
	}
	if rep.OK {
		if rep.Root, err = rng.GetRootHash(nil); err != nil {
			return Report{}, fmt.Errorf("verify audit log: %w", err)
		}
		if rep.Root == nil {
			rep.Root = rfc6962.DefaultHasher.EmptyRoot()
		}
	}
	return rep, nil
}

func finish(rep Report, err error) (Report, error) {
	if err != nil && !errors.Is(err, errStop) {
		return Report{}, fmt.Errorf("verify audit log: %w", err)
	}
	return rep, nil
}

var errStop = errors.New("stop")

// verifyWindow is how many entries are read and hashed ahead of the
// in-order check: enough for every core to work on a long run of rows.
const verifyWindow = 1 << 15

// checkedEntry is an entry read and hashed ahead of the in-order check.
type checkedEntry struct {
	leafHash []byte
	hashes   []byte // a copy of the stored hashes
	index    uint64 // the index the leaf says it has
	indexOK  bool
}

// window is a run of entries [from, from+len(items)) read ahead; corrupt,
// when set, is the first entry the storage could not decode.
type window struct {
	from    uint64
	items   []checkedEntry
	corrupt *CorruptError
	err     error
}

// readWindows reads and hashes the entries [0, to) window by window, each
// window split between the cores, while the caller checks the previous one
// in order: reading rows and hashing leaves is most of a verification, and
// unlike the tree it needs no order. The channel closes after the last
// window, or after a window with an error, or when ctx is done.
func readWindows(ctx context.Context, st Storage, to uint64) <-chan *window {
	out := make(chan *window, 1)
	workers := runtime.GOMAXPROCS(0)
	go func() {
		defer close(out)
		for from := uint64(0); from < to; from += verifyWindow {
			w := readWindow(ctx, st, from, min(from+verifyWindow, to), workers)
			select {
			case out <- w:
			case <-ctx.Done():
				return
			}
			if w.corrupt != nil || w.err != nil {
				return
			}
		}
	}()
	return out
}

func readWindow(ctx context.Context, st Storage, from, to uint64, workers int) *window {
	w := &window{from: from, items: make([]checkedEntry, to-from)}
	per := (to - from + uint64(workers) - 1) / uint64(workers)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for a := from; a < to; a += per {
		b := min(a+per, to)
		wg.Add(1)
		go func() {
			defer wg.Done()
			th := newTreeHasher()
			var copies []byte
			err := st.ReadRange(ctx, a, b, func(i uint64, r Record) error {
				it := &w.items[i-from]
				it.leafHash = th.leaf(r.Leaf)
				it.index, it.indexOK = leafIndex(r.Leaf)
				if len(copies) < len(r.Hashes) {
					copies = make([]byte, max(len(r.Hashes), 64*1024))
				}
				it.hashes = copies[:len(r.Hashes):len(r.Hashes)]
				copy(it.hashes, r.Hashes)
				copies = copies[len(r.Hashes):]
				return nil
			})
			if err == nil {
				return
			}
			mu.Lock()
			defer mu.Unlock()
			var ce *CorruptError
			if errors.As(err, &ce) {
				if w.corrupt == nil || ce.Index < w.corrupt.Index {
					w.corrupt = ce
				}
			} else if w.err == nil {
				w.err = err
			}
		}()
	}
	wg.Wait()
	return w
}
