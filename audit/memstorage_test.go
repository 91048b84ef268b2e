package audit

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
)

// memStorage is the Storage of this package's tests: it keeps copies in
// memory, durable for as long as the test runs, and lets a test rewrite
// the stored entries and checkpoints as an intruder with write access to
// the database would. The SQL stores run the same Log and Verify through
// store/storetest.
type memStorage struct {
	mu        sync.Mutex
	entries   []Record
	cps       []memNote
	witnessed []memNote
	closed    bool
}

type memNote struct {
	size uint64
	note []byte
}

var _ WitnessStorage = (*memStorage)(nil)

var errMemClosed = errors.New("storage closed")

func (s *memStorage) Size(ctx context.Context) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, errMemClosed
	}
	return uint64(len(s.entries)), nil
}

func (s *memStorage) AppendBatch(ctx context.Context, first uint64, records []Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errMemClosed
	}
	if first != uint64(len(s.entries)) {
		return fmt.Errorf("batch starts at %d but the log holds %d entries", first, len(s.entries))
	}
	for _, r := range records {
		s.entries = append(s.entries, Record{Leaf: slices.Clone(r.Leaf), Hashes: slices.Clone(r.Hashes)})
	}
	return nil
}

func (s *memStorage) ReadRange(ctx context.Context, from, to uint64, fn func(i uint64, r Record) error) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return errMemClosed
	}
	entries := s.entries
	s.mu.Unlock()
	for i := from; i < to; i++ {
		if i >= uint64(len(entries)) {
			return &CorruptError{Index: i, Err: errors.New("entry missing")}
		}
		if err := fn(i, entries[i]); err != nil {
			return err
		}
	}
	return nil
}

func (s *memStorage) ReadHashes(ctx context.Context, indexes []uint64) ([][]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errMemClosed
	}
	out := make([][]byte, len(indexes))
	for k, i := range indexes {
		if i >= uint64(len(s.entries)) {
			return nil, &CorruptError{Index: i, Err: errors.New("entry missing")}
		}
		out[k] = s.entries[i].Hashes
	}
	return out, nil
}

// PutCheckpoint drops a checkpoint smaller than the newest stored, as the
// SQL stores do for several signers.
func (s *memStorage) PutCheckpoint(ctx context.Context, size uint64, note []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errMemClosed
	}
	if n := len(s.cps); n == 0 || size >= s.cps[n-1].size {
		s.cps = append(s.cps, memNote{size, slices.Clone(note)})
	}
	return nil
}

func (s *memStorage) LatestCheckpoint(ctx context.Context) (uint64, []byte, error) {
	return s.latest(&s.cps)
}

func (s *memStorage) Checkpoints(ctx context.Context, fn func(size uint64, note []byte) error) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return errMemClosed
	}
	cps := slices.Clone(s.cps)
	s.mu.Unlock()
	for _, c := range cps {
		if err := fn(c.size, c.note); err != nil {
			return err
		}
	}
	return nil
}

func (s *memStorage) PutWitnessed(ctx context.Context, size uint64, note []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errMemClosed
	}
	s.witnessed = append(s.witnessed, memNote{size, slices.Clone(note)})
	return nil
}

func (s *memStorage) LatestWitnessed(ctx context.Context) (uint64, []byte, error) {
	return s.latest(&s.witnessed)
}

func (s *memStorage) latest(notes *[]memNote) (uint64, []byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, nil, errMemClosed
	}
	if len(*notes) == 0 {
		return 0, nil, nil
	}
	last := (*notes)[len(*notes)-1]
	return last.size, last.note, nil
}

// Close makes every later call fail, as a store that broke for good.
func (s *memStorage) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}

// entryPayloads returns every stored entry as one byte string (the count
// of its hashes, its hashes, its leaf), for a test to rewrite.
func (s *memStorage) entryPayloads() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([][]byte, len(s.entries))
	for i, r := range s.entries {
		out[i] = entryPayload(r)
	}
	return out
}

// setEntryPayloads replaces the stored entries by payloads.
func (s *memStorage) setEntryPayloads(t testing.TB, payloads [][]byte) {
	t.Helper()
	entries := make([]Record, len(payloads))
	for i, p := range payloads {
		r, err := parseEntry(p)
		if err != nil {
			t.Fatal(err)
		}
		entries[i] = r
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.entries = entries
}

// checkpointPayloads returns every stored checkpoint as one byte string
// (its size, little-endian, then its note), for a test to rewrite.
func (s *memStorage) checkpointPayloads() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([][]byte, len(s.cps))
	for i, c := range s.cps {
		out[i] = append(binary.LittleEndian.AppendUint64(nil, c.size), c.note...)
	}
	return out
}

// setCheckpointPayloads replaces the stored checkpoints by payloads.
func (s *memStorage) setCheckpointPayloads(t testing.TB, payloads [][]byte) {
	t.Helper()
	cps := make([]memNote, len(payloads))
	for i, p := range payloads {
		if len(p) < 8 {
			t.Fatalf("checkpoint payload %d: too short", i)
		}
		cps[i] = memNote{cpSizeOf(p), slices.Clone(p[8:])}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cps = cps
}

func entryPayload(r Record) []byte {
	return append(append([]byte{byte(len(r.Hashes) / hashSize)}, r.Hashes...), r.Leaf...)
}

func parseEntry(payload []byte) (Record, error) {
	nh := int(payload[0])
	if nh == 0 || 1+nh*hashSize > len(payload) {
		return Record{}, errors.New("bad entry hashes")
	}
	return Record{Hashes: slices.Clone(payload[1 : 1+nh*hashSize]), Leaf: slices.Clone(payload[1+nh*hashSize:])}, nil
}

func cpSizeOf(p []byte) uint64 { return binary.LittleEndian.Uint64(p) }
