package audit

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/transparency-dev/merkle/compact"
)

// The writer of a log with its own storage is a two-stage pipeline: while
// the committer goroutine writes batch N durably (the storage's commit and
// fsync), the writer builds batch N+1 on top of it (leaf encoding, hashing,
// the Merkle tree), absorbing the appends that keep arriving until the
// committer is free. Only the committer answers an append, once the commit
// holding it has returned: nothing is acknowledged before it is durable. A
// batch built on a commit that failed is never written: the writer rolls
// the tree back to the last durable size, handles the failure as an
// unpipelined writer would (resynchronising from the stored tree when the
// store's size is unknown), then writes the discarded batch's appends
// again on what the store holds. A log shared by several processes
// (SequencedStorage) builds inside the storage's locked transaction and so
// is not pipelined.

// job is one batch on its way to the store.
type job struct {
	batch []*appendReq
	w     batchWriter
	// first is the index of the batch's first entry; before holds the
	// tree range's hashes at first, to roll back to if the batch is not
	// written.
	first  uint64
	before [][]byte
	// cp, when set, is the signed checkpoint of the tree just after the
	// batch, stored once the batch is durable.
	cp *Checkpoint
	// err is the storage's answer to the batch; cpErr to its checkpoint.
	err, cpErr error
}

// end is the size of the log once the batch is written.
func (j *job) end() uint64 { return j.first + uint64(len(j.batch)) }

// pipeline is the writer's state of the jobs in flight. Owned by the
// writer goroutine.
type pipeline struct {
	jobs    chan *job // to the committer; closed when the writer stops
	results chan *job // from the committer
	// inflight is with the committer; next is built on top of it, waiting.
	inflight, next *job
	free           []*job
	// build wakes the writer to build the appends waiting while a job is
	// written, every buildEvery.
	build *time.Timer
	// sentAt is when inflight was sent; lastWrite how long the last job
	// took to be written.
	sentAt    time.Time
	lastWrite time.Duration
	// cpPlanned is the size of the newest checkpoint signed for a job or
	// stored: the next job checkpoints CheckpointEvery entries after it.
	cpPlanned uint64
}

func (l *Log) newPipeline() *pipeline {
	p := &pipeline{jobs: make(chan *job, 1), results: make(chan *job, 1), cpPlanned: l.cpSize(), build: time.NewTimer(time.Hour)}
	p.build.Stop()
	for range 2 {
		p.free = append(p.free, &job{batch: make([]*appendReq, 0, l.opts.MaxBatch)})
	}
	return p
}

// buildEvery is how often the writer builds the appends that arrive while
// a job is written: twice per write, judging by the last one.
func (p *pipeline) buildEvery() time.Duration {
	return max(p.lastWrite/2, 50*time.Microsecond)
}

// idle reports whether no batch is in flight: the tree range is then the
// durable tree.
func (p *pipeline) idle() bool { return p.inflight == nil && p.next == nil }

func (p *pipeline) take() *job {
	j := p.free[len(p.free)-1]
	p.free = p.free[:len(p.free)-1]
	j.batch, j.cp, j.err, j.cpErr = j.batch[:0], nil, nil, nil
	return j
}

func (p *pipeline) put(j *job) {
	clear(j.batch) // the requests are answered: let them go
	p.free = append(p.free, j)
}

// commitLoop is the committer: it writes each job durably and, when the
// write succeeded, answers its appends and stores its checkpoint.
func (l *Log) commitLoop(ctx context.Context, p *pipeline) {
	for j := range p.jobs {
		j.err = l.st.AppendBatch(ctx, j.first, j.w.records)
		if j.err == nil {
			l.committed(j.batch, j.first)
			if j.cp != nil {
				if j.cpErr = l.st.PutCheckpoint(ctx, j.cp.Size, j.cp.Note); j.cpErr == nil {
					l.cp.Store(j.cp)
					l.wakeWitnesses()
				}
			}
		}
		p.results <- j
	}
}

// start begins a job with the appends of batch, built on the current end of
// the tree range.
func (l *Log) start(p *pipeline, batch []*appendReq) (*job, error) {
	j := p.take()
	j.first = l.rng.End()
	// A new slice each time: a rollback hands it to the tree range.
	j.before = slices.Clone(l.rng.Hashes())
	j.w.reset()
	if err := l.extend(j, batch); err != nil {
		return j, err
	}
	return j, nil
}

// extend builds the appends of batch onto job j, the last one built. On
// error j holds every append of batch, not all of them built.
func (l *Log) extend(j *job, batch []*appendReq) error {
	visit := func(_ compact.NodeID, h []byte) { j.w.hashes = append(j.w.hashes, h...) }
	for k, r := range batch {
		if err := j.w.appendLeaf(l, j.end(), r, visit); err != nil {
			j.batch = append(j.batch, batch[k:]...)
			return err
		}
		j.batch = append(j.batch, r)
	}
	return nil
}

// send hands job j, fully built, to the committer, with a signed
// checkpoint of the tree after it when one is due.
func (l *Log) send(p *pipeline, j *job) {
	j.w.fillRecords(j.batch)
	end := j.end()
	if end-p.cpPlanned >= l.opts.CheckpointEvery || time.Since(l.cpTime) >= l.opts.CheckpointInterval {
		root, err := l.rng.GetRootHash(nil)
		if err == nil {
			var cp Checkpoint
			if cp, err = signCheckpoint(l.signer, end, root); err == nil {
				j.cp = &cp
				p.cpPlanned = end
				l.cpTime = time.Now()
			}
		}
		if err != nil {
			l.opts.Logger.Error("audit checkpoint failed", "err", err)
		}
	}
	p.inflight = j
	p.sentAt = time.Now()
	p.build.Reset(p.buildEvery())
	p.jobs <- j
}

// absorb builds the appends waiting in l.reqs onto the next job, while
// one is written; buf is a buffer for them.
func (l *Log) absorb(ctx context.Context, p *pipeline, buf []*appendReq) {
	room := l.opts.MaxBatch
	if p.next != nil {
		room -= len(p.next.batch)
	}
	if batch := l.gatherUpTo(buf[:0], room); len(batch) > 0 {
		l.accept(ctx, p, batch)
	}
}

// dismiss rolls the tree back before job j and answers its appends with err.
func (l *Log) dismiss(p *pipeline, j *job, err error) {
	l.rng, _ = l.th.factory().NewRange(0, j.first, j.before)
	answer(j.batch, 0, err)
	p.put(j)
}

// accept takes the appends of batch into the pipeline: the committer is
// given them at once when it is free, else they join the batch built on top
// of the one it writes.
func (l *Log) accept(ctx context.Context, p *pipeline, batch []*appendReq) {
	if p.inflight == nil {
		if l.broken != nil {
			// Resynchronise first; the rare path needs no overlap.
			j := p.take()
			l.commitBatch(ctx, &j.w, batch, true)
			p.put(j)
			return
		}
		j, err := l.start(p, batch)
		if err != nil {
			l.fail(err)
			l.dismiss(p, j, errUnsynced(err))
			return
		}
		l.send(p, j)
		return
	}
	var err error
	if p.next == nil {
		p.next, err = l.start(p, batch)
	} else {
		err = l.extend(p.next, batch)
	}
	if err != nil {
		// A tree error: nothing of next is written.
		j := p.next
		p.next = nil
		l.fail(err)
		l.dismiss(p, j, errUnsynced(err))
		return
	}
	l.builtAhead.Add(uint64(len(batch)))
}

// finished handles the committer's answer for the job in flight: on
// success the checkpoint's outcome and the next job's start; on failure the
// rollback of the tree, the recovery of the unpipelined writer and the
// writing again of the next job's appends on what the store holds.
func (l *Log) finished(ctx context.Context, p *pipeline, j *job) {
	p.inflight = nil
	p.lastWrite = time.Since(p.sentAt)
	p.build.Stop()
	if j.err == nil {
		if j.cpErr != nil {
			l.opts.Logger.Error("audit checkpoint failed", "err", fmt.Errorf("store audit checkpoint: %w", j.cpErr))
			p.cpPlanned = l.cpSize()
		}
		p.put(j)
		if n := p.next; n != nil {
			p.next = nil
			l.send(p, n)
		}
		return
	}
	p.cpPlanned = l.cpSize()
	// Nothing built on the failed batch may be written: roll the tree back
	// to the durable size and keep only next's appends.
	var again []*appendReq
	if n := p.next; n != nil {
		p.next = nil
		again = slices.Clone(n.batch)
		p.put(n)
	}
	l.rng, _ = l.th.factory().NewRange(0, j.first, j.before)
	batch := slices.Clone(j.batch)
	p.put(j)
	w := p.take()
	l.appendFailed(ctx, &w.w, batch, j.first, j.err, true)
	if len(again) > 0 {
		l.commitBatch(ctx, &w.w, again, true)
	}
	p.put(w)
}

// drain waits for the jobs in flight, as when the writer stops.
func (l *Log) drain(ctx context.Context, p *pipeline) {
	for !p.idle() {
		l.finished(ctx, p, <-p.results)
	}
}
