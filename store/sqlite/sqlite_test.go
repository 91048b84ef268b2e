package sqlite_test

import (
	"database/sql"
	"path/filepath"
	"testing"

	"socle/store/sqlite"
	"socle/store/storetest"
)

var engine = storetest.Engine{
	Fresh:      func(tb testing.TB) string { return tb.TempDir() },
	Open:       sqlite.Open,
	Migrate:    sqlite.Migrate,
	Migrations: sqlite.Migrations,
	RawDB: func(dir string) (*sql.DB, error) {
		return sql.Open("sqlite3", filepath.Join(dir, sqlite.FileName))
	},
	RawAuditDB: func(dir string) (*sql.DB, error) {
		return sql.Open("sqlite3", filepath.Join(dir, sqlite.AuditFileName))
	},
}

func TestEngine(t *testing.T) { storetest.RunEngine(t, engine) }

func BenchmarkEngine(b *testing.B) { storetest.BenchEngine(b, engine) }
