package storetest

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
)

// PostgresURL returns the URL of a new, empty schema of the test PostgreSQL
// server, which tb.Cleanup drops.
func PostgresURL(tb testing.TB) string {
	tb.Helper()
	admin, u := PostgresServer(tb)
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
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// PostgresServer connects to the test PostgreSQL server
// (SOCLE_TEST_POSTGRES_URL) and returns the connection, which tb.Cleanup
// closes, and the server's URL. Without the variable the test is skipped,
// except in CI, which must run PostgreSQL (scripts/with-postgres starts a
// throwaway server).
func PostgresServer(tb testing.TB) (*sql.DB, *url.URL) {
	tb.Helper()
	base := os.Getenv("SOCLE_TEST_POSTGRES_URL")
	if base == "" {
		if os.Getenv("CI") != "" {
			tb.Fatal("SOCLE_TEST_POSTGRES_URL is not set in CI: run the tests under scripts/with-postgres")
		}
		tb.Skip("SOCLE_TEST_POSTGRES_URL is not set (run under scripts/with-postgres)")
	}
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("SOCLE_TEST_POSTGRES_URL: %v", err)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { admin.Close() })
	return admin, u
}
