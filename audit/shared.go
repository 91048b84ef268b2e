package audit

import (
	"context"
	"fmt"
	"time"
)

// SequencedStorage is a Storage that several processes append to at once:
// the servers behind a load balancer that share one PostgreSQL. The
// database sequences their appends, so the tree never forks: each batch is
// built on the exact end of the log, under the log's append lock.
type SequencedStorage interface {
	Storage
	// AppendSequenced, in one transaction holding the log's exclusive append
	// lock (shared by every process), reads the number of entries n, calls
	// build(n) for the records to store as entries n, n+1, …, stores them
	// and commits. It returns n. When it returns nil the records survive a
	// crash; when it returns an error they may or may not be stored, and
	// the caller must not act on them. build may read entries below n
	// through the Storage: they are committed.
	AppendSequenced(ctx context.Context, build func(size uint64) ([]Record, error)) (first uint64, err error)
}

// Leader tells a shared log whether this process is the one that signs
// checkpoints. A PostgreSQL advisory lock held on its own connection
// implements it (store/postgres.Lease). Two processes that both believe
// they lead for a moment, as when a lock holder's connection died but the
// process has not noticed yet, sign checkpoints of the same tree: the
// stored checkpoints stay consistent, only redundant.
type Leader interface {
	Leading() bool
}

// sharedRefresh is how often a follower reloads the latest checkpoint that
// the leader stored, and a leader checks whether the log grew.
const sharedRefresh = time.Second

// commitShared makes batch durable through the storage's sequencer: the
// tree range is re-read from the store whenever another process appended
// since this one last did, then the batch is hashed onto the exact end of
// the log inside the locked transaction. A failure is answered to the batch
// and leaves nothing to repair: the next batch starts from the stored tree.
func (l *Log) commitShared(ctx context.Context, w *batchWriter, batch []*appendReq) {
	first, err := l.shared.AppendSequenced(ctx, func(size uint64) ([]Record, error) {
		if l.rng == nil || l.rng.End() != size {
			rng, err := l.rangeAt(ctx, size)
			if err != nil {
				return nil, err
			}
			l.rng = rng
		}
		if err := l.buildRecords(w, size, batch); err != nil {
			return nil, err
		}
		return w.records, nil
	})
	if err != nil {
		// The range may hold leaves that are not stored.
		l.rng = nil
		answer(batch, 0, fmt.Errorf("audit append: %w", err))
		return
	}
	l.committed(batch, first)
}

// tickShared runs every sharedRefresh in a shared log. The leader signs a
// checkpoint of the whole stored log, whoever appended it, once it grew by
// CheckpointEvery entries or CheckpointInterval passed; a follower reloads
// the checkpoint the leader stored.
func (l *Log) tickShared(ctx context.Context) {
	if err := l.checkpointShared(ctx, false); err != nil {
		l.opts.Logger.Error("audit checkpoint failed", "err", err)
	}
}

// checkpointShared is tickShared; force signs whenever the log grew.
func (l *Log) checkpointShared(ctx context.Context, force bool) error {
	if err := l.refreshShared(ctx); err != nil {
		return err
	}
	if !l.opts.Leader.Leading() {
		return nil
	}
	size, err := l.st.Size(ctx)
	if err != nil {
		return fmt.Errorf("audit size: %w", err)
	}
	cpSize := l.cpSize()
	due := size-cpSize >= l.opts.CheckpointEvery || time.Since(l.cpTime) >= l.opts.CheckpointInterval
	if size <= cpSize || !due && !force {
		return nil
	}
	root, err := l.rootAt(ctx, size)
	if err != nil {
		return fmt.Errorf("audit tree root at %d: %w", size, err)
	}
	if err := l.storeCheckpoint(ctx, size, root); err != nil {
		return err
	}
	if size > l.size.Load() {
		l.size.Store(size)
	}
	return nil
}

// refreshShared loads the latest stored checkpoint, which another process
// may have signed, checking its signature.
func (l *Log) refreshShared(ctx context.Context) error {
	size, msg, err := l.st.LatestCheckpoint(ctx)
	if err != nil || msg == nil {
		return err
	}
	if cp := l.cp.Load(); cp != nil && cp.Size >= size {
		return nil
	}
	cp, err := OpenCheckpoint(msg, l.verifier)
	if err != nil || cp.Size != size {
		return fmt.Errorf("latest audit checkpoint %d: not signed by this key or wrong size: %v", size, err)
	}
	l.cp.Store(&cp)
	if size > l.size.Load() {
		l.size.Store(size)
	}
	return nil
}

// sharedSize is Size for a shared log: the stored size, since other
// processes append too.
func (l *Log) sharedSize() uint64 {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if n, err := l.st.Size(ctx); err == nil {
		for {
			old := l.size.Load()
			if n <= old || l.size.CompareAndSwap(old, n) {
				break
			}
		}
	}
	return l.size.Load()
}
