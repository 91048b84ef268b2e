package storetest

import (
	"context"
	"database/sql"
	"io/fs"
	"slices"
	"testing"

	"socle"
	"socle/audit"
	"socle/store/auditsql"
	"socle/store/sqlstore"
)

// Engine is one SQL engine under test, described by what differs between
// engines; RunEngine and BenchEngine derive everything else.
type Engine struct {
	// Fresh returns where a new, empty database lives (a data directory, a
	// URL), removed in tb.Cleanup.
	Fresh func(tb testing.TB) string
	// Open opens and migrates the store at a location (sqlite.Open, postgres.Open).
	Open func(ctx context.Context, location string) (*sqlstore.DB, error)
	// Migrate applies the migrations a location lacks (sqlite.Migrate, postgres.Migrate).
	Migrate func(ctx context.Context, location string) ([]int, error)
	// Migrations are the engine's embedded migrations.
	Migrations fs.FS
	// RawDB opens a plain connection to the database at a location, to look
	// at what is stored at rest.
	RawDB func(location string) (*sql.DB, error)
	// RawAuditDB opens a plain connection to the database of the audit
	// log at a location, when the engine keeps it apart (SQLite's audit
	// file); nil: RawDB.
	RawAuditDB func(location string) (*sql.DB, error)
}

// rawAudit opens a plain connection to the database of the audit log.
func (e Engine) rawAudit(loc string) (*sql.DB, error) {
	if e.RawAuditDB != nil {
		return e.RawAuditDB(loc)
	}
	return e.RawDB(loc)
}

// open returns a new, empty, migrated store with a test keyring, closed in
// tb.Cleanup, and its location.
func (e Engine) open(tb testing.TB) (*sqlstore.DB, string) {
	tb.Helper()
	loc := e.Fresh(tb)
	s, err := e.Open(context.Background(), loc)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	s.SetSealer(Keyring(tb))
	return s, loc
}

// db is open without the location, for the suites that need only the store.
func (e Engine) db(tb testing.TB) *sqlstore.DB {
	tb.Helper()
	s, _ := e.open(tb)
	return s
}

// store adapts open to the suites that take a socle.Store.
func (e Engine) store(tb testing.TB) socle.Store {
	tb.Helper()
	return e.db(tb)
}

// auditStorage opens a store of the engine and returns its audit storage,
// which is also its audit index.
func (e Engine) auditStorage(tb testing.TB) (audit.Storage, AuditSearcher) {
	tb.Helper()
	st := auditsql.New(e.db(tb))
	return st, st
}

// onDB runs test on a new, empty, migrated store of the engine.
func (e Engine) onDB(test func(*testing.T, *sqlstore.DB)) func(*testing.T) {
	return func(t *testing.T) { test(t, e.db(t)) }
}

// RunEngine runs every shared suite against the engine, each on new,
// empty databases.
func RunEngine(t *testing.T, e Engine) {
	open := func(t *testing.T) socle.Store { return e.store(t) }
	t.Run("Store", func(t *testing.T) { Run(t, open) })
	t.Run("Parcours", func(t *testing.T) { RunParcours(t, open) })
	t.Run("OrientationRequests", func(t *testing.T) { RunOrientationRequests(t, open) })
	t.Run("Appointments", func(t *testing.T) { RunAppointments(t, open) })
	t.Run("Companies", func(t *testing.T) { RunCompanies(t, open) })
	t.Run("Detect", func(t *testing.T) { RunDetect(t, open) })
	t.Run("PendingTOTP", func(t *testing.T) { RunPendingTOTP(t, open) })
	t.Run("FederationLinks", func(t *testing.T) { RunFederationLinks(t, open) })
	t.Run("IdentityChecks", func(t *testing.T) { RunIdentityChecks(t, open) })
	t.Run("Throttle", func(t *testing.T) {
		RunThrottle(t, func(t *testing.T) (socle.Store, func() socle.Store) {
			s, loc := e.open(t)
			return s, func() socle.Store {
				s.Close()
				again, err := e.Open(context.Background(), loc)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { again.Close() })
				return again
			}
		})
	})
	t.Run("Directory", func(t *testing.T) { RunDirectory(t, open) })
	t.Run("Audit", func(t *testing.T) {
		RunAudit(t, func(t *testing.T) (audit.Storage, AuditSearcher) { return e.auditStorage(t) })
	})
	openRaw := func(t *testing.T) Raw {
		s, loc := e.open(t)
		raw, err := e.RawDB(loc)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { raw.Close() })
		rawAudit, err := e.rawAudit(loc)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { rawAudit.Close() })
		return Raw{Store: s, DB: raw, Audit: rawAudit}
	}
	t.Run("Sealing", func(t *testing.T) { RunSealing(t, openRaw) })
	t.Run("Diagnostic", func(t *testing.T) { RunDiagnostic(t, openRaw) })
	t.Run("AuditIndex", func(t *testing.T) { RunAuditIndex(t, openRaw) })
	t.Run("FourEyes", func(t *testing.T) { RunFourEyes(t, func(t *testing.T) *sqlstore.DB { return e.db(t) }) })
	t.Run("LinkMigration", func(t *testing.T) { testLinkMigration(t, e) })
	t.Run("AuditResync", func(t *testing.T) { testAuditResync(t, e) })
	t.Run("AuditBatchesUpgrade", func(t *testing.T) { testAuditBatchesUpgrade(t, e) })
	t.Run("PersonWrites", e.onDB(testPersonWrites))
	t.Run("Notes", func(t *testing.T) { testNotes(t, openRaw(t)) })
	t.Run("PersonVersions", e.onDB(testPersonVersions))
	t.Run("ApplyRectification", e.onDB(testApplyRectification))
	t.Run("ChangeFeed", e.onDB(testChangeFeed))
	t.Run("IdempotentAnswers", e.onDB(testIdempotentAnswers))
	t.Run("IdempotencyPurge", e.onDB(testIdempotencyPurge))
	t.Run("DeliveryLogPages", e.onDB(testDeliveryLogPages))
	t.Run("Webhooks", e.onDB(testWebhooks))
	t.Run("Keys", func(t *testing.T) {
		runKeys(t, func(t *testing.T) *sqlstore.DB { return e.db(t) })
	})
	t.Run("MigrationsIdempotent", func(t *testing.T) { testMigrationsIdempotent(t, e) })
}

// testMigrationsIdempotent checks that a first Migrate applies every
// migration, that reopening applies none and keeps the data.
func testMigrationsIdempotent(t *testing.T, e Engine) {
	ctx := context.Background()
	loc := e.Fresh(t)
	applied, err := e.Migrate(ctx, loc)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := sqlstore.Migrations(e.Migrations)
	if err != nil {
		t.Fatal(err)
	}
	var all []int
	for _, m := range ms {
		all = append(all, m.Version)
	}
	if len(all) == 0 || all[0] != 1 || !slices.Equal(applied, all) {
		t.Errorf("first Migrate applied %v, want every migration %v", applied, all)
	}
	for range 2 {
		s, err := e.Open(ctx, loc)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.CreateOrganisation(ctx, NewOrganisation("Structure", socle.KindPartner)); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	applied, err = e.Migrate(ctx, loc)
	if err != nil || len(applied) != 0 {
		t.Errorf("Migrate on a migrated database applied %v, %v; want nothing", applied, err)
	}
	s, err := e.Open(ctx, loc)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	orgs, err := s.Organisations(ctx, socle.OrganisationFilter{})
	if err != nil || len(orgs) != 2 {
		t.Errorf("after reopening: %d organisations, %v; want the 2 created", len(orgs), err)
	}
}

// BenchEngine runs every benchmark of the suite against the engine, as
// sub-benchmarks.
func BenchEngine(b *testing.B, e Engine) {
	open := func(b *testing.B) socle.Store { return e.store(b) }
	b.Run("InsertPerson", func(b *testing.B) { BenchInsertPerson(b, open) })
	b.Run("ReadPerson", func(b *testing.B) { BenchReadPerson(b, open) })
	b.Run("Relations", func(b *testing.B) { BenchRelations(b, open) })
	b.Run("Load", func(b *testing.B) { BenchLoad(b, open) })
	b.Run("AuditAppend", func(b *testing.B) {
		BenchAuditAppend(b, func(b *testing.B) audit.Storage { return auditsql.New(e.db(b)) })
	})
	b.Run("AuditSearch", func(b *testing.B) {
		BenchAuditSearch(b, func(b *testing.B) (audit.Storage, AuditSearcher) { return e.auditStorage(b) })
	})
}
