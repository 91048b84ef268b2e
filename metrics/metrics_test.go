package metrics_test

import (
	"context"
	"testing"

	"socle/audit"
	"socle/metrics"
	"socle/store/auditsql"
	"socle/store/sqlite"
)

// TestAuditStorageKeepsItsCapabilities: the timing wrapper must not hide
// what the audit log asks its storage for, or a cluster would refuse to
// start and witnessing would be off.
func TestAuditStorageKeepsItsCapabilities(t *testing.T) {
	db, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st := metrics.New().AuditStorage(auditsql.New(db))
	if _, ok := st.(audit.SequencedStorage); !ok {
		t.Error("the wrapped storage no longer sequences appends")
	}
	if _, ok := st.(audit.WitnessStorage); !ok {
		t.Error("the wrapped storage no longer keeps witnessed checkpoints")
	}
}
