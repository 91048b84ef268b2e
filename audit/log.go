// Package audit is the journal des accès: a tamper-evident, append-only log
// of every access decision. Each event is encoded canonically (see
// encoding.go) and appended as a leaf of a Merkle tree hashed as in RFC 6962;
// the log signs checkpoints (C2SP tlog-checkpoint notes, Ed25519) of its size
// and root every so many entries and seconds, serves inclusion and
// consistency proofs, and Verify recomputes the whole tree to find any entry
// altered, deleted, reordered or inserted.
//
// Appends are group-committed: one writer goroutine gathers concurrent
// appends into one durable write, and an Append returns only once its batch
// is durable, or with an error for every append of a failed batch.
package audit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"

	"socle"
)

// Options tune a Log. The zero value gives the defaults.
type Options struct {
	// CheckpointEvery is how many new entries trigger a checkpoint (1024).
	CheckpointEvery uint64
	// CheckpointInterval is the longest time new entries wait for a
	// checkpoint (10s).
	CheckpointInterval time.Duration
	// MaxBatch is the most events written in one durable write (8192).
	MaxBatch int
	// ResyncInterval is how often a log out of sync with its store (after
	// an outage) tries to take up the stored tree again while no append
	// arrives (1s).
	ResyncInterval time.Duration
	// Logger reports failures that no caller sees, such as a checkpoint
	// that could not be stored (slog.Default()).
	Logger *slog.Logger
	// Witnesses cosign the checkpoints (see witness.go); the Storage must
	// then be a WitnessStorage.
	Witnesses []Witness
	// WitnessClient is the HTTP client for the witnesses
	// (http.DefaultClient).
	WitnessClient *http.Client
	// WitnessTimeout bounds one round of requests to the witnesses, and
	// the witnessing of the last checkpoint by Close (10s).
	WitnessTimeout time.Duration
	// Leader, when set, makes the log one of several processes appending
	// to one SequencedStorage (shared.go): the storage sequences every
	// batch, and this process signs checkpoints only while it leads.
	Leader Leader
}

func (o Options) withDefaults() Options {
	if o.CheckpointEvery == 0 {
		o.CheckpointEvery = 1024
	}
	if o.CheckpointInterval <= 0 {
		o.CheckpointInterval = 10 * time.Second
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = 8192
	}
	if o.ResyncInterval <= 0 {
		o.ResyncInterval = time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.WitnessTimeout <= 0 {
		o.WitnessTimeout = 10 * time.Second
	}
	return o
}

// Log is the audit log service over a Storage. It is safe for concurrent
// use; Close (or Shutdown) it to flush and sign a last checkpoint, witnessed
// when the log has witnesses.
type Log struct {
	st       Storage
	shared   SequencedStorage // non-nil when Options.Leader is set
	signer   note.Signer
	verifier note.Verifier
	opts     Options

	// Witnessing (witness.go); wst and witnessWake are nil without
	// witnesses.
	wst           WitnessStorage
	witnesses     []*witnessClient
	witnessed     atomic.Pointer[Checkpoint] // latest cosigned, nil if none
	witnessWake   chan struct{}
	witnessDone   chan struct{}
	stopWitnesses context.CancelFunc
	shutdownOnce  sync.Once
	shutdownErr   error

	reqs     chan *appendReq
	quit     chan struct{}
	done     chan struct{}
	quitOnce sync.Once

	size atomic.Uint64              // durable entries
	cp   atomic.Pointer[Checkpoint] // latest stored checkpoint, nil if none

	// Owned by the writer goroutine.
	th     *treeHasher
	rng    *compact.Range
	cpTime time.Time
	// broken is why the writer no longer knows the stored tree (an append
	// failed and the store's size could not be read back), nil while in
	// sync. The writer resynchronises from the store (resync) before its
	// next batch and every ResyncInterval meanwhile; fatal says that the
	// store contradicts what this log signed, which no retry repairs.
	broken error
	fatal  bool
	// health mirrors broken for other goroutines (Err).
	health atomic.Pointer[error]

	batches, appended atomic.Uint64 // for benchmarks: mean batch size
	// builtAhead counts the appends built on a batch still being written
	// (pipeline.go), for tests.
	builtAhead atomic.Uint64
}

var _ socle.Auditor = (*Log)(nil)

type appendReq struct {
	event   []byte
	summary *Summary // of the event, for the store's search index; may be nil
	done    chan appendRes
}

type appendRes struct {
	index uint64
	err   error
}

var errClosed = socle.Errorf(socle.EUNAVAILABLE, "Journal des accès fermé.")

// Open starts the log service over st, signing checkpoints with signerKey
// (from GenerateKey). If st holds entries that no checkpoint covers yet, Open
// signs one.
func Open(ctx context.Context, st Storage, signerKey string, opts Options) (*Log, error) {
	signer, err := note.NewSigner(signerKey)
	if err != nil {
		return nil, fmt.Errorf("audit signer key: %w", err)
	}
	vkey, err := VerifierKey(signerKey)
	if err != nil {
		return nil, err
	}
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, fmt.Errorf("audit verifier key: %w", err)
	}
	opts = opts.withDefaults()
	l := &Log{
		st:       st,
		signer:   signer,
		verifier: verifier,
		opts:     opts,
		reqs:     make(chan *appendReq, opts.MaxBatch),
		quit:     make(chan struct{}),
		done:     make(chan struct{}),
		th:       newTreeHasher(),
	}
	if opts.Leader != nil {
		shared, ok := st.(SequencedStorage)
		if !ok {
			return nil, fmt.Errorf("open audit log: storage %T cannot sequence the appends of several processes", st)
		}
		l.shared = shared
	}
	size, err := st.Size(ctx)
	if err != nil {
		return nil, fmt.Errorf("open audit log: %w", err)
	}
	if l.rng, err = l.rangeAt(ctx, size); err != nil {
		return nil, fmt.Errorf("open audit log: %w", err)
	}
	l.size.Store(size)
	cpSize, msg, err := st.LatestCheckpoint(ctx)
	if err != nil {
		return nil, fmt.Errorf("open audit log: %w", err)
	}
	if msg != nil {
		cp, err := OpenCheckpoint(msg, verifier)
		if err != nil || cp.Size != cpSize {
			return nil, fmt.Errorf("open audit log: latest checkpoint: %w", errors.Join(err, errors.New("not signed by this key or wrong size")))
		}
		l.cp.Store(&cp)
	}
	if err := l.openWitnesses(ctx); err != nil {
		return nil, fmt.Errorf("open audit log: %w", err)
	}
	l.cpTime = time.Now()
	if l.shared != nil {
		if err := l.checkpointShared(ctx, true); err != nil {
			return nil, fmt.Errorf("open audit log: %w", err)
		}
	} else if cp := l.cp.Load(); cp == nil || cp.Size < size {
		if err := l.checkpoint(ctx); err != nil {
			return nil, fmt.Errorf("open audit log: %w", err)
		}
	}
	wctx, stop := context.WithCancel(context.Background())
	l.stopWitnesses = stop
	if l.witnessWake != nil {
		go l.witnessLoop(wctx)
		l.wakeWitnesses() // the latest checkpoint may not be witnessed yet
	}
	go l.run()
	return l, nil
}

// openWitnesses sets up the witness clients and reads the latest witnessed
// checkpoint.
func (l *Log) openWitnesses(ctx context.Context) error {
	if len(l.opts.Witnesses) == 0 {
		return nil
	}
	wst, ok := l.st.(WitnessStorage)
	if !ok {
		return fmt.Errorf("storage %T does not keep witnessed checkpoints", l.st)
	}
	l.wst = wst
	for _, w := range l.opts.Witnesses {
		c, err := newWitnessClient(w, l.opts.WitnessClient)
		if err != nil {
			return err
		}
		l.witnesses = append(l.witnesses, c)
	}
	size, msg, err := wst.LatestWitnessed(ctx)
	if err != nil {
		return err
	}
	if msg != nil {
		cp, err := OpenCheckpoint(msg, l.verifier)
		if err != nil || cp.Size != size {
			return fmt.Errorf("latest witnessed checkpoint: %w", errors.Join(err, errors.New("not signed by this key or wrong size")))
		}
		// A log shorter than what was witnessed was cut back: forget the
		// stored one, so that the witnesses are asked again and refuse.
		if cp.Size <= l.size.Load() {
			l.witnessed.Store(&cp)
			if n := l.size.Load() - cp.Size; n > 0 {
				// Written while no witnessed log was open: by an
				// operator's command, or forged. The witnesses will
				// cosign them as a consistent append.
				l.opts.Logger.Warn("audit entries after the latest witnessed checkpoint", "witnessed", cp.Size, "entries", n)
			}
		} else {
			l.opts.Logger.Error("audit log shorter than its latest witnessed checkpoint", "size", l.size.Load(), "witnessed", cp.Size)
		}
	}
	l.witnessWake = make(chan struct{}, 1)
	l.witnessDone = make(chan struct{})
	return nil
}

// rangeAt rebuilds the compact range of the first size entries from the
// stored node hashes.
func (l *Log) rangeAt(ctx context.Context, size uint64) (*compact.Range, error) {
	f := l.th.factory()
	ids := compact.RangeNodes(0, size, nil)
	hashes, err := l.nodeHashes(ctx, ids)
	if err != nil {
		return nil, err
	}
	return f.NewRange(0, size, hashes)
}

// rootAt returns the root hash of the tree of the first size entries.
func (l *Log) rootAt(ctx context.Context, size uint64) ([]byte, error) {
	if size == 0 {
		return rfc6962.DefaultHasher.EmptyRoot(), nil
	}
	ids := compact.RangeNodes(0, size, nil)
	hashes, err := l.nodeHashes(ctx, ids)
	if err != nil {
		return nil, err
	}
	th := newTreeHasher()
	r, err := th.factory().NewRange(0, size, hashes)
	if err != nil {
		return nil, err
	}
	return r.GetRootHash(nil)
}

// nodeHashes reads the hashes of the given perfect-subtree nodes.
func (l *Log) nodeHashes(ctx context.Context, ids []compact.NodeID) ([][]byte, error) {
	idx := make([]uint64, len(ids))
	for k, id := range ids {
		idx[k], _ = nodeEntry(id)
	}
	blobs, err := l.st.ReadHashes(ctx, idx)
	if err != nil {
		return nil, fmt.Errorf("read tree hashes: %w", err)
	}
	out := make([][]byte, len(ids))
	for k, id := range ids {
		i, off := nodeEntry(id)
		if len(blobs[k]) < off+hashSize {
			return nil, &CorruptError{Index: i, Err: fmt.Errorf("no hash for tree node %d/%d", id.Level, id.Index)}
		}
		out[k] = blobs[k][off : off+hashSize]
	}
	return out, nil
}

// Append implements socle.Auditor: it returns once ev is durable.
func (l *Log) Append(ctx context.Context, ev socle.AuditEvent) error {
	_, err := l.AppendIndex(ctx, ev)
	return err
}

// AppendIndex appends ev and returns its index once it is durable. An error
// means the event may not be in the log and the access must not proceed.
func (l *Log) AppendIndex(ctx context.Context, ev socle.AuditEvent) (uint64, error) {
	body, err := encodeEvent(ev)
	if err != nil {
		return 0, err
	}
	r := &appendReq{event: body, summary: summarise(&ev), done: make(chan appendRes, 1)}
	select {
	case l.reqs <- r:
	case <-l.quit:
		return 0, errClosed
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	select {
	case res := <-r.done:
		return res.index, res.err
	case <-l.done:
		select {
		case res := <-r.done:
			return res.index, res.err
		default:
			return 0, errClosed
		}
	case <-ctx.Done():
		// The event may still be written; the caller fails closed anyway.
		return 0, ctx.Err()
	}
}

// run is the single writer: it gathers the appends waiting in l.reqs into
// batches, builds each on the tree and has the committer (pipeline.go)
// write it durably while it builds the next, and signs checkpoints.
func (l *Log) run() {
	defer close(l.done)
	ctx := context.Background()
	tick := l.opts.CheckpointInterval
	if l.shared != nil {
		tick = min(tick, sharedRefresh)
	}
	ticker := time.NewTicker(tick)
	defer ticker.Stop()
	retry := time.NewTicker(l.opts.ResyncInterval)
	defer retry.Stop()
	batch := make([]*appendReq, 0, l.opts.MaxBatch)
	var w batchWriter
	p := l.newPipeline()
	if l.shared == nil {
		go l.commitLoop(ctx, p)
	}
	defer close(p.jobs)
	for {
		// While the committer writes, appends wait in l.reqs: the writer
		// builds them every so often (p.build) and when the write
		// returns, rather than being woken by each one.
		reqs := l.reqs
		if p.inflight != nil {
			reqs = nil
		}
		select {
		case j := <-p.results:
			l.absorb(ctx, p, batch)
			l.finished(ctx, p, j)
		case <-p.build.C:
			if p.inflight != nil {
				l.absorb(ctx, p, batch)
				p.build.Reset(p.buildEvery())
			}
		case <-retry.C:
			if l.broken != nil && !l.fatal && p.idle() {
				if err := l.resync(ctx); err == nil {
					l.checkpointLogged(ctx)
				}
			}
		case r := <-reqs:
			if l.shared == nil {
				l.accept(ctx, p, l.gather(append(batch[:0], r)))
				continue
			}
			batch = l.gather(append(batch[:0], r))
			l.commit(ctx, &w, batch)
			if l.opts.Leader.Leading() && l.size.Load()-l.cpSize() >= l.opts.CheckpointEvery {
				l.tickShared(ctx)
			}
		case <-ticker.C:
			if l.shared != nil {
				l.tickShared(ctx)
			} else if p.idle() && l.size.Load() > l.cpSize() {
				l.checkpointLogged(ctx)
				p.cpPlanned = l.cpSize()
			}
		case <-l.quit:
			l.drain(ctx, p)
			for {
				batch = l.gather(batch[:0])
				if len(batch) == 0 {
					break
				}
				l.commit(ctx, &w, batch)
			}
			if l.shared != nil {
				if l.opts.Leader.Leading() {
					if err := l.checkpointShared(ctx, true); err != nil {
						l.opts.Logger.Error("audit checkpoint failed", "err", err)
					}
				}
			} else if l.size.Load() > l.cpSize() {
				l.checkpointLogged(ctx)
			}
			return
		}
	}
}

// gather adds to batch the appends already waiting, up to MaxBatch.
func (l *Log) gather(batch []*appendReq) []*appendReq {
	return l.gatherUpTo(batch, l.opts.MaxBatch)
}

// gatherUpTo adds to batch the appends already waiting, up to n in all.
func (l *Log) gatherUpTo(batch []*appendReq, n int) []*appendReq {
	for len(batch) < n {
		select {
		case r := <-l.reqs:
			batch = append(batch, r)
		default:
			return batch
		}
	}
	return batch
}

// batchWriter holds the writer's reusable buffers.
type batchWriter struct {
	leaves  []byte
	hashes  []byte
	records []Record
	ends    [][2]int
}

// commit makes batch durable and answers every append in it.
func (l *Log) commit(ctx context.Context, w *batchWriter, batch []*appendReq) {
	if l.shared != nil {
		l.commitShared(ctx, w, batch)
		return
	}
	l.commitBatch(ctx, w, batch, true)
}

// commitBatch is commit; mayResync allows one retry when another process
// has appended to the same log meanwhile.
func (l *Log) commitBatch(ctx context.Context, w *batchWriter, batch []*appendReq, mayResync bool) {
	if l.broken != nil {
		if err := l.resync(ctx); err != nil {
			answer(batch, 0, errUnsynced(err))
			return
		}
	}
	first := l.size.Load()
	saved := slices.Clone(l.rng.Hashes())
	if err := l.buildRecords(w, first, batch); err != nil {
		l.rng, _ = l.th.factory().NewRange(0, first, saved)
		l.fail(err)
		answer(batch, 0, errUnsynced(l.broken))
		return
	}
	if err := l.st.AppendBatch(ctx, first, w.records); err != nil {
		l.rng, _ = l.th.factory().NewRange(0, first, saved)
		l.appendFailed(ctx, w, batch, first, err, mayResync)
		return
	}
	l.committed(batch, first)
}

// appendFailed handles the failed write of batch as entries first…, the
// tree range being back at first: it answers the batch, or writes it again
// after the entries another process appended meanwhile (mayResync).
func (l *Log) appendFailed(ctx context.Context, w *batchWriter, batch []*appendReq, first uint64, err error, mayResync bool) {
	// If the store now holds a different size, the tree we keep no
	// longer describes it: stop rather than sign something wrong.
	size, serr := l.st.Size(ctx)
	if serr == nil && size > first && mayResync {
		// Another process (an operator's command beside the server)
		// appended to the same log: take up its entries from the
		// stored tree hashes and append this batch after them.
		if l.resync(ctx) == nil {
			l.commitBatch(ctx, w, batch, false)
			return
		}
	}
	if serr != nil || size != first {
		// The commit may have gone through (its answer lost with the
		// connection): resync takes up whatever the store holds.
		l.fail(fmt.Errorf("audit log size unknown after failed append: %w", errors.Join(err, serr)))
	}
	answer(batch, 0, errUnsynced(fmt.Errorf("audit append: %w", err)))
}

// committed records that batch is durable as entries first… and answers
// its appends.
func (l *Log) committed(batch []*appendReq, first uint64) {
	l.size.Store(first + uint64(len(batch)))
	l.batches.Add(1)
	l.appended.Add(uint64(len(batch)))
	answer(batch, first, nil)
}

// buildRecords appends the batch's leaves, numbered from first, to the
// tree range and fills w.records with each leaf and the node hashes it
// completed.
func (l *Log) buildRecords(w *batchWriter, first uint64, batch []*appendReq) error {
	w.reset()
	visit := func(_ compact.NodeID, h []byte) { w.hashes = append(w.hashes, h...) }
	for k, r := range batch {
		if err := w.appendLeaf(l, first+uint64(k), r, visit); err != nil {
			return err
		}
	}
	w.fillRecords(batch)
	return nil
}

func (w *batchWriter) reset() {
	w.leaves, w.hashes, w.ends = w.leaves[:0], w.hashes[:0], w.ends[:0]
}

// appendLeaf appends the leaf of r as entry i to the tree range of l and
// to w, with the node hashes it completes (reported by visit).
func (w *batchWriter) appendLeaf(l *Log, i uint64, r *appendReq, visit compact.VisitFn) error {
	start := len(w.leaves)
	w.leaves = appendLeaf(w.leaves, i, r.event)
	// The visitor reports the leaf hash, then every node it completes.
	if err := l.rng.Append(l.th.leaf(w.leaves[start:]), visit); err != nil {
		return fmt.Errorf("audit tree: %w", err)
	}
	w.ends = append(w.ends, [2]int{len(w.leaves), len(w.hashes)})
	return nil
}

// fillRecords sets w.records to the records of the leaves built, those of
// batch.
func (w *batchWriter) fillRecords(batch []*appendReq) {
	w.records = w.records[:0]
	ls, hs := 0, 0
	for k, e := range w.ends {
		w.records = append(w.records, Record{Leaf: w.leaves[ls:e[0]], Hashes: w.hashes[hs:e[1]], Summary: batch[k].summary})
		ls, hs = e[0], e[1]
	}
}

func answer(batch []*appendReq, first uint64, err error) {
	for k, r := range batch {
		if err != nil {
			r.done <- appendRes{err: err}
		} else {
			r.done <- appendRes{index: first + uint64(k)}
		}
	}
}

// fail records that the writer lost track of the stored tree; appends are
// refused until resync succeeds.
func (l *Log) fail(err error) {
	l.broken = err
	l.health.Store(&err)
	l.opts.Logger.Error("audit log out of sync with its store; appends refused until it resynchronises", "err", err)
}

// resync takes up the tree the store holds after a failure left its size
// unknown: the failed batch if its commit went through after all, and
// entries another process appended. It first checks that the stored tree
// still has, as its prefix, the tree this log knew (same root over the same
// size): a store that lost or rewrote acknowledged entries is a fatal
// failure, never papered over. Only the writer calls it.
func (l *Log) resync(ctx context.Context) error {
	if l.fatal {
		return l.broken
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	known := l.size.Load()
	size, err := l.st.Size(ctx)
	if err != nil {
		return fmt.Errorf("audit resync: reading the stored size: %w", err)
	}
	if size < known {
		l.fatal = true
		l.fail(fmt.Errorf("audit resync: the store holds %d entries but %d were acknowledged", size, known))
		return l.broken
	}
	want, err := l.rng.GetRootHash(nil)
	if err != nil {
		return fmt.Errorf("audit resync: %w", err)
	}
	if known > 0 {
		got, err := l.rootAt(ctx, known)
		if err != nil {
			return fmt.Errorf("audit resync: reading the stored tree: %w", err)
		}
		if !bytes.Equal(got, want) {
			l.fatal = true
			l.fail(fmt.Errorf("audit resync: the stored tree of %d entries differs from the one this log built", known))
			return l.broken
		}
	}
	rng, err := l.rangeAt(ctx, size)
	if err != nil {
		return fmt.Errorf("audit resync: reading the stored tree: %w", err)
	}
	l.rng = rng
	l.size.Store(size)
	l.broken = nil
	l.health.Store(nil)
	l.opts.Logger.Info("audit log resynchronised with its store", "size", size, "taken_up", size-known)
	return nil
}

// errUnsynced is what an append gets while the log cannot write: the
// access fails closed, and the caller may retry later.
func errUnsynced(err error) error {
	return errors.Join(socle.Errorf(socle.EUNAVAILABLE, "the audit log is unavailable for now; retry later"), err)
}

// Err returns nil while the log writes normally, else why it cannot: its
// store failed and it has not resynchronised yet (readiness probes).
func (l *Log) Err() error {
	if p := l.health.Load(); p != nil {
		return *p
	}
	select {
	case <-l.done:
		return errClosed
	default:
	}
	return nil
}

func (l *Log) cpSize() uint64 {
	if cp := l.cp.Load(); cp != nil {
		return cp.Size
	}
	return 0
}

// checkpoint signs and stores a checkpoint of the current tree. Only the
// writer (or Open, before it starts) calls it.
func (l *Log) checkpoint(ctx context.Context) error {
	root, err := l.rng.GetRootHash(nil)
	if err != nil {
		return fmt.Errorf("audit tree root: %w", err)
	}
	if root == nil {
		root = rfc6962.DefaultHasher.EmptyRoot()
	}
	return l.storeCheckpoint(ctx, l.rng.End(), root)
}

// storeCheckpoint signs and stores a checkpoint of the tree of size
// entries whose root is root.
func (l *Log) storeCheckpoint(ctx context.Context, size uint64, root []byte) error {
	cp, err := signCheckpoint(l.signer, size, root)
	if err != nil {
		return err
	}
	if err := l.st.PutCheckpoint(ctx, cp.Size, cp.Note); err != nil {
		return fmt.Errorf("store audit checkpoint: %w", err)
	}
	l.cp.Store(&cp)
	l.cpTime = time.Now()
	l.wakeWitnesses()
	return nil
}

// checkpointLogged is checkpoint for the writer: the entries are already
// durable, so a failure is logged and the checkpoint retried later.
func (l *Log) checkpointLogged(ctx context.Context) {
	if l.broken != nil {
		return
	}
	if err := l.checkpoint(ctx); err != nil {
		l.opts.Logger.Error("audit checkpoint failed", "err", err)
	}
}

// Close is Shutdown with WitnessTimeout to get the last checkpoint
// witnessed.
func (l *Log) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), l.opts.WitnessTimeout)
	defer cancel()
	return l.Shutdown(ctx)
}

// Shutdown waits for every pending append, stops the writer, signs a last
// checkpoint and, when the log has witnesses, gets it cosigned before ctx
// is done: a server calls it when it stops, so that what it wrote is
// witnessed up to its last entry and a tail forged or cut off while it is
// stopped shows. It does not close the Storage; later calls return the
// first one's result.
func (l *Log) Shutdown(ctx context.Context) error {
	l.shutdownOnce.Do(func() { l.shutdownErr = l.shutdown(ctx) })
	return l.shutdownErr
}

func (l *Log) shutdown(ctx context.Context) error {
	l.quitOnce.Do(func() { close(l.quit) })
	<-l.done
	l.stopWitnesses()
	if l.witnessDone != nil {
		<-l.witnessDone
	}
	if l.broken != nil {
		// The writer has stopped: reading broken is safe.
		return l.broken
	}
	if l.shared != nil && !l.opts.Leader.Leading() {
		return nil // the leader signs what this process appended
	}
	cp := l.cp.Load()
	if cp == nil || cp.Size < l.size.Load() {
		return fmt.Errorf("close audit log: last checkpoint not stored")
	}
	if len(l.witnesses) > 0 {
		if w := l.witnessed.Load(); w == nil || w.Size < cp.Size {
			if err := l.witness(ctx, *cp); err != nil {
				// Logged too: a server's deferred close drops errors.
				l.opts.Logger.Error("audit checkpoint not witnessed at close", "size", cp.Size, "err", err)
				return fmt.Errorf("close audit log: %w", err)
			}
		}
	}
	return nil
}

// Size returns the number of durable entries.
func (l *Log) Size() uint64 {
	if l.shared != nil {
		return l.sharedSize()
	}
	return l.size.Load()
}

// Checkpoint returns the latest signed checkpoint. It lags the log by at
// most CheckpointEvery entries or CheckpointInterval.
func (l *Log) Checkpoint(ctx context.Context) (Checkpoint, error) {
	cp := l.cp.Load()
	if cp == nil {
		return Checkpoint{}, socle.Errorf(socle.ENOTFOUND, "Aucun point de contrôle.")
	}
	return *cp, nil
}
