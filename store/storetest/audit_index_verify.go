package storetest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"

	"socle"
	"socle/audit"
	"socle/store/auditsql"
	"socle/witness"
)

// RunAuditIndex runs the tests of what verification adds to the stores:
// the audit index rebuilt and compared, and witnessed checkpoints kept.
// open returns a fresh store and a raw connection to it.
func RunAuditIndex(t *testing.T, open func(t *testing.T) Raw) {
	t.Run("VerifyIndex", func(t *testing.T) { testVerifyIndex(t, open) })
	t.Run("Witnessed", func(t *testing.T) { testAuditWitnessed(t, open(t)) })
	t.Run("SearchWithoutFingerprints", func(t *testing.T) { testAuditSearchWithoutPrints(t, open(t)) })
	t.Run("BatchTamper", func(t *testing.T) { testAuditBatchTamper(t, open) })
	t.Run("FromSummaries", func(t *testing.T) { testAuditIndexFromSummaries(t, open(t)) })
}

// testAuditIndexFromSummaries appends through a log, whose records carry
// the summaries of their events so that the store indexes them without
// decoding the leaves, events whose texts JSON escapes or would replace
// (invalid UTF-8): the index rebuilt from the leaves matches it, and a
// search finds each person's entries.
func testAuditIndexFromSummaries(t *testing.T, raw Raw) {
	ctx := context.Background()
	st := auditsql.New(raw.Store)
	l, vkey := openAuditLog(t, st, audit.Options{})
	refs := []string{"ref-plain", `ref-"quoted"\back`, "ref-<&>", "ref-é\u2028\u2029", "ref-\xff-invalid", "ref-\x00-nul"}
	for i := range 1100 { // across a block boundary
		ev := auditEvent(i)
		ev.PersonRef = refs[i%len(refs)]
		ev.AgentID = "agt_" + refs[(i+1)%len(refs)]
		ev.Time = ev.Time.Add(time.Duration(i) * time.Nanosecond)
		_, err := l.AppendIndex(ctx, ev)
		must(t, err)
	}
	must(t, l.Close())
	ic := st.IndexCheck()
	rep, err := audit.Verify(ctx, ic, vkey, nil)
	must(t, err)
	if !rep.OK {
		t.Fatalf("log: %+v", rep)
	}
	irep, err := ic.Finish(ctx, 1100)
	must(t, err)
	if !irep.OK() || irep.Checked != 1100 {
		t.Fatalf("index built from the summaries differs from the entries: %+v", irep)
	}
	for k, ref := range refs[:4] { // the valid texts; an invalid one is stored replaced
		hits, err := st.AuditSearch(ctx, socle.AuditQuery{PersonRef: ref, Limit: 500})
		must(t, err)
		if want := (1100 - k + len(refs) - 1) / len(refs); len(hits) != want {
			t.Errorf("search for %q: %d hits, want %d", ref, len(hits), want)
		}
	}
}

// testAuditSearchWithoutPrints finds a person's entries in blocks written
// before the blocks kept person fingerprints (NULL): they are scanned.
func testAuditSearchWithoutPrints(t *testing.T, raw Raw) {
	ctx := context.Background()
	st := auditsql.New(raw.Store)
	const n = 9000
	for first := uint64(0); first < n; first += 700 {
		must(t, st.AppendBatch(ctx, first, auditRecords(first, min(700, n-int(first)))))
	}
	search := func() string {
		t.Helper()
		hits, err := st.AuditSearch(ctx, socle.AuditQuery{PersonRef: "p5"})
		must(t, err)
		got := []uint64{}
		for _, h := range hits {
			got = append(got, h.Index)
		}
		return fmt.Sprint(got)
	}
	want := search()
	if want != "[8203 4104 5]" {
		t.Fatalf("search with fingerprints = %s", want)
	}
	if _, err := raw.Audit.ExecContext(ctx, `UPDATE audit_blocks SET persons = NULL`); err != nil {
		t.Fatal(err)
	}
	if got := search(); got != want {
		t.Fatalf("search over blocks without fingerprints = %s, want %s", got, want)
	}
	// Appending to a block without fingerprints keeps it without.
	must(t, st.AppendBatch(ctx, n, auditRecords(n, 100)))
	rep, err := st.VerifyIndex(ctx, n+100, nil)
	must(t, err)
	if !rep.OK() {
		t.Fatalf("VerifyIndex = %+v", rep)
	}
}

// testVerifyIndex deletes and alters the block summaries of the audit
// index, as an intruder hiding accesses from a person would, and an entry
// that searches could not read, and expects VerifyIndex to name each.
func testVerifyIndex(t *testing.T, open func(t *testing.T) Raw) {
	const n = 3000 // three blocks
	tests := []struct {
		name   string
		tamper string // SQL run on the raw database
		want   string // "" when intact
	}{
		{"intact", "", ""},
		{"block deleted", `DELETE FROM audit_blocks WHERE block = 1`, "audit_blocks 1 (entries 1024-2047): missing"},
		{"block time span shrunk", `UPDATE audit_blocks SET max_at = min_at WHERE block = 0`, "audit_blocks 0 (entries 0-1023): its time span"},
		{"entry unreadable", `UPDATE audit_entries SET leaf = hashes WHERE idx = 2500`, "entry 2500: cannot be indexed"},
		{"block filter replaced", `UPDATE audit_blocks SET bloom = (SELECT bloom FROM audit_blocks WHERE block = 2) WHERE block = 0`, "audit_blocks 0 (entries 0-1023): its filter lacks values"},
		{"person fingerprints replaced", `UPDATE audit_blocks SET persons = (SELECT persons FROM audit_blocks WHERE block = 2) WHERE block = 1`, "audit_blocks 1 (entries 1024-2047): its person fingerprints differ"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			raw := open(t)
			st := auditsql.New(raw.Store)
			records := treeRecords(t, n)
			for first := 0; first < n; first += 500 {
				must(t, st.AppendBatch(ctx, uint64(first), records[first:first+500]))
			}
			if tt.tamper != "" {
				must(t, TamperAudit(ctx, raw.Audit, raw.Store.Dialect().Name == "sqlite", func(tx AuditTx) error {
					_, err := tx.ExecContext(ctx, tt.tamper)
					return err
				}))
			}
			check := func(name string, rep audit.IndexReport) {
				t.Helper()
				if tt.want == "" {
					if !rep.OK() || rep.Checked != n {
						t.Fatalf("%s of an intact index: %+v", name, rep)
					}
					return
				}
				if rep.OK() || rep.Count != 1 || !strings.Contains(rep.Problems[0], tt.want) {
					t.Fatalf("%s: report %+v, want one problem naming %q", name, rep, tt.want)
				}
			}
			var last uint64
			rep, err := st.VerifyIndex(ctx, n, func(done uint64) { last = done })
			must(t, err)
			check("VerifyIndex", rep)
			if last != n {
				t.Errorf("last progress %d, want %d", last, n)
			}
			// The same check riding on Verify, which reads each entry once.
			_, vkey, err := audit.GenerateKey("socle.test/audit")
			must(t, err)
			ic := st.IndexCheck()
			if _, err := audit.Verify(ctx, ic, vkey, nil); err != nil {
				t.Fatal(err)
			}
			rep, err = ic.Finish(ctx, n)
			must(t, err)
			check("IndexCheck", rep)
		})
	}
}

// testAuditWitnessed runs a log witnessed by a real witness on the store:
// its checkpoints are cosigned, kept, and the log verifies against the
// witness.
func testAuditWitnessed(t *testing.T, raw Raw) {
	ctx := context.Background()
	st := auditsql.New(raw.Store)
	size, note, err := st.LatestWitnessed(ctx)
	if err != nil || note != nil || size != 0 {
		t.Fatalf("LatestWitnessed of an empty log = %d, %q, %v", size, note, err)
	}
	skey, vkey, err := audit.GenerateKey("socle.test/audit")
	must(t, err)
	wkey, wvkey, err := witness.GenerateKey("witness.test/w1")
	must(t, err)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	w, err := witness.New(witness.Config{SignerKey: wkey, Logs: []string{vkey}, Dir: t.TempDir(), Logger: quiet})
	must(t, err)
	url := serveWitness(t, w)
	l, err := audit.Open(ctx, st, skey, audit.Options{CheckpointEvery: 16, Logger: quiet,
		Witnesses: []audit.Witness{{URL: url, Key: wvkey}}})
	must(t, err)
	for i := range 50 {
		_, err := l.AppendIndex(ctx, auditEvent(i))
		must(t, err)
	}
	must(t, l.Close())
	size, note, err = st.LatestWitnessed(ctx)
	must(t, err)
	if size != 50 {
		t.Fatalf("latest witnessed checkpoint %d, want 50", size)
	}
	if _, err := audit.OpenWitnessed(note, vkey, []string{wvkey}); err != nil {
		t.Fatalf("stored witnessed checkpoint: %v", err)
	}
	cp, err := audit.AskWitness(ctx, st, vkey, audit.Witness{URL: url, Key: wvkey}, nil)
	must(t, err)
	rep, err := audit.Verify(ctx, st, vkey, nil, cp)
	must(t, err)
	if !rep.OK || rep.Witnessed != 50 {
		t.Fatalf("Verify against the witness = %+v", rep)
	}
	// Cut the tail with its checkpoints: the witness tells.
	must(t, TamperAudit(ctx, raw.Audit, raw.Store.Dialect().Name == "sqlite", func(tx AuditTx) error {
		for _, q := range []string{`DELETE FROM audit_entries WHERE idx >= 40`, `DELETE FROM audit_checkpoints WHERE tree_size > 40`} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	}))
	var wm *audit.WitnessMismatch
	if _, err := audit.AskWitness(ctx, st, vkey, audit.Witness{URL: url, Key: wvkey}, nil); !errors.As(err, &wm) || wm.Size != 50 || wm.LogSize != 40 {
		t.Fatalf("AskWitness after the tail was cut = %v", err)
	}
}

// serveWitness serves w over HTTP on the loopback for the test.
func serveWitness(t *testing.T, w *witness.Witness) string {
	t.Helper()
	srv := httptest.NewServer(w.Handler(""))
	t.Cleanup(srv.Close)
	return srv.URL
}

// treeRecords returns the records of n entries with the tree hashes the
// log computes, so that Verify reads them all.
func treeRecords(t *testing.T, n int) []audit.Record {
	t.Helper()
	f := compact.RangeFactory{Hash: rfc6962.DefaultHasher.HashChildren}
	r := f.NewEmptyRange(0)
	out := make([]audit.Record, n)
	for i := range out {
		leaf := auditLeaf(uint64(i))
		var hashes []byte
		if err := r.Append(rfc6962.DefaultHasher.HashLeaf(leaf), func(_ compact.NodeID, h []byte) { hashes = append(hashes, h...) }); err != nil {
			t.Fatal(err)
		}
		out[i] = audit.Record{Leaf: leaf, Hashes: hashes}
	}
	return out
}
