package audit

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sync"

	"socle"
)

// FileLog is a Storage in append-only files of a directory: entries.log,
// checkpoints.log and witnessed.log (the checkpoints with their witness
// cosignatures, see WitnessStorage). Each file is a sequence of records
//
//	length (uint32, little endian) | payload | CRC-32C of payload (uint32, little endian)
//
// An entry's payload is the number of hashes (one byte), the hashes, then the
// leaf; a checkpoint's payload is the tree size (uint64, little endian) then
// the signed note. Every AppendBatch is one write and one fsync. On open a
// torn record at the end of a file (a write that was never acknowledged) is
// cut off; damage anywhere else is an error. Checkpoints live in their own
// file so that cutting entries off the end of the log leaves the checkpoints
// that prove they existed.
//
// A FileLog keeps the offset of every entry in memory (8 bytes per entry)
// and holds an exclusive lock on the directory's entries file, so only one
// process can use it at a time. It is safe for concurrent use.
type FileLog struct {
	wmu  sync.Mutex // serialises writers
	wbuf []byte

	mu      sync.RWMutex
	entries *os.File
	cps     *os.File
	offsets []int64 // offset of each entry record
	end     int64   // length of entries.log
	cpEnd   int64   // length of checkpoints.log
	cpSize  uint64  // size of the latest checkpoint
	cpNote  []byte  // the latest checkpoint, nil if none
	wit     *os.File
	witEnd  int64  // length of witnessed.log
	witSize uint64 // size of the latest witnessed checkpoint
	witNote []byte // the latest witnessed checkpoint, nil if none
	broken  error  // set when the files may no longer match what we know
}

var _ WitnessStorage = (*FileLog)(nil)

const (
	entriesFile     = "entries.log"
	checkpointsFile = "checkpoints.log"
	witnessedFile   = "witnessed.log"
	maxRecord       = 16 << 20
	readBuffer      = 1 << 20
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// OpenFileLog opens the file log in directory dir, creating it if needed.
func OpenFileLog(dir string) (*FileLog, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open audit log: %w", err)
	}
	l := &FileLog{}
	var err error
	if l.entries, err = openAppendFile(filepath.Join(dir, entriesFile)); err != nil {
		return nil, err
	}
	if err := lockFile(l.entries); err != nil {
		l.entries.Close()
		return nil, fmt.Errorf("open audit log %s: %w", dir, err)
	}
	if l.cps, err = openAppendFile(filepath.Join(dir, checkpointsFile)); err != nil {
		l.entries.Close()
		return nil, err
	}
	if l.wit, err = openAppendFile(filepath.Join(dir, witnessedFile)); err != nil {
		l.cps.Close()
		l.entries.Close()
		return nil, err
	}
	if err := syncDir(dir); err != nil {
		l.Close()
		return nil, err
	}
	if err := l.load(); err != nil {
		l.Close()
		return nil, fmt.Errorf("open audit log %s: %w", dir, err)
	}
	return l, nil
}

func openAppendFile(name string) (*os.File, error) {
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open audit log: %w", err)
	}
	return f, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync audit log directory: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync audit log directory: %w", err)
	}
	return nil
}

// load scans both files, builds the entry offsets and finds the latest
// checkpoint, cutting off torn records at their ends.
func (l *FileLog) load() error {
	end, err := scanFile(l.entries, func(off int64, payload []byte) error {
		if _, err := parseEntry(payload); err != nil {
			return err
		}
		l.offsets = append(l.offsets, off)
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s (entry %d): %w", entriesFile, len(l.offsets), err)
	}
	l.end = end
	l.cpEnd, err = scanFile(l.cps, func(_ int64, payload []byte) error {
		size, msg, err := parseCheckpoint(payload)
		if err != nil {
			return err
		}
		l.cpSize, l.cpNote = size, append(l.cpNote[:0], msg...)
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: %w", checkpointsFile, err)
	}
	l.witEnd, err = scanFile(l.wit, func(_ int64, payload []byte) error {
		size, msg, err := parseCheckpoint(payload)
		if err != nil {
			return err
		}
		l.witSize, l.witNote = size, append(l.witNote[:0], msg...)
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: %w", witnessedFile, err)
	}
	return nil
}

// scanFile reads every record of f, truncating a torn last record, and
// returns the length of the valid part.
func scanFile(f *os.File, fn func(off int64, payload []byte) error) (int64, error) {
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	size := fi.Size()
	rr := newRecordReader(io.NewSectionReader(f, 0, size), 0, size)
	for {
		off := rr.off
		payload, err := rr.next()
		if err == io.EOF {
			return off, nil
		}
		if err == nil {
			err = fn(off, payload)
		}
		if err == nil {
			continue
		}
		var fe *framingError
		if !errors.As(err, &fe) {
			return 0, err
		}
		torn, terr := isTornTail(f, off, size)
		if terr != nil {
			return 0, terr
		}
		if !torn {
			return 0, fmt.Errorf("record at offset %d: %w", off, err)
		}
		if err := f.Truncate(off); err != nil {
			return 0, fmt.Errorf("cut torn record: %w", err)
		}
		if err := f.Sync(); err != nil {
			return 0, fmt.Errorf("cut torn record: %w", err)
		}
		return off, nil
	}
}

// isTornTail reports whether the bad record at off is the remains of an
// interrupted last write: it runs to (or past) the end of the file, or
// everything from off on is zero (space allocated but never written).
func isTornTail(f *os.File, off, size int64) (bool, error) {
	var hdr [4]byte
	if size-off < 4 {
		return true, nil
	}
	if _, err := f.ReadAt(hdr[:], off); err != nil {
		return false, fmt.Errorf("read record header: %w", err)
	}
	n := int64(binary.LittleEndian.Uint32(hdr[:]))
	if n > 0 && n <= maxRecord && off+8+n >= size {
		return true, nil
	}
	buf := make([]byte, 64<<10)
	for pos := off; pos < size; {
		k, err := f.ReadAt(buf[:min(int64(len(buf)), size-pos)], pos)
		for _, b := range buf[:k] {
			if b != 0 {
				return false, nil
			}
		}
		if err != nil && err != io.EOF {
			return false, fmt.Errorf("read torn tail: %w", err)
		}
		pos += int64(k)
	}
	return true, nil
}

// framingError is a record that cannot be read: bad length, short or
// checksum mismatch.
type framingError struct{ msg string }

func (e *framingError) Error() string { return e.msg }

// recordReader reads records sequentially with one buffer; the payload
// it returns is valid until the next call.
type recordReader struct {
	r       *bufio.Reader
	off     int64
	scratch []byte
}

func newRecordReader(r io.Reader, off, length int64) *recordReader {
	return &recordReader{r: bufio.NewReaderSize(r, int(min(max(length, 16), readBuffer))), off: off}
}

func (rr *recordReader) next() ([]byte, error) {
	hdr, err := rr.r.Peek(4)
	if err != nil {
		if len(hdr) == 0 && err == io.EOF {
			return nil, io.EOF
		}
		if err == io.EOF {
			return nil, &framingError{"short record header"}
		}
		return nil, err
	}
	n := int(binary.LittleEndian.Uint32(hdr))
	if n == 0 || n > maxRecord {
		return nil, &framingError{fmt.Sprintf("bad record length %d", n)}
	}
	total := 4 + n + 4
	var rec []byte
	if total <= rr.r.Size() {
		rec, err = rr.r.Peek(total)
		if err == nil {
			_, err = rr.r.Discard(total)
		}
	} else {
		if cap(rr.scratch) < total {
			rr.scratch = make([]byte, total)
		}
		rec = rr.scratch[:total]
		_, err = io.ReadFull(rr.r, rec)
	}
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return nil, &framingError{"short record"}
	} else if err != nil {
		return nil, err
	}
	payload := rec[4 : 4+n]
	if crc32.Checksum(payload, castagnoli) != binary.LittleEndian.Uint32(rec[4+n:]) {
		return nil, &framingError{"checksum mismatch"}
	}
	rr.off += int64(total)
	return payload, nil
}

func appendRecord(dst, payload []byte) []byte {
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(payload)))
	dst = append(dst, payload...)
	return binary.LittleEndian.AppendUint32(dst, crc32.Checksum(payload, castagnoli))
}

// appendEntryRecord appends the record of r to dst without an intermediate
// payload buffer.
func appendEntryRecord(dst []byte, r Record) []byte {
	n := 1 + len(r.Hashes) + len(r.Leaf)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(n))
	start := len(dst)
	dst = append(dst, byte(len(r.Hashes)/hashSize))
	dst = append(dst, r.Hashes...)
	dst = append(dst, r.Leaf...)
	return binary.LittleEndian.AppendUint32(dst, crc32.Checksum(dst[start:], castagnoli))
}

func parseEntry(payload []byte) (Record, error) {
	nh := int(payload[0])
	if nh == 0 || 1+nh*hashSize > len(payload) {
		return Record{}, &framingError{"bad entry hashes"}
	}
	return Record{Hashes: payload[1 : 1+nh*hashSize], Leaf: payload[1+nh*hashSize:]}, nil
}

func parseCheckpoint(payload []byte) (uint64, []byte, error) {
	if len(payload) < 8 {
		return 0, nil, &framingError{"short checkpoint"}
	}
	return binary.LittleEndian.Uint64(payload), payload[8:], nil
}

// Size implements Storage.
func (l *FileLog) Size(ctx context.Context) (uint64, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return uint64(len(l.offsets)), l.broken
}

// AppendBatch implements Storage with one write and one fsync.
func (l *FileLog) AppendBatch(ctx context.Context, first uint64, records []Record) error {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	l.mu.RLock()
	size, end, broken := uint64(len(l.offsets)), l.end, l.broken
	l.mu.RUnlock()
	if broken != nil {
		return broken
	}
	if first != size {
		return socle.Errorf(socle.ECONFLICT, "Audit log append at %d, size is %d.", first, size)
	}
	buf := l.wbuf[:0]
	offs := make([]int64, len(records))
	for i, r := range records {
		if len(r.Hashes) == 0 || len(r.Hashes)%hashSize != 0 || len(r.Hashes)/hashSize > 255 {
			return fmt.Errorf("append audit entry %d: bad hashes length %d", first+uint64(i), len(r.Hashes))
		}
		offs[i] = end + int64(len(buf))
		buf = appendEntryRecord(buf, r)
	}
	if cap(buf) <= 64<<20 {
		l.wbuf = buf
	}
	if err := l.write(l.entries, buf, end); err != nil {
		return fmt.Errorf("append audit entries %d-%d: %w", first, first+uint64(len(records)), err)
	}
	l.mu.Lock()
	l.offsets = append(l.offsets, offs...)
	l.end = end + int64(len(buf))
	l.mu.Unlock()
	return nil
}

// write writes buf at off and syncs. A failed write is undone; a failed
// undo or fsync breaks the log for good, since the file's content is then
// unknown.
func (l *FileLog) write(f *os.File, buf []byte, off int64) error {
	if _, err := f.WriteAt(buf, off); err != nil {
		if terr := f.Truncate(off); terr != nil {
			l.setBroken(fmt.Errorf("audit log unusable after failed write: %w", terr))
		}
		return err
	}
	if err := f.Sync(); err != nil {
		l.setBroken(fmt.Errorf("audit log unusable after failed fsync: %w", err))
		return err
	}
	return nil
}

func (l *FileLog) setBroken(err error) {
	l.mu.Lock()
	l.broken = err
	l.mu.Unlock()
}

// ReadRange implements Storage.
func (l *FileLog) ReadRange(ctx context.Context, from, to uint64, fn func(i uint64, r Record) error) error {
	l.mu.RLock()
	size := uint64(len(l.offsets))
	if from > to || to > size {
		l.mu.RUnlock()
		return socle.Errorf(socle.ENOTFOUND, "Audit entries %d-%d out of range (size %d).", from, to, size)
	}
	if from == to {
		l.mu.RUnlock()
		return nil
	}
	start, end := l.offsets[from], l.end
	if to < size {
		end = l.offsets[to]
	}
	l.mu.RUnlock()
	rr := newRecordReader(io.NewSectionReader(l.entries, start, end-start), start, end-start)
	for i := from; i < to; i++ {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		payload, err := rr.next()
		if err == io.EOF {
			err = &framingError{"missing record"}
		}
		var r Record
		if err == nil {
			r, err = parseEntry(payload)
		}
		if err != nil {
			var fe *framingError
			if errors.As(err, &fe) {
				return &CorruptError{Index: i, Err: err}
			}
			return fmt.Errorf("read audit entry %d: %w", i, err)
		}
		if err := fn(i, r); err != nil {
			return err
		}
	}
	return nil
}

// ReadHashes implements Storage.
func (l *FileLog) ReadHashes(ctx context.Context, indexes []uint64) ([][]byte, error) {
	offs := make([]int64, len(indexes))
	l.mu.RLock()
	for k, i := range indexes {
		if i >= uint64(len(l.offsets)) {
			l.mu.RUnlock()
			return nil, socle.Errorf(socle.ENOTFOUND, "Audit entry %d not found.", i)
		}
		offs[k] = l.offsets[i]
	}
	l.mu.RUnlock()
	out := make([][]byte, len(indexes))
	var hdr [5]byte
	for k, off := range offs {
		if _, err := l.entries.ReadAt(hdr[:], off); err != nil {
			return nil, fmt.Errorf("read audit hashes of entry %d: %w", indexes[k], err)
		}
		nh := int(hdr[4])
		if n := int(binary.LittleEndian.Uint32(hdr[:])); nh == 0 || 1+nh*hashSize > n {
			return nil, &CorruptError{Index: indexes[k], Err: &framingError{"bad entry hashes"}}
		}
		out[k] = make([]byte, nh*hashSize)
		if _, err := l.entries.ReadAt(out[k], off+5); err != nil {
			return nil, fmt.Errorf("read audit hashes of entry %d: %w", indexes[k], err)
		}
	}
	return out, nil
}

// PutCheckpoint implements Storage.
func (l *FileLog) PutCheckpoint(ctx context.Context, size uint64, note []byte) error {
	return l.putCheckpoint(l.cps, &l.cpEnd, &l.cpSize, &l.cpNote, size, note)
}

// PutWitnessed implements WitnessStorage.
func (l *FileLog) PutWitnessed(ctx context.Context, size uint64, note []byte) error {
	return l.putCheckpoint(l.wit, &l.witEnd, &l.witSize, &l.witNote, size, note)
}

// LatestWitnessed implements WitnessStorage.
func (l *FileLog) LatestWitnessed(ctx context.Context) (uint64, []byte, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.witNote == nil {
		return 0, nil, nil
	}
	return l.witSize, append([]byte(nil), l.witNote...), nil
}

// putCheckpoint appends a checkpoint record to f, whose length, latest
// size and latest note l.mu guards.
func (l *FileLog) putCheckpoint(f *os.File, fileEnd *int64, latestSize *uint64, latestNote *[]byte, size uint64, note []byte) error {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	l.mu.RLock()
	end, broken := *fileEnd, l.broken
	l.mu.RUnlock()
	if broken != nil {
		return broken
	}
	payload := binary.LittleEndian.AppendUint64(make([]byte, 0, 8+len(note)), size)
	payload = append(payload, note...)
	buf := appendRecord(nil, payload)
	if err := l.write(f, buf, end); err != nil {
		return fmt.Errorf("store audit checkpoint %d: %w", size, err)
	}
	l.mu.Lock()
	*fileEnd = end + int64(len(buf))
	*latestSize, *latestNote = size, payload[8:]
	l.mu.Unlock()
	return nil
}

// LatestCheckpoint implements Storage.
func (l *FileLog) LatestCheckpoint(ctx context.Context) (uint64, []byte, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.cpNote == nil {
		return 0, nil, nil
	}
	return l.cpSize, append([]byte(nil), l.cpNote...), nil
}

// Checkpoints implements Storage.
func (l *FileLog) Checkpoints(ctx context.Context, fn func(size uint64, note []byte) error) error {
	l.mu.RLock()
	end := l.cpEnd
	l.mu.RUnlock()
	rr := newRecordReader(io.NewSectionReader(l.cps, 0, end), 0, end)
	for {
		payload, err := rr.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read audit checkpoint at offset %d: %w", rr.off, err)
		}
		size, msg, err := parseCheckpoint(payload)
		if err != nil {
			return fmt.Errorf("read audit checkpoint at offset %d: %w", rr.off, err)
		}
		if err := fn(size, msg); err != nil {
			return err
		}
	}
}

// Close closes the files. Everything appended is already durable.
func (l *FileLog) Close() error {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	var errs []error
	if l.wit != nil {
		errs = append(errs, l.wit.Close())
	}
	if l.cps != nil {
		errs = append(errs, l.cps.Close())
	}
	if l.entries != nil {
		errs = append(errs, l.entries.Close())
	}
	l.setBroken(errors.New("audit log closed"))
	return errors.Join(errs...)
}
