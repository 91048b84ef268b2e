package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"socle"
	"socle/audit"
	"socle/store/auditsql"
	"socle/store/sqlstore"
)

// legacyDataDir writes a data directory as a Socle that kept the audit
// log in the data file did: only socle.db, with n audit entries and their
// checkpoint in it. It returns the directory and the log's verifier key.
func legacyDataDir(t *testing.T, n int) (string, string) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	write, err := openWriter(ctx, dir)
	must(t, err)
	_, err = sqlstore.Migrate(ctx, write, Dialect, Migrations)
	must(t, err)
	db := sqlstore.New(write, write, Dialect) // no audit file: the log goes in the data file
	skey, vkey, err := audit.GenerateKey("socle.test/audit")
	must(t, err)
	l, err := audit.Open(ctx, auditsql.New(db), skey, audit.Options{})
	must(t, err)
	appendEvents(t, l, 0, n)
	must(t, l.Close())
	must(t, db.Close())
	if _, err := os.Stat(filepath.Join(dir, AuditFileName)); err == nil {
		t.Fatal("the legacy layout has an audit file")
	}
	return dir, vkey
}

func appendEvents(t *testing.T, l *audit.Log, from, n int) {
	t.Helper()
	for i := from; i < from+n; i++ {
		err := audit.Append(context.Background(), l, time.Now(), audit.Act{
			RequestID: fmt.Sprint("req-", i), AgentID: fmt.Sprint("agt_", i%3), OrganisationID: "org_1",
			Action: "read", ResourceKind: "person", PersonRef: fmt.Sprint("ref-", i%5), Purpose: "accompagnement",
			Allowed: true, Records: 1,
		})
		must(t, err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// hasAuditTables reports whether the SQLite file at path holds the audit
// log's tables.
func hasAuditTables(t *testing.T, path string) bool {
	t.Helper()
	raw, err := sql.Open("sqlite3", path)
	must(t, err)
	defer raw.Close()
	var n int
	must(t, raw.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name LIKE 'audit\_%' ESCAPE '\'`).Scan(&n))
	return n > 0
}

// verifyLog verifies the audit log of the store in dir and returns its
// size.
func verifyLog(t *testing.T, db *sqlstore.DB, vkey string) uint64 {
	t.Helper()
	rep, err := audit.Verify(context.Background(), auditsql.New(db), vkey, nil)
	must(t, err)
	if !rep.OK {
		t.Fatalf("the audit log does not verify: %+v", rep)
	}
	return rep.Size
}

// TestOpenMovesTheAuditLogOutOfTheDataFile: a data directory whose log is
// in the data file opens with the log moved, whole, to the audit file,
// and gone from the data file; the log verifies, is searchable and takes
// new appends.
func TestOpenMovesTheAuditLogOutOfTheDataFile(t *testing.T) {
	ctx := context.Background()
	dir, vkey := legacyDataDir(t, 70)
	db, err := Open(ctx, dir)
	must(t, err)
	defer db.Close()
	if hasAuditTables(t, filepath.Join(dir, FileName)) {
		t.Error("the data file still holds audit tables after the move")
	}
	if !hasAuditTables(t, filepath.Join(dir, AuditFileName)) {
		t.Fatal("no audit tables in the audit file")
	}
	if size := verifyLog(t, db, vkey); size != 70 {
		t.Errorf("moved log of %d entries, want 70", size)
	}
	hits, err := auditsql.New(db).AuditSearch(ctx, socle.AuditQuery{PersonRef: "ref-2", Limit: 100})
	must(t, err)
	if len(hits) != 14 {
		t.Errorf("search after the move: %d hits for ref-2, want 14", len(hits))
	}
	if held, err := db.HoldsData(ctx); err != nil || !held {
		t.Errorf("HoldsData with a moved log = %v, %v; want true", held, err)
	}
}

// TestAuditMoveInterruptedIsFinished: a start interrupted after the copy,
// before the data file's tables were dropped, leaves the same log in both
// files; the next start drops the data file's copy. A log in both files
// that differs (entries appended to the audit file since) is refused, and
// neither file is touched.
func TestAuditMoveInterruptedIsFinished(t *testing.T) {
	ctx := context.Background()
	dir, vkey := legacyDataDir(t, 40)
	legacy, err := os.ReadFile(filepath.Join(dir, FileName))
	must(t, err)
	db, err := Open(ctx, dir)
	must(t, err)
	must(t, db.Close())
	// As if the drop had not happened: the data file of before the move.
	must(t, os.WriteFile(filepath.Join(dir, FileName), legacy, 0o600))
	db, err = Open(ctx, dir)
	must(t, err)
	if size := verifyLog(t, db, vkey); size != 40 {
		t.Errorf("log of %d entries after finishing the move, want 40", size)
	}
	must(t, db.Close())
	if hasAuditTables(t, filepath.Join(dir, FileName)) {
		t.Error("the data file still holds audit tables")
	}

	// Now the audit file grows past the data file's copy: a fork.
	db, err = Open(ctx, dir)
	must(t, err)
	raw, err := sql.Open("sqlite3", filepath.Join(dir, AuditFileName))
	must(t, err)
	_, err = raw.Exec(`INSERT INTO audit_batches (first, entries, leaves, hashes) SELECT first + 1000, entries, leaves, hashes FROM audit_batches WHERE first = 0`)
	raw.Close()
	must(t, err)
	must(t, db.Close())
	must(t, os.WriteFile(filepath.Join(dir, FileName), legacy, 0o600))
	if _, err := Open(ctx, dir); !errors.Is(err, ErrAuditForked) {
		t.Fatalf("Open with two different logs: %v, want ErrAuditForked", err)
	}
	if !hasAuditTables(t, filepath.Join(dir, FileName)) {
		t.Error("the data file's log was dropped although the move was refused")
	}
}

// TestAuditFileIsDurableWithItsOwnPages: the audit log has its own file,
// fsynced at every commit (WAL, synchronous FULL) like the data file,
// with pages large enough for a batch row, checkpointed by its own
// checkpointer; appends go there and not to the data file.
func TestAuditFileIsDurableWithItsOwnPages(t *testing.T) {
	saved := auditWALTruncateSize
	auditWALTruncateSize = 0 // truncated at every checkpoint
	t.Cleanup(func() { auditWALTruncateSize = saved })
	ctx := context.Background()
	dir := t.TempDir()
	db, err := Open(ctx, dir)
	must(t, err)
	defer db.Close()
	adb := db.AuditDB()
	if adb == db {
		t.Fatal("the audit log shares the data file's database")
	}
	_, write := adb.ReadWrite()
	var mode string
	var sync, page, auto int
	must(t, write.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode))
	must(t, write.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&sync))
	must(t, write.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&page))
	must(t, write.QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&auto))
	if mode != "wal" || sync < 2 || page != auditPageSize || auto != 0 {
		t.Errorf("audit writer: journal_mode=%s synchronous=%d page_size=%d wal_autocheckpoint=%d; want wal, FULL (2), %d, 0",
			mode, sync, page, auto, auditPageSize)
	}
	skey, vkey, err := audit.GenerateKey("socle.test/audit")
	must(t, err)
	l, err := audit.Open(ctx, auditsql.New(db), skey, audit.Options{})
	must(t, err)
	appendEvents(t, l, 0, 10)
	must(t, l.Close())
	if size := verifyLog(t, db, vkey); size != 10 {
		t.Errorf("log of %d entries, want 10", size)
	}
	if hasAuditTables(t, filepath.Join(dir, FileName)) {
		t.Error("a new data file holds audit tables")
	}
	// The audit file's checkpointer copies its log into the file.
	deadline := time.Now().Add(5 * time.Second)
	for {
		st, err := os.Stat(filepath.Join(dir, AuditFileName+"-wal"))
		if err == nil && st.Size() == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the audit file's log was not checkpointed and truncated: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
