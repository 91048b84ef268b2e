package storetest

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"socle/audit"
	"socle/store/auditsql"
	"socle/store/sqlstore"
)

// testAuditBatchesUpgrade stores entries the way SQLite did before
// migration 0190 (one row per entry), applies the migration and expects
// every entry and node hash back, then appends after them. Engines
// without the migration (PostgreSQL keeps one row per entry) skip it.
func testAuditBatchesUpgrade(t *testing.T, e Engine) {
	ctx := context.Background()
	ms, err := sqlstore.Migrations(e.Migrations)
	must(t, err)
	i := slices.IndexFunc(ms, func(m sqlstore.Migration) bool { return m.Version == 190 })
	if i < 0 {
		t.Skip("the engine keeps one row per audit entry")
	}
	s, loc := e.open(t)
	raw, err := e.rawAudit(loc)
	must(t, err)
	t.Cleanup(func() { raw.Close() })
	const n = 300
	records := treeRecords(t, n+100)
	_, err = raw.ExecContext(ctx, `DROP TABLE audit_batches;
		CREATE TABLE audit_entries (idx INTEGER PRIMARY KEY, leaf BLOB NOT NULL, hashes BLOB NOT NULL)`)
	must(t, err)
	for i, r := range records[:n] {
		_, err := raw.ExecContext(ctx, `INSERT INTO audit_entries (idx, leaf, hashes) VALUES (?, ?, ?)`, i, r.Leaf, r.Hashes)
		must(t, err)
	}
	_, err = raw.ExecContext(ctx, ms[i].SQL)
	must(t, err)

	st := auditsql.New(s)
	size, err := st.Size(ctx)
	if err != nil || size != n {
		t.Fatalf("size after the migration = %d, %v; want %d", size, err, n)
	}
	must(t, st.AppendBatch(ctx, n, records[n:]))
	checkAuditEntries(t, st, records)
	hashes, err := st.ReadHashes(ctx, []uint64{0, 299, 300, 399, 150})
	must(t, err)
	for k, idx := range []int{0, 299, 300, 399, 150} {
		if !bytes.Equal(hashes[k], records[idx].Hashes) {
			t.Errorf("hashes of entry %d after the migration differ", idx)
		}
	}
}

// checkAuditEntries expects st to hold exactly records.
func checkAuditEntries(t *testing.T, st auditsql.Storage, records []audit.Record) {
	t.Helper()
	ctx := context.Background()
	next := uint64(0)
	err := st.ReadRange(ctx, 0, uint64(len(records)), func(i uint64, r audit.Record) error {
		if i != next || !bytes.Equal(r.Leaf, records[i].Leaf) || !bytes.Equal(r.Hashes, records[i].Hashes) {
			t.Fatalf("entry %d read back differs", i)
		}
		next++
		return nil
	})
	must(t, err)
	// A window inside a batch reads only its entries.
	next = 5
	must(t, st.ReadRange(ctx, 5, 9, func(i uint64, r audit.Record) error {
		if i != next || !bytes.Equal(r.Leaf, records[i].Leaf) {
			t.Fatalf("entry %d of the window 5-9 differs", i)
		}
		next++
		return nil
	}))
	if next != 9 {
		t.Fatalf("window 5-9 read %d entries", next-5)
	}
}

// testAuditBatchTamper alters the batch rows themselves, as an intruder
// editing the SQLite file would, where no row per entry exists: the
// reads that Verify makes report the entry concerned as corrupt or
// missing, never return altered entries as good.
func testAuditBatchTamper(t *testing.T, open func(t *testing.T) Raw) {
	tests := []struct {
		name   string
		tamper string
		want   string // what the read's error says
	}{
		{"entry count lowered: last entries hidden", `UPDATE audit_batches SET entries = entries - 1 WHERE first = 0`, "entry missing"},
		{"entry count raised", `UPDATE audit_batches SET entries = entries + 1 WHERE first = 0`, "batch blob"},
		{"offsets overwritten", `UPDATE audit_batches SET leaves = CAST(zeroblob(8) || substr(leaves, 9) AS BLOB) WHERE first = 0`, "batch blob"},
		{"leaves cut short", `UPDATE audit_batches SET leaves = substr(leaves, 1, length(leaves) - 10) WHERE first = 0`, "batch blob"},
		{"batch deleted", `DELETE FROM audit_batches WHERE first = 0`, "entry missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			r := open(t)
			if r.Store.Dialect().Name != "sqlite" {
				t.Skip("the engine keeps one row per audit entry")
			}
			st := auditsql.New(r.Store)
			records := treeRecords(t, 20)
			must(t, st.AppendBatch(ctx, 0, records[:10]))
			must(t, st.AppendBatch(ctx, 10, records[10:]))
			_, err := r.Audit.ExecContext(ctx, tt.tamper)
			must(t, err)
			var ce *audit.CorruptError
			err = st.ReadRange(ctx, 0, 20, func(i uint64, rec audit.Record) error {
				if !bytes.Equal(rec.Leaf, records[i].Leaf) || !bytes.Equal(rec.Hashes, records[i].Hashes) {
					// Verify recomputes the tree from what it reads:
					// an entry read out of place fails there.
					return &audit.CorruptError{Index: i, Err: errors.New("entry read out of place")}
				}
				return nil
			})
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), tt.want) && !strings.Contains(err.Error(), "out of place") {
				t.Fatalf("read after the batch was altered = %v, want a corrupt entry (%s)", err, tt.want)
			}
		})
	}
}
