package audit

import (
	"context"
	"fmt"
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
	st     *memStorage // kept across reopen, as a database is
	log    *Log
	skey   string
	vkey   string
	closed bool
}

// openTestLog opens a Log over a new memStorage.
func openTestLog(t testing.TB, opts Options) *testLog {
	t.Helper()
	skey, vkey, err := GenerateKey("socle.test/audit")
	if err != nil {
		t.Fatal(err)
	}
	tl := &testLog{st: &memStorage{}, skey: skey, vkey: vkey}
	tl.reopen(t, opts)
	t.Cleanup(func() { tl.close(t) })
	return tl
}

func (tl *testLog) reopen(t testing.TB, opts Options) {
	t.Helper()
	l, err := Open(context.Background(), tl.st, tl.skey, opts)
	if err != nil {
		t.Fatal(err)
	}
	tl.log, tl.closed = l, false
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

// verify verifies the closed log's storage.
func (tl *testLog) verify(t testing.TB) Report {
	t.Helper()
	rep, err := Verify(context.Background(), tl.st, tl.vkey, nil)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}
