package storetest

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"socle"
	"socle/audit"
	"socle/store/auditsql"
	"socle/store/sqlstore"
)

// testAuditResync breaks the audit table under a running log (renamed
// away, so that both appends and the size read fail, as in an outage),
// then restores it: the log refuses appends as unavailable meanwhile and
// resumes by itself, and the whole log verifies.
func testAuditResync(t *testing.T, e Engine) {
	ctx := context.Background()
	s, loc := e.open(t)
	raw, err := e.rawAudit(loc)
	must(t, err)
	t.Cleanup(func() { raw.Close() })
	l, vkey := openAuditLog(t, auditsql.New(s), audit.Options{ResyncInterval: 20 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
	for i := range 10 {
		_, err := l.AppendIndex(ctx, auditEvent(i))
		must(t, err)
	}
	exec := func(q string) {
		t.Helper()
		if _, err := raw.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	// SQLite keeps the entries one row per batch (store/auditsql).
	table := "audit_entries"
	if s.Dialect().Name == "sqlite" {
		table = "audit_batches"
	}
	exec(`ALTER TABLE ` + table + ` RENAME TO audit_entries_away`)
	if _, err := l.AppendIndex(ctx, auditEvent(10)); socle.ErrorCode(err) != socle.EUNAVAILABLE {
		t.Fatalf("append with the table gone: %v, want unavailable", err)
	}
	if l.Err() == nil {
		t.Error("Err() is nil with the table gone")
	}
	exec(`ALTER TABLE audit_entries_away RENAME TO ` + table)
	waitHealthy(t, l)
	i, err := l.AppendIndex(ctx, auditEvent(11))
	if err != nil || i != 10 {
		t.Fatalf("append after the table came back = %d, %v; want index 10", i, err)
	}
	must(t, l.Close())
	rep, err := audit.Verify(ctx, auditsql.New(s), vkey, nil)
	must(t, err)
	if !rep.OK || rep.Size != 11 {
		t.Errorf("Verify = %+v; want 11 entries intact", rep)
	}
}

// waitHealthy waits until the log reports no failure, for at most 20s.
func waitHealthy(t *testing.T, l *audit.Log) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for l.Err() != nil {
		if time.Now().After(deadline) {
			t.Fatalf("the audit log did not resume: %v", l.Err())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// RunAuditOutage appends through a real PostgreSQL server that is killed
// (pg_ctl stop -m immediate) and started again: appends during the outage
// fail as unavailable, and the log resumes by itself once the server is
// back, with every acknowledged entry kept and the log verifying.
func RunAuditOutage(t *testing.T, c *PostgresCluster, open func(ctx context.Context, url string) (*sqlstore.DB, error)) {
	ctx := context.Background()
	s, err := open(ctx, c.URL)
	must(t, err)
	t.Cleanup(func() { s.Close() })
	l, vkey := openAuditLog(t, auditsql.New(s), audit.Options{ResyncInterval: 50 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
	acked := 0
	for i := range 20 {
		_, err := l.AppendIndex(ctx, auditEvent(i))
		must(t, err)
		acked++
	}
	c.Stop(t)
	for i := range 3 {
		if _, err := l.AppendIndex(ctx, auditEvent(100+i)); socle.ErrorCode(err) != socle.EUNAVAILABLE {
			t.Fatalf("append during the outage: %v, want unavailable", err)
		}
	}
	if l.Err() == nil {
		t.Error("Err() is nil during the outage")
	}
	// Every store error of the outage is "unavailable" (503), never internal.
	if _, err := s.Organisations(ctx, socle.OrganisationFilter{}); socle.ErrorCode(err) != socle.EUNAVAILABLE {
		t.Errorf("read during the outage: %v (%s), want unavailable", err, socle.ErrorCode(err))
	}
	if err := s.CreateOrganisation(ctx, NewOrganisation("Pendant la panne", socle.KindYouth, "69")); socle.ErrorCode(err) != socle.EUNAVAILABLE {
		t.Errorf("write during the outage: %v (%s), want unavailable", err, socle.ErrorCode(err))
	}
	c.Start(t)
	waitHealthy(t, l)
	for i := range 20 {
		_, err := l.AppendIndex(ctx, auditEvent(200+i))
		must(t, err)
		acked++
	}
	must(t, l.Close())
	rep, err := audit.Verify(ctx, auditsql.New(s), vkey, nil)
	must(t, err)
	if !rep.OK || rep.Size < uint64(acked) {
		t.Errorf("Verify = %+v; want at least the %d acknowledged entries, intact", rep, acked)
	}
}
