package metrics_test

import (
	"testing"

	"socle/audit"
	"socle/internal/stacktest"
	"socle/metrics"
	"socle/store/auditsql"
)

// TestAuditStorageKeepsItsCapabilities: the timing wrapper must not hide
// what the audit log asks its storage for, or a cluster would refuse to
// start and witnessing would be off.
func TestAuditStorageKeepsItsCapabilities(t *testing.T) {
	db, _ := stacktest.Open(t)
	st := metrics.New().AuditStorage(auditsql.New(db))
	if _, ok := st.(audit.SequencedStorage); !ok {
		t.Error("the wrapped storage no longer sequences appends")
	}
	if _, ok := st.(audit.WitnessStorage); !ok {
		t.Error("the wrapped storage no longer keeps witnessed checkpoints")
	}
}
