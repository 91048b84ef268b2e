package sqlite

import (
	"context"
	"testing"
)

// TestWriterCommitsDurably checks the settings of the connection every
// write goes through: write-ahead log, fsynced at each commit. With
// synchronous=NORMAL an OS crash loses acknowledged writes.
func TestWriterCommitsDurably(t *testing.T) {
	ctx := context.Background()
	db, err := openWriter(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var mode string
	var sync int
	if err := db.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&sync); err != nil {
		t.Fatal(err)
	}
	// 2 is FULL: the log is synced before each commit returns.
	if mode != "wal" || sync < 2 {
		t.Errorf("writer: journal_mode=%s synchronous=%d, want wal and FULL (2) or EXTRA (3)", mode, sync)
	}
}
