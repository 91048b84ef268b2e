// Package sqlite is the embedded default store of Socle: one SQLite file
// for the data and one for the audit log (auditfile.go) in the data
// directory, in WAL mode, behind the shared sqlstore code.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/mattn/go-sqlite3"

	"socle"
	"socle/store/sqlstore"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations holds the numbered SQL migrations of the SQLite schema: the
// shared ones of sqlstore with the words below, and the engine's own.
var Migrations = sqlstore.EngineMigrations(ownMigrations, migrationWords)

// ownMigrations are those whose statements differ from the other engine's.
var ownMigrations, _ = fs.Sub(migrationFiles, "migrations")

// migrationWords spells for SQLite what the shared migrations write {word}.
var migrationWords = map[string]string{
	"timestamp":   "TEXT",
	"date":        "TEXT",
	"json":        "TEXT",
	"c_collation": "",
	"bytes":       "BLOB",
	"bigint":      "INTEGER",
	"double":      "REAL",
	"flag":        "INTEGER",
	"false":       "0",
	"serial_key":  "INTEGER PRIMARY KEY AUTOINCREMENT",
	"strpos":      "instr", // position of a substring, from 1; 0 when absent
}

// stmtCacheSize is how many prepared statements each connection keeps.
const stmtCacheSize = 128

// FileName is the name of the database file in the data directory.
const FileName = "socle.db"

// Dialect describes SQLite to sqlstore.
var Dialect = sqlstore.Dialect{
	Name:            "sqlite",
	MaxParams:       32766, // SQLITE_MAX_VARIABLE_NUMBER since 3.32
	MigrationsTable: `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`,
	Constraint:      constraint,
	// Indexes created by CREATE INDEX have their statement in sql; those of
	// PRIMARY KEY and UNIQUE constraints have NULL.
	IndexQuery: `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name`,
}

// constraint classifies a SQLite error. SQLite names the columns of a
// unique violation ("UNIQUE constraint failed: companies.siret").
func constraint(err error) (sqlstore.ConstraintKind, string) {
	var e sqlite3.Error
	if !errors.As(err, &e) || e.Code != sqlite3.ErrConstraint {
		return sqlstore.NoConstraint, ""
	}
	name := e.Error()
	if _, after, ok := strings.Cut(name, "constraint failed: "); ok {
		name = after
	}
	switch e.ExtendedCode {
	case sqlite3.ErrConstraintUnique, sqlite3.ErrConstraintPrimaryKey:
		return sqlstore.UniqueViolation, name
	case sqlite3.ErrConstraintForeignKey:
		return sqlstore.ForeignKeyViolation, name
	case sqlite3.ErrConstraintNotNull:
		return sqlstore.NotNullViolation, name
	}
	return sqlstore.CheckViolation, name
}

func init() { socle.RegisterUnavailable(unavailable) }

// unavailable recognises the SQLite errors that mean the database cannot
// be written or read for now (locked past the busy timeout, a full disk,
// an I/O error, a file that cannot be opened or written): EUNAVAILABLE,
// retry later, rather than an internal error.
func unavailable(err error) bool {
	var e sqlite3.Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code {
	case sqlite3.ErrBusy, sqlite3.ErrLocked, sqlite3.ErrFull, sqlite3.ErrIoErr, sqlite3.ErrCantOpen, sqlite3.ErrReadonly, sqlite3.ErrNomem:
		return true
	}
	return false
}

// driverName is the SQLite driver with the connection settings that the
// DSN cannot carry. No connection checkpoints the write-ahead log by itself
// (wal_autocheckpoint = 0): the checkpointer does it in the background
// (checkpoint.go), so that a commit of the audit log's group commit never
// carries a checkpoint, while the log stays short for readers. Reads use
// no memory map: every commit that grows the file made the next read
// unmap and remap it, flushing the TLB.
const driverName = "socle-sqlite3"

func init() {
	sql.Register(driverName, &sqlite3.SQLiteDriver{
		ConnectHook: func(c *sqlite3.SQLiteConn) error {
			_, err := c.Exec(`PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = 0`, nil)
			return err
		},
	})
}

// dsn returns the data source name of the database file. The writer takes
// the write lock when it begins (immediate), so that a transaction never
// fails upgrading from read to write.
//
// synchronous=FULL makes every commit fsync the write-ahead log before it
// returns: an acknowledged write, and every audit batch (one transaction),
// survives an OS crash or a power loss. NORMAL only syncs at checkpoints
// and loses the last commits. The audit log's group commit keeps this to
// one fsync per batch.
func dsn(path string, writer bool) string {
	return connDSN(path+"?_journal_mode=WAL&_cache_size=-262144", writer)
}

// connDSN adds to the data source name base (a path and its first
// parameters) the settings every connection of Socle shares. Each
// connection keeps its last statements prepared (_stmt_cache_size): the
// queries of a request are the same few every time, and preparing them
// again took a quarter of SQLite's time serving an audited read.
func connDSN(base string, writer bool) string {
	params := "&_busy_timeout=10000&_foreign_keys=on&_synchronous=FULL&_stmt_cache_size=" + strconv.Itoa(stmtCacheSize)
	if writer {
		params += "&_txlock=immediate"
	} else {
		params += "&_query_only=1"
	}
	return base + params
}

// Open opens (creating it if needed) the database <dataDir>/socle.db and
// applies the migrations it lacks. Writes go through one connection, where
// they queue instead of failing with SQLITE_BUSY; reads use a pool.
func Open(ctx context.Context, dataDir string) (*sqlstore.DB, error) {
	write, err := openWriter(ctx, dataDir)
	if err != nil {
		return nil, err
	}
	if _, err := sqlstore.Migrate(ctx, write, Dialect, Migrations); err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	read, err := sql.Open(driverName, dsn(filepath.Join(dataDir, FileName), false))
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	read.SetMaxOpenConns(max(4, 2*runtime.GOMAXPROCS(0)))
	read.SetMaxIdleConns(max(4, 2*runtime.GOMAXPROCS(0)))
	if err := read.PingContext(ctx); err != nil {
		write.Close()
		read.Close()
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	db := sqlstore.New(read, write, Dialect)
	ck, err := startCheckpointer(ctx, filepath.Join(dataDir, FileName), driverName, dataCheckpoints)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: checkpointer: %w", err)
	}
	db.OnClose(ck.Close)
	adb, err := openAuditDB(ctx, dataDir, write)
	if err != nil {
		db.Close()
		return nil, err
	}
	db.SetAuditDB(adb)
	db.OnClose(adb.Close)
	return db, nil
}

// Migrate applies the migrations that <dataDir>/socle.db lacks and returns
// their versions (socle migrate). Open does it too.
func Migrate(ctx context.Context, dataDir string) ([]int, error) {
	db, err := openWriter(ctx, dataDir)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	applied, err := sqlstore.Migrate(ctx, db, Dialect, Migrations)
	if err != nil {
		return applied, fmt.Errorf("sqlite: %w", err)
	}
	// The audit file, and the move of a log the data file still holds.
	a, err := migrateAuditDB(ctx, dataDir, db)
	if err != nil {
		return applied, err
	}
	return applied, a.Close()
}

func openWriter(ctx context.Context, dataDir string) (*sql.DB, error) {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("sqlite: data directory: %w", err)
	}
	db, err := openSingle(ctx, driverName, dsn(filepath.Join(dataDir, FileName), true))
	if err != nil {
		return nil, fmt.Errorf("sqlite: opening %s: %w", filepath.Join(dataDir, FileName), err)
	}
	return db, nil
}

// openSingle opens a pool of one connection that stays open, and checks it.
func openSingle(ctx context.Context, driver, dsn string) (*sql.DB, error) {
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}
