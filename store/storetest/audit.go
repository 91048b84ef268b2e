package storetest

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"socle"
	"socle/audit"
)

// AuditSearcher searches the journal des accès through its index.
type AuditSearcher interface {
	AuditSearch(ctx context.Context, q socle.AuditQuery) ([]socle.AuditHit, error)
}

// RunAudit runs the audit storage suite. open returns, for each subtest, the
// audit storage of a new, empty, migrated store and its searcher.
func RunAudit(t *testing.T, open func(t *testing.T) (audit.Storage, AuditSearcher)) {
	tests := []struct {
		name string
		fn   func(t *testing.T, st audit.Storage, s AuditSearcher)
	}{
		{"AppendAndRead", testAuditAppendRead},
		{"AppendRejectsWrongFirst", testAuditWrongFirst},
		{"Checkpoints", testAuditCheckpoints},
		{"LogAndVerify", testAuditLogVerify},
		{"SharedLogsDoNotFork", testAuditSharedLogs},
		{"Search", testAuditSearch},
		{"SearchAcrossBlocks", testAuditSearchBlocks},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, s := open(t)
			tt.fn(t, st, s)
		})
	}
}

// auditLeaf returns a canonical leaf of entry i, as package audit writes
// them, so that the store can index it.
func auditLeaf(i uint64) []byte {
	return fmt.Appendf(nil, `{"v":1,"index":%d,"event":{"time":"2025-03-02T09:30:%02dZ","agent_id":"agt_%d","organisation_id":"org_1","action":"read","person_ref":"p%d","purpose":"accompagnement","allowed":true,"records":1}}`, i, i%60, i%3, i%4099)
}

func auditRecords(first uint64, n int) []audit.Record {
	rs := make([]audit.Record, n)
	for k := range rs {
		i := first + uint64(k)
		rs[k] = audit.Record{Leaf: auditLeaf(i), Hashes: bytes.Repeat([]byte{byte(i)}, 32)}
	}
	return rs
}

func testAuditAppendRead(t *testing.T, st audit.Storage, _ AuditSearcher) {
	ctx := context.Background()
	size, err := st.Size(ctx)
	must(t, err)
	if size != 0 {
		t.Fatalf("empty log Size = %d", size)
	}
	must(t, st.AppendBatch(ctx, 0, auditRecords(0, 3)))
	must(t, st.AppendBatch(ctx, 3, auditRecords(3, 1)))
	must(t, st.AppendBatch(ctx, 4, auditRecords(4, 600))) // more than one multi-row insert
	if size, err = st.Size(ctx); err != nil || size != 604 {
		t.Fatalf("Size = %d, %v; want 604", size, err)
	}
	var got []uint64
	err = st.ReadRange(ctx, 2, 7, func(i uint64, r audit.Record) error {
		if !bytes.Equal(r.Leaf, auditLeaf(i)) || !bytes.Equal(r.Hashes, bytes.Repeat([]byte{byte(i)}, 32)) {
			t.Errorf("entry %d read back differently", i)
		}
		got = append(got, i)
		return nil
	})
	must(t, err)
	if fmt.Sprint(got) != "[2 3 4 5 6]" {
		t.Errorf("ReadRange(2, 7) visited %v", got)
	}
	stop := fmt.Errorf("stop")
	n := 0
	if err := st.ReadRange(ctx, 0, 604, func(uint64, audit.Record) error { n++; return stop }); err != stop || n != 1 {
		t.Errorf("ReadRange did not stop at the callback's error: %v after %d", err, n)
	}
	hs, err := st.ReadHashes(ctx, []uint64{5, 0, 603})
	must(t, err)
	for k, i := range []uint64{5, 0, 603} {
		if !bytes.Equal(hs[k], bytes.Repeat([]byte{byte(i)}, 32)) {
			t.Errorf("ReadHashes: entry %d wrong", i)
		}
	}
	if _, err := st.ReadHashes(ctx, []uint64{604}); err == nil {
		t.Error("ReadHashes of an absent entry succeeded")
	}
}

func testAuditWrongFirst(t *testing.T, st audit.Storage, _ AuditSearcher) {
	ctx := context.Background()
	must(t, st.AppendBatch(ctx, 0, auditRecords(0, 2)))
	for _, first := range []uint64{0, 1, 3} {
		if err := st.AppendBatch(ctx, first, auditRecords(first, 1)); err == nil {
			t.Errorf("AppendBatch at %d on a log of 2 entries succeeded", first)
		}
	}
	if size, err := st.Size(ctx); err != nil || size != 2 {
		t.Errorf("after rejected appends Size = %d, %v; want 2", size, err)
	}
}

func testAuditCheckpoints(t *testing.T, st audit.Storage, _ AuditSearcher) {
	ctx := context.Background()
	size, note, err := st.LatestCheckpoint(ctx)
	if err != nil || note != nil || size != 0 {
		t.Fatalf("LatestCheckpoint of an empty log = %d, %q, %v", size, note, err)
	}
	for _, s := range []uint64{0, 5, 9} {
		must(t, st.PutCheckpoint(ctx, s, fmt.Appendf(nil, "note %d", s)))
	}
	size, note, err = st.LatestCheckpoint(ctx)
	if err != nil || size != 9 || string(note) != "note 9" {
		t.Errorf("LatestCheckpoint = %d, %q, %v; want 9", size, note, err)
	}
	var sizes []uint64
	must(t, st.Checkpoints(ctx, func(s uint64, n []byte) error {
		if string(n) != fmt.Sprintf("note %d", s) {
			t.Errorf("checkpoint %d holds %q", s, n)
		}
		sizes = append(sizes, s)
		return nil
	}))
	if fmt.Sprint(sizes) != "[0 5 9]" {
		t.Errorf("Checkpoints = %v, want [0 5 9] in order", sizes)
	}
}

// openAuditLog opens a real log over st, closed in t.Cleanup.
func openAuditLog(t *testing.T, st audit.Storage, opts audit.Options) (*audit.Log, string) {
	t.Helper()
	skey, vkey, err := audit.GenerateKey("socle.test/audit")
	must(t, err)
	l, err := audit.Open(context.Background(), st, skey, opts)
	must(t, err)
	t.Cleanup(func() { l.Close() })
	return l, vkey
}

func testAuditLogVerify(t *testing.T, st audit.Storage, _ AuditSearcher) {
	ctx := context.Background()
	l, vkey := openAuditLog(t, st, audit.Options{CheckpointEvery: 16})
	for i := range 100 {
		ev := auditEvent(i)
		if _, err := l.AppendIndex(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	must(t, l.Close())
	rep, err := audit.Verify(ctx, st, vkey, nil)
	must(t, err)
	if !rep.OK || rep.Size != 100 || rep.Verified != 100 {
		t.Errorf("Verify = %+v; want 100 entries intact", rep)
	}
}

// leaderFlag is an audit.Leader a test hands over.
type leaderFlag struct{ on atomic.Bool }

func (f *leaderFlag) Leading() bool { return f.on.Load() }

// testAuditSharedLogs runs two logs over one storage, as two servers on
// one database: they append at once, the leadership moves from one to the
// other, and the stored log is one tree whose checkpoints both signed.
func testAuditSharedLogs(t *testing.T, st audit.Storage, _ AuditSearcher) {
	if _, ok := st.(audit.SequencedStorage); !ok {
		t.Skipf("%T does not sequence appends of several processes", st)
	}
	ctx := context.Background()
	skey, vkey, err := audit.GenerateKey("socle.test/audit")
	must(t, err)
	var leaders [2]leaderFlag
	leaders[0].on.Store(true)
	var logs [2]*audit.Log
	for i := range logs {
		logs[i], err = audit.Open(ctx, st, skey, audit.Options{CheckpointEvery: 32, Leader: &leaders[i]})
		must(t, err)
	}
	const each = 150
	var wg sync.WaitGroup
	errs := make(chan error, 2*each)
	for i, l := range logs {
		for k := range each {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := l.AppendIndex(ctx, auditEvent(i*each+k)); err != nil {
					errs <- err
				}
			}()
			if i == 1 && k == each/2 {
				leaders[0].on.Store(false)
				leaders[1].on.Store(true)
			}
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("append: %v", err)
	}
	must(t, logs[0].Close())
	must(t, logs[1].Close())
	rep, err := audit.Verify(ctx, st, vkey, nil)
	must(t, err)
	if !rep.OK || rep.Size != 2*each || rep.Verified != 2*each {
		t.Errorf("Verify = %+v; want %d entries intact", rep, 2*each)
	}
	cpSize, _, err := st.LatestCheckpoint(ctx)
	must(t, err)
	if cpSize != 2*each {
		t.Errorf("latest checkpoint covers %d entries, want %d: the leader signs what the other appended", cpSize, 2*each)
	}
	if got := logs[0].Size(); got != 2*each {
		t.Errorf("a follower's Size = %d, want the stored %d", got, 2*each)
	}
}

// auditBase is the time of the first event of the search test.
var auditBase = time.Date(2025, 3, 2, 8, 0, 0, 0, time.UTC)

// auditEvent is event i of the search test: three organisations, five
// agents, seven persons, two purposes, one minute apart.
func auditEvent(i int) socle.AuditEvent {
	act := audit.Act{
		RequestID:      fmt.Sprintf("req-%d", i),
		AgentID:        fmt.Sprintf("agt_%d", i%5),
		OrganisationID: fmt.Sprintf("org_%d", i%3),
		Action:         "read",
		ResourceKind:   "person",
		PersonRef:      fmt.Sprintf("ref-%d", i%7),
		Purpose:        []string{"accompagnement", "orientation"}[i%2],
		Allowed:        i%4 != 0,
		Explanation:    "Votre structure suit « cette personne » depuis le 2 mars.",
		Facts:          []socle.Fact{{Kind: "followup", Detail: map[string]string{"since": "2025-03-02"}, Text: "suivie"}},
		Records:        1,
	}
	if i%10 == 9 {
		act.Action, act.PersonRef, act.AgentID, act.ClientID = "search", "", "", "cli_1"
	}
	ev, err := audit.Event(auditBase.Add(time.Duration(i)*time.Minute), act)
	if err != nil {
		panic(err) // the texts above are valid UTF-8
	}
	return ev
}

func testAuditSearch(t *testing.T, st audit.Storage, s AuditSearcher) {
	ctx := context.Background()
	l, _ := openAuditLog(t, st, audit.Options{})
	const n = 120
	for i := range n {
		idx, err := l.AppendIndex(ctx, auditEvent(i))
		must(t, err)
		if idx != uint64(i) {
			t.Fatalf("event %d appended at %d", i, idx)
		}
	}
	// want lists, newest first, the events of the first n matching keep.
	want := func(keep func(i int) bool, before, limit int) []int {
		var out []int
		for i := min(before, n) - 1; i >= 0 && len(out) < limit; i-- {
			if keep(i) {
				out = append(out, i)
			}
		}
		return out
	}
	ev := auditEvent
	tests := []struct {
		name string
		q    socle.AuditQuery
		want []int
	}{
		{"all, default limit", socle.AuditQuery{}, want(func(int) bool { return true }, n, 50)},
		{"person", socle.AuditQuery{PersonRef: "ref-3"}, want(func(i int) bool { return ev(i).PersonRef == "ref-3" }, n, 50)},
		{"agent", socle.AuditQuery{AgentID: "agt_2", Limit: 5}, want(func(i int) bool { return ev(i).AgentID == "agt_2" }, n, 5)},
		{"organisation and purpose", socle.AuditQuery{OrganisationID: "org_1", Purpose: "orientation"},
			want(func(i int) bool { return i%3 == 1 && i%2 == 1 }, n, 50)},
		{"action", socle.AuditQuery{Action: "search"}, want(func(i int) bool { return i%10 == 9 }, n, 50)},
		{"time range", socle.AuditQuery{From: auditBase.Add(30 * time.Minute), To: auditBase.Add(40 * time.Minute)},
			want(func(i int) bool { return i >= 30 && i < 40 }, n, 50)},
		{"time range in another zone", socle.AuditQuery{From: auditBase.Add(30 * time.Minute).In(time.FixedZone("CET", 3600)), To: auditBase.Add(31 * time.Minute)},
			[]int{30}},
		{"page", socle.AuditQuery{OrganisationID: "org_0", Before: 60, Limit: 4}, want(func(i int) bool { return i%3 == 0 }, 60, 4)},
		{"no match", socle.AuditQuery{PersonRef: "nobody"}, nil},
		{"limit capped", socle.AuditQuery{Limit: 100000}, want(func(int) bool { return true }, n, 500)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits, err := s.AuditSearch(ctx, tt.q)
			must(t, err)
			var got []int
			for _, h := range hits {
				got = append(got, int(h.Index))
				e := ev(int(h.Index))
				if !h.Event.Time.Equal(e.Time) || h.Event.RequestID != e.RequestID || h.Event.Explanation != e.Explanation ||
					len(h.Event.Facts) != 1 || h.Event.Allowed != e.Allowed || h.Event.PersonRef != e.PersonRef {
					t.Errorf("hit %d: event %+v, want %+v", h.Index, h.Event, e)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("AuditSearch(%+v) = %v, want %v", tt.q, got, tt.want)
			}
		})
	}
}

// testAuditSearchBlocks searches a log larger than the blocks the store
// may summarise it by: person p<k> is in entries k, k+4099 and k+8198.
func testAuditSearchBlocks(t *testing.T, st audit.Storage, s AuditSearcher) {
	ctx := context.Background()
	const n = 9000
	for first := uint64(0); first < n; first += 700 { // batches across boundaries
		must(t, st.AppendBatch(ctx, first, auditRecords(first, min(700, n-int(first)))))
	}
	tests := []struct {
		q    socle.AuditQuery
		want string
	}{
		{socle.AuditQuery{PersonRef: "p5"}, "[8203 4104 5]"},
		{socle.AuditQuery{PersonRef: "p4000"}, "[8099 4000]"},
		{socle.AuditQuery{PersonRef: "p5", Before: 8203, Limit: 1}, "[4104]"},
		{socle.AuditQuery{PersonRef: "p5", Before: 4104}, "[5]"},
		{socle.AuditQuery{PersonRef: "p5", AgentID: "agt_1"}, "[8203]"},
		{socle.AuditQuery{PersonRef: "p5", AgentID: "agt_0"}, "[4104]"},
		{socle.AuditQuery{PersonRef: "nobody"}, "[]"},
		{socle.AuditQuery{AgentID: "agt_2", Before: 4099, Limit: 3}, "[4097 4094 4091]"},
		{socle.AuditQuery{Purpose: "accompagnement", Limit: 2}, "[8999 8998]"},
	}
	for _, tt := range tests {
		hits, err := s.AuditSearch(ctx, tt.q)
		must(t, err)
		got := []uint64{}
		for _, h := range hits {
			got = append(got, h.Index)
		}
		if fmt.Sprint(got) != tt.want {
			t.Errorf("AuditSearch(%+v) = %v, want %s", tt.q, got, tt.want)
		}
	}
}

// BenchAuditAppend measures AppendBatch with batches of 64 realistic
// leaves, the group commit's usual size: entries, search index and block
// summaries in one transaction. It reports entries/s.
func BenchAuditAppend(b *testing.B, open func(b *testing.B) audit.Storage) {
	st := open(b)
	ctx := context.Background()
	const batch = 64
	var next uint64
	for b.Loop() {
		b.StopTimer()
		rs := auditRecords(next, batch)
		b.StartTimer()
		if err := st.AppendBatch(ctx, next, rs); err != nil {
			b.Fatal(err)
		}
		next += batch
	}
	b.ReportMetric(float64(next)/b.Elapsed().Seconds(), "entries/s")
}

// BenchAuditSearch measures a search by person over 100,000 entries, where
// the person is in about 25 of them.
func BenchAuditSearch(b *testing.B, open func(b *testing.B) (audit.Storage, AuditSearcher)) {
	st, s := open(b)
	ctx := context.Background()
	const n = 100_000
	for first := uint64(0); first < n; first += 1000 {
		if err := st.AppendBatch(ctx, first, auditRecords(first, 1000)); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		hits, err := s.AuditSearch(ctx, socle.AuditQuery{PersonRef: "p17"})
		if err != nil || len(hits) != 25 {
			b.Fatalf("search: %d hits, %v", len(hits), err)
		}
	}
}
