// Package postgres is the production store of Socle: PostgreSQL through
// pgx's database/sql driver, behind the shared sqlstore code, with bulk
// loads through COPY.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"socle"
	"socle/store/sqlstore"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations holds the numbered SQL migrations of the PostgreSQL schema.
var Migrations, _ = fs.Sub(migrationFiles, "migrations")

// migrationLockKey is the advisory lock that serialises migrations of
// processes starting together.
const migrationLockKey = 0x50c1e

// auditLockKey is the transaction advisory lock that sequences the audit
// appends and checkpoints of the servers sharing the database, with the
// hash of the schema as second key (see Lease).
const auditLockKey = 0x50c1e0

// changeLockKey sequences the appends to the change feed (record_changes)
// of the servers sharing the database.
const changeLockKey = 0x50c1e1

// Dialect describes PostgreSQL to sqlstore.
var Dialect = sqlstore.Dialect{
	Name:            "postgres",
	Numbered:        true,
	MaxParams:       65535,
	MigrationsTable: `CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL)`,
	MigrationLock:   fmt.Sprintf(`SELECT pg_advisory_xact_lock(%d)`, migrationLockKey),
	AuditLock:       fmt.Sprintf(`SELECT pg_advisory_xact_lock(%d, hashtext(current_schema()))`, auditLockKey),
	ChangeLock:      fmt.Sprintf(`SELECT pg_advisory_xact_lock(%d, hashtext(current_schema()))`, changeLockKey),
	Constraint:      constraint,
	BulkLoad:        bulkLoad,
	// Indexes that back a constraint (primary keys, UNIQUE) are excluded.
	IndexQuery: `SELECT i.indexname, i.indexdef FROM pg_indexes i
		WHERE i.schemaname = current_schema() AND i.tablename = ?
		AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname AND c.connamespace = current_schema()::regnamespace)
		ORDER BY i.indexname`,
}

// constraint classifies a PostgreSQL error by its SQLSTATE.
func constraint(err error) (sqlstore.ConstraintKind, string) {
	var e *pgconn.PgError
	if !errors.As(err, &e) {
		return sqlstore.NoConstraint, ""
	}
	switch e.Code {
	case "23505":
		return sqlstore.UniqueViolation, e.ConstraintName
	case "23503":
		return sqlstore.ForeignKeyViolation, e.ConstraintName
	case "23502":
		return sqlstore.NotNullViolation, e.ColumnName
	case "23514", "23P01", "22001", "22003", "22007", "22008", "22P02":
		// Check and exclusion constraints, and values a column refuses.
		return sqlstore.CheckViolation, e.ConstraintName
	}
	return sqlstore.NoConstraint, ""
}

func init() { socle.RegisterUnavailable(unavailable) }

// unavailable recognises the errors of a PostgreSQL server that cannot
// answer for now: no connection (refused, reset, timed out, closed), a
// server shutting down, starting or crashed (57P01–57P03), a connection
// exception (class 08), insufficient resources such as a full disk or too
// many connections (class 53), a serialisation failure or deadlock to
// retry (40001, 40P01). Callers see EUNAVAILABLE (503, retry later).
func unavailable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case strings.HasPrefix(pe.Code, "08"), strings.HasPrefix(pe.Code, "53"), strings.HasPrefix(pe.Code, "57P"),
			pe.Code == "40001", pe.Code == "40P01":
			return true
		}
		return false
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) || errors.As(err, &ne) || pgconn.SafeToRetry(err) || pgconn.Timeout(err) ||
		errors.Is(err, pgconn.ErrConnClosed) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// bulkLoad copies the tables in order in one transaction with COPY, on the
// pgx connection under database/sql.
func bulkLoad(ctx context.Context, db *sql.DB, tables []sqlstore.Table) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(driverConn any) error {
		pc := driverConn.(*stdlib.Conn).Conn()
		tx, err := pc.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(ctx)
		for _, t := range tables {
			if len(t.Rows) == 0 {
				continue
			}
			for _, row := range t.Rows {
				copyValues(row)
			}
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.Name}, t.Columns, pgx.CopyFromRows(t.Rows)); err != nil {
				return fmt.Errorf("copying into %s: %w", t.Name, err)
			}
		}
		return tx.Commit(ctx)
	})
}

// copyValues replaces in place the values COPY's binary format cannot take
// as they are: dates go as times.
func copyValues(row []any) {
	for i, v := range row {
		if d, ok := v.(socle.Date); ok {
			if d.IsZero() {
				row[i] = nil
			} else {
				row[i] = d.Time()
			}
		}
	}
}

// Open connects to the database at url (postgres://…), applies the
// migrations it lacks, and returns the store.
func Open(ctx context.Context, url string) (*sqlstore.DB, error) {
	db, err := connect(ctx, url)
	if err != nil {
		return nil, err
	}
	if _, err := sqlstore.Migrate(ctx, db, Dialect, Migrations); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return sqlstore.New(db, db, Dialect), nil
}

// Migrate applies the migrations that the database at url lacks and
// returns their versions (socle migrate). Open does it too.
func Migrate(ctx context.Context, url string) ([]int, error) {
	db, err := connect(ctx, url)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	applied, err := sqlstore.Migrate(ctx, db, Dialect, Migrations)
	if err != nil {
		return applied, fmt.Errorf("postgres: %w", err)
	}
	return applied, nil
}

func connect(ctx context.Context, url string) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		// The URL may hold a password: never echo it.
		return nil, socle.Errorf(socle.EINVALID, "postgres: the database URL is malformed")
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(10)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: connecting to %s:%d/%s: %w", cfg.Host, cfg.Port, cfg.Database, err)
	}
	return db, nil
}
