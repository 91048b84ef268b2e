package postgres_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"socle"
	"socle/audit"
	"socle/store/postgres"
	"socle/store/sqlstore"
	"socle/store/storetest"
)

// freshURL returns the URL of a new, empty schema of the test server, which
// t.Cleanup drops. Without SOCLE_TEST_POSTGRES_URL the test is skipped,
// except in CI, which must run PostgreSQL.
func freshURL(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv("SOCLE_TEST_POSTGRES_URL")
	if base == "" {
		if os.Getenv("CI") != "" {
			tb.Fatal("SOCLE_TEST_POSTGRES_URL is not set in CI: run the tests under scripts/with-postgres")
		}
		tb.Skip("SOCLE_TEST_POSTGRES_URL is not set (run under scripts/with-postgres)")
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { admin.Close() })
	schema := "test_" + strings.ToLower(rand.Text()[:16])
	ctx := context.Background()
	// The schema name is made here of [a-z2-7], never from input.
	if _, err := admin.ExecContext(ctx, fmt.Sprintf(`CREATE SCHEMA "%s"`, schema)); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), fmt.Sprintf(`DROP SCHEMA "%s" CASCADE`, schema)); err != nil {
			tb.Errorf("dropping the test schema: %v", err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func open(tb testing.TB) socle.Store {
	tb.Helper()
	s, err := postgres.Open(context.Background(), freshURL(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	s.SetSealer(storetest.Keyring(tb))
	return s
}

func TestSealing(t *testing.T) {
	storetest.RunSealing(t, func(t *testing.T) storetest.Raw {
		u := freshURL(t)
		s, err := postgres.Open(context.Background(), u)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		s.SetSealer(storetest.Keyring(t))
		raw, err := sql.Open("pgx", u)
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
	u := freshURL(t)
	applied, err := postgres.Migrate(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := sqlstore.Migrations(postgres.Migrations)
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
		s, err := postgres.Open(ctx, u)
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
	applied, err = postgres.Migrate(ctx, u)
	if err != nil || len(applied) != 0 {
		t.Errorf("Migrate on a migrated database applied %v, %v; want nothing", applied, err)
	}
	s, err := postgres.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	orgs, err := s.Organisations(ctx, socle.OrganisationFilter{})
	if err != nil || len(orgs) != 2 {
		t.Errorf("after reopening: %d organisations, %v; want the 2 created", len(orgs), err)
	}
}

func TestMalformedURL(t *testing.T) {
	_, err := postgres.Open(context.Background(), "postgres://user:secret@host:notaport/db")
	if socle.ErrorCode(err) != socle.EINVALID {
		t.Fatalf("Open with a malformed URL: %v, want EINVALID", err)
	}
	if m := err.Error(); strings.Contains(m, "secret") {
		t.Errorf("the error echoes the password: %q", m)
	}
}

func BenchmarkInsertPerson(b *testing.B) {
	storetest.BenchInsertPerson(b, func(b *testing.B) socle.Store { return open(b) })
}

func BenchmarkReadPerson(b *testing.B) {
	storetest.BenchReadPerson(b, func(b *testing.B) socle.Store { return open(b) })
}

func BenchmarkLoad(b *testing.B) {
	storetest.BenchLoad(b, func(b *testing.B) socle.Store { return open(b) })
}
