package audit

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/transparency-dev/merkle/compact"

	"socle"
)

// testEvent returns a realistic event numbered n.
func testEvent(n int) socle.AuditEvent {
	return socle.AuditEvent{
		Time:           time.Date(2025, 3, 2, 9, 30, 0, n*1000, time.FixedZone("CET", 3600)),
		RequestID:      fmt.Sprintf("req-%08d", n),
		AgentID:        "agt-01HZX4K9Q2",
		OrganisationID: "org-ml-lyon",
		Action:         "read",
		ResourceKind:   "person",
		ResourceID:     fmt.Sprintf("per-%06d", n%1000),
		PersonRef:      PersonRef([]byte("test key"), fmt.Sprintf("per-%06d", n%1000)),
		Categories:     "identity,contact,parcours",
		Purpose:        "accompagnement",
		Allowed:        n%7 != 0,
		Explanation:    "Mission Locale de Lyon suit cette personne depuis le 2 mars 2025.",
		Facts: []socle.Fact{{
			Kind:   "followup",
			Detail: map[string]string{"organisation_id": "org-ml-lyon", "since": "2025-03-02"},
			Text:   "Mission Locale de Lyon suit cette personne depuis le 2 mars 2025.",
		}},
		RemoteAddr: "10.1.2.3",
		Records:    1,
	}
}

type testLog struct {
	dir    string
	fl     *FileLog
	log    *Log
	skey   string
	vkey   string
	closed bool
}

// openTestLog opens a file log in a new directory and a Log over it.
func openTestLog(t testing.TB, opts Options) *testLog {
	t.Helper()
	skey, vkey, err := GenerateKey("socle.test/audit")
	if err != nil {
		t.Fatal(err)
	}
	tl := &testLog{dir: t.TempDir(), skey: skey, vkey: vkey}
	tl.reopen(t, opts)
	t.Cleanup(func() { tl.close(t) })
	return tl
}

func (tl *testLog) reopen(t testing.TB, opts Options) {
	t.Helper()
	fl, err := OpenFileLog(tl.dir)
	if err != nil {
		t.Fatal(err)
	}
	l, err := Open(context.Background(), fl, tl.skey, opts)
	if err != nil {
		fl.Close()
		t.Fatal(err)
	}
	tl.fl, tl.log, tl.closed = fl, l, false
}

func (tl *testLog) close(t testing.TB) {
	t.Helper()
	if tl.closed {
		return
	}
	tl.closed = true
	if err := tl.log.Close(); err != nil {
		t.Error(err)
	}
	if err := tl.fl.Close(); err != nil {
		t.Error(err)
	}
}

// appendN appends events from..to-1 one by one, so that each is its own
// batch and checkpoints fall at multiples of CheckpointEvery.
func (tl *testLog) appendN(t testing.TB, from, to int) {
	t.Helper()
	for n := from; n < to; n++ {
		i, err := tl.log.AppendIndex(context.Background(), testEvent(n))
		if err != nil {
			t.Fatal(err)
		}
		if i != uint64(n) {
			t.Fatalf("event %d got index %d", n, i)
		}
	}
}

// readPayloads returns the payloads of every record of a log file.
func readPayloads(t testing.TB, name string) [][]byte {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	rr := newRecordReader(f, 0, fi.Size())
	var out [][]byte
	for {
		p, err := rr.next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, append([]byte(nil), p...))
	}
}

// writePayloads rewrites a log file with valid framing, as an attacker
// who knows the format would.
func writePayloads(t testing.TB, name string, payloads [][]byte) {
	t.Helper()
	var buf []byte
	for _, p := range payloads {
		buf = appendRecord(buf, p)
	}
	if err := os.WriteFile(name, buf, 0o600); err != nil {
		t.Fatal(err)
	}
}

func entryPayload(r Record) []byte {
	return append(append([]byte{byte(len(r.Hashes) / hashSize)}, r.Hashes...), r.Leaf...)
}

// rehashAll rebuilds every entry's stored hashes from its leaf, as an
// attacker rewriting history consistently would.
func rehashAll(t testing.TB, payloads [][]byte) [][]byte {
	t.Helper()
	th := newTreeHasher()
	rng := th.factory().NewEmptyRange(0)
	out := make([][]byte, len(payloads))
	for i, p := range payloads {
		r, err := parseEntry(p)
		if err != nil {
			t.Fatal(err)
		}
		var hashes []byte
		if err := rng.Append(th.leaf(r.Leaf), func(_ compact.NodeID, h []byte) { hashes = append(hashes, h...) }); err != nil {
			t.Fatal(err)
		}
		out[i] = entryPayload(Record{Leaf: r.Leaf, Hashes: hashes})
	}
	return out
}

func entriesPath(dir string) string     { return filepath.Join(dir, entriesFile) }
func checkpointsPath(dir string) string { return filepath.Join(dir, checkpointsFile) }

func cpSizeOf(p []byte) uint64 { return binary.LittleEndian.Uint64(p) }

// verify opens the closed log's files again and verifies them.
func (tl *testLog) verify(t testing.TB) Report {
	t.Helper()
	fl, err := OpenFileLog(tl.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer fl.Close()
	rep, err := Verify(context.Background(), fl, tl.vkey, nil)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}
