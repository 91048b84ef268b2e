package postgres_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"socle"
	"socle/store/postgres"
	"socle/store/storetest"
)

// freshURL returns the URL of a new, empty schema of the test server.
var freshURL = storetest.PostgresURL

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
