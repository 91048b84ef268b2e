package audit

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"socle"
)

// outageStorage is a memStorage behind a database link that can go
// down: while down, every call fails; lostAck makes the next append commit
// and then report a failure, as when the connection drops before the
// commit's answer arrives.
type outageStorage struct {
	*memStorage
	down, lostAck atomic.Bool
}

var errLinkDown = errors.New("connection refused")

func (s *outageStorage) Size(ctx context.Context) (uint64, error) {
	if s.down.Load() {
		return 0, errLinkDown
	}
	return s.memStorage.Size(ctx)
}

func (s *outageStorage) AppendBatch(ctx context.Context, first uint64, records []Record) error {
	if s.down.Load() {
		return errLinkDown
	}
	if s.lostAck.Load() {
		if err := s.memStorage.AppendBatch(ctx, first, records); err != nil {
			return err
		}
		s.down.Store(true)
		return errors.New("unexpected EOF")
	}
	return s.memStorage.AppendBatch(ctx, first, records)
}

func (s *outageStorage) ReadHashes(ctx context.Context, indexes []uint64) ([][]byte, error) {
	if s.down.Load() {
		return nil, errLinkDown
	}
	return s.memStorage.ReadHashes(ctx, indexes)
}

// reopenOver reopens the log of tl over st, retrying resync every 10 ms,
// and appends events 0 to 2.
func reopenOver(t *testing.T, tl *testLog, st Storage) *Log {
	t.Helper()
	tl.log.Close()
	l, err := Open(context.Background(), st, tl.skey, Options{ResyncInterval: 10 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	tl.log = l
	for n := range 3 {
		if err := l.Append(context.Background(), testEvent(n)); err != nil {
			t.Fatal(err)
		}
	}
	return l
}

// TestResumesAfterOutage: a batch whose commit went through but whose
// answer was lost, then an outage; the log refuses appends (unavailable,
// not ready), and once the store is back it takes up the stored tree by
// itself, without an append to trigger it, and goes on.
func TestResumesAfterOutage(t *testing.T) {
	ctx := context.Background()
	tl := openTestLog(t, Options{})
	st := &outageStorage{memStorage: tl.st}
	l := reopenOver(t, tl, st)
	st.lostAck.Store(true)
	if err := l.Append(ctx, testEvent(3)); socle.ErrorCode(err) != socle.EUNAVAILABLE {
		t.Fatalf("append whose answer was lost: %v, want unavailable", err)
	}
	st.lostAck.Store(false)
	if err := l.Append(ctx, testEvent(4)); socle.ErrorCode(err) != socle.EUNAVAILABLE {
		t.Fatalf("append during the outage: %v, want unavailable", err)
	}
	if l.Err() == nil {
		t.Fatal("Err() is nil during the outage")
	}
	st.down.Store(false)
	deadline := time.Now().Add(5 * time.Second)
	for l.Err() != nil {
		if time.Now().After(deadline) {
			t.Fatalf("the log did not resynchronise: %v", l.Err())
		}
		time.Sleep(5 * time.Millisecond)
	}
	// The lost-answer batch is in the store: the log appends after it.
	i, err := l.AppendIndex(ctx, testEvent(5))
	if err != nil || i != 4 {
		t.Fatalf("append after the outage = %d, %v; want index 4", i, err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	rep, err := Verify(ctx, tl.st, tl.vkey, nil)
	if err != nil || !rep.OK || rep.Size != 5 {
		t.Fatalf("Verify = %+v, %v", rep, err)
	}
}

// shrunkStorage reports fewer entries than were acknowledged.
type shrunkStorage struct {
	*outageStorage
	shrunk atomic.Bool
}

func (s *shrunkStorage) Size(ctx context.Context) (uint64, error) {
	n, err := s.outageStorage.Size(ctx)
	if s.shrunk.Load() && err == nil && n > 0 {
		n--
	}
	return n, err
}

// TestResyncRefusesALostEntry: a store that comes back without an
// acknowledged entry is not taken up; the log stays stopped.
func TestResyncRefusesALostEntry(t *testing.T) {
	ctx := context.Background()
	tl := openTestLog(t, Options{})
	st := &shrunkStorage{outageStorage: &outageStorage{memStorage: tl.st}}
	l := reopenOver(t, tl, st)
	st.down.Store(true)
	if err := l.Append(ctx, testEvent(3)); err == nil {
		t.Fatal("append during the outage succeeded")
	}
	st.shrunk.Store(true)
	st.down.Store(false)
	time.Sleep(50 * time.Millisecond)
	if err := l.Append(ctx, testEvent(4)); socle.ErrorCode(err) != socle.EUNAVAILABLE {
		t.Fatalf("append over a store that lost an entry: %v, want unavailable", err)
	}
	if l.Err() == nil {
		t.Fatal("Err() is nil over a store that lost an entry")
	}
	tl.closed = true
	if err := l.Close(); err == nil {
		t.Fatal("Close reported no error")
	}
	tl.st.Close()
}
