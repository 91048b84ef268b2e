package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"testing"

	"socle"
	"socle/audit"
	"socle/store/sqlite"
	"socle/store/sqlstore"
	"socle/store/storetest"
)

func open(tb testing.TB) socle.Store {
	tb.Helper()
	s, err := sqlite.Open(context.Background(), tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	s.SetSealer(storetest.Keyring(tb))
	return s
}

func TestSealing(t *testing.T) {
	storetest.RunSealing(t, func(t *testing.T) storetest.Raw {
		dir := t.TempDir()
		s, err := sqlite.Open(context.Background(), dir)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		s.SetSealer(storetest.Keyring(t))
		raw, err := sql.Open("sqlite3", filepath.Join(dir, sqlite.FileName))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { raw.Close() })
		return storetest.Raw{Store: s, DB: raw}
	})
}

func TestParcours(t *testing.T) {
	storetest.RunParcours(t, func(t *testing.T) socle.Store { return open(t) })
}

func TestCompanies(t *testing.T) {
	storetest.RunCompanies(t, func(t *testing.T) socle.Store { return open(t) })
}

func TestDetect(t *testing.T) {
	storetest.RunDetect(t, func(t *testing.T) socle.Store { return open(t) })
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) socle.Store { return open(t) })
}

func TestAudit(t *testing.T) {
	storetest.RunAudit(t, func(t *testing.T) (audit.Storage, storetest.AuditSearcher) {
		db := open(t).(*sqlstore.DB)
		return db.AuditLog(), db
	})
}

func TestMigrationsIdempotent(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	applied, err := sqlite.Migrate(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := sqlstore.Migrations(sqlite.Migrations)
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
		s, err := sqlite.Open(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.CreateOrganisation(ctx, storetest.NewOrganisation("Structure", socle.KindPartner)); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	applied, err = sqlite.Migrate(ctx, dir)
	if err != nil || len(applied) != 0 {
		t.Errorf("Migrate on a migrated database applied %v, %v; want nothing", applied, err)
	}
	s, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	orgs, err := s.Organisations(ctx, socle.OrganisationFilter{})
	if err != nil || len(orgs) != 2 {
		t.Errorf("after reopening: %d organisations, %v; want the 2 created", len(orgs), err)
	}
}

func BenchmarkInsertPerson(b *testing.B) {
	storetest.BenchInsertPerson(b, func(b *testing.B) socle.Store { return open(b) })
}

func BenchmarkReadPerson(b *testing.B) {
	storetest.BenchReadPerson(b, func(b *testing.B) socle.Store { return open(b) })
}

func BenchmarkAuditAppend(b *testing.B) {
	storetest.BenchAuditAppend(b, func(b *testing.B) audit.Storage { return open(b).(*sqlstore.DB).AuditLog() })
}

func BenchmarkAuditSearch(b *testing.B) {
	storetest.BenchAuditSearch(b, func(b *testing.B) (audit.Storage, storetest.AuditSearcher) {
		db := open(b).(*sqlstore.DB)
		return db.AuditLog(), db
	})
}

func BenchmarkLoad(b *testing.B) {
	storetest.BenchLoad(b, func(b *testing.B) socle.Store { return open(b) })
}
