package audit

import (
	"context"
	"testing"
	"time"
)

// BenchmarkAppend measures appends from many concurrent callers
// (group commit) on the in-memory test storage: the cost of the log
// itself, without the disk (socle bench audit measures it on SQLite).
func BenchmarkAppend(b *testing.B) {
	tl := openTestLog(b, Options{})
	ctx := context.Background()
	ev := testEvent(1)
	b.SetParallelism(256) // appenders per CPU, as many requests in flight
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := tl.log.Append(ctx, ev); err != nil {
				b.Error(err)
				return
			}
		}
	})
	elapsed := time.Since(start)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(tl.log.appended.Load())/float64(max(tl.log.batches.Load(), 1)), "events/batch")
}

// BenchmarkVerify measures Verify over a log of 2^20 realistic entries.
func BenchmarkVerify(b *testing.B) {
	const n = 1 << 20
	tl := openTestLog(b, Options{CheckpointEvery: 1 << 14, CheckpointInterval: time.Hour})
	ctx := context.Background()
	bodies := make([][]byte, 64)
	for k := range bodies {
		body, err := encodeEvent(testEvent(k))
		if err != nil {
			b.Fatal(err)
		}
		bodies[k] = body
	}
	// Fill through the writer in large batches: this is the real commit
	// path, only without waiting callers.
	batch := make([]*appendReq, 0, 1<<14)
	var w batchWriter
	for i := 0; i < n; i += cap(batch) {
		batch = batch[:0]
		for k := range cap(batch) {
			batch = append(batch, &appendReq{event: bodies[(i+k)%len(bodies)], done: make(chan appendRes, 1)})
		}
		tl.log.commit(ctx, &w, batch)
		if err := (<-batch[0].done).err; err != nil {
			b.Fatal(err)
		}
		if err := tl.log.checkpoint(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		rep, err := Verify(ctx, tl.st, tl.vkey, nil)
		if err != nil || !rep.OK || rep.Verified != n {
			b.Fatalf("Verify = %+v, %v", rep, err)
		}
	}
	b.ReportMetric(float64(b.N)*n/time.Since(start).Seconds(), "entries/s")
}

// slowStorage is a memStorage whose appends take as long as a disk's
// fsync, without using the CPU meanwhile.
type slowStorage struct {
	*memStorage
	commit time.Duration
}

func (s slowStorage) AppendBatch(ctx context.Context, first uint64, records []Record) error {
	time.Sleep(s.commit)
	return s.memStorage.AppendBatch(ctx, first, records)
}

// BenchmarkAppendSlowCommit is BenchmarkAppend over a storage whose
// commit takes 1 ms, as one fsync of a disk that takes 1,000 per second:
// the writer builds the next batch while the commit waits.
func BenchmarkAppendSlowCommit(b *testing.B) {
	tl := openTestLog(b, Options{})
	tl.log.Close()
	l, err := Open(context.Background(), slowStorage{tl.st, time.Millisecond}, tl.skey, Options{})
	if err != nil {
		b.Fatal(err)
	}
	tl.log = l
	ctx := context.Background()
	ev := testEvent(1)
	b.SetParallelism(256)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := l.Append(ctx, ev); err != nil {
				b.Error(err)
				return
			}
		}
	})
	elapsed := time.Since(start)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(l.appended.Load())/float64(max(l.batches.Load(), 1)), "events/batch")
}
