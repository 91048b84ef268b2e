package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"socle"
	"socle/store/storetest"
)

// TestCheckpointerKeepsTheLogShort: no connection checkpoints by itself,
// yet the checkpointer copies the log into the database file, and past
// walTruncateSize truncates it.
func TestCheckpointerKeepsTheLogShort(t *testing.T) {
	saved := walTruncateSize
	walTruncateSize = 256 << 10
	t.Cleanup(func() { walTruncateSize = saved })
	ctx := context.Background()
	dir := t.TempDir()
	db, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	w, err := openWriter(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	var auto int
	if err := w.QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&auto); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if auto != 0 {
		t.Errorf("wal_autocheckpoint = %d: commits checkpoint by themselves", auto)
	}
	size := func(name string) int64 {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return st.Size()
	}
	before := size(FileName)
	for i := range 400 {
		org := storetest.NewOrganisation("Structure", socle.KindPartner, "69")
		org.Name = org.Name + " " + org.ID + string(rune('a'+i%26))
		if err := db.CreateOrganisation(ctx, org); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for size(FileName) == before || size(FileName+"-wal") > walTruncateSize {
		if time.Now().After(deadline) {
			t.Fatalf("database %d → %d bytes, log %d bytes: not checkpointed", before, size(FileName), size(FileName+"-wal"))
		}
		time.Sleep(20 * time.Millisecond)
	}
}
