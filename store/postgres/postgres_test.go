package postgres_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"socle"
	"socle/store/postgres"
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

var engine = storetest.Engine{
	Fresh:      freshURL,
	Open:       postgres.Open,
	Migrate:    postgres.Migrate,
	Migrations: postgres.Migrations,
	RawDB:      func(u string) (*sql.DB, error) { return sql.Open("pgx", u) },
}

func TestEngine(t *testing.T) { storetest.RunEngine(t, engine) }

func BenchmarkEngine(b *testing.B) { storetest.BenchEngine(b, engine) }

func TestMalformedURL(t *testing.T) {
	_, err := postgres.Open(context.Background(), "postgres://user:secret@host:notaport/db")
	if socle.ErrorCode(err) != socle.EINVALID {
		t.Fatalf("Open with a malformed URL: %v, want EINVALID", err)
	}
	if m := err.Error(); strings.Contains(m, "secret") {
		t.Errorf("the error echoes the password: %q", m)
	}
}
