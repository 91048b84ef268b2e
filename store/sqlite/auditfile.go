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
	"strings"
	"time"

	"socle/store/sqlstore"
)

// The journal des accès lives in its own file, AuditFileName, beside the
// data file. Its single writer group-commits batches of appends, each
// fsynced; in the data file these commits grew the write-ahead log that
// every read of the data searches, and queued behind the data's writers
// on one connection. Apart, each file has its own writer, its own log and
// its own checkpoint policy. No access depends on both files being
// written together: an access is appended (durably) before the data is
// read or written, so after a crash the log may only hold more than the
// data shows, never less.

// AuditFileName is the name of the audit log's database file in the data
// directory.
const AuditFileName = "audit.db"

//go:embed audit_migrations/*.sql
var auditMigrationFiles embed.FS

// AuditMigrations are the numbered SQL migrations of the audit file.
var AuditMigrations, _ = fs.Sub(auditMigrationFiles, "audit_migrations")

// auditPageSize is the page size of a new audit file. A batch row of 32
// entries is about 15 KB: with SQLite's default 4 KiB pages it spans a
// chain of overflow pages, each a frame written to the log and a page a
// person's access history reads; with 16 KiB pages it is one page.
const auditPageSize = 16 << 10

// auditWALTruncateSize is the size of the audit file's write-ahead log
// past which its checkpointer truncates it (a variable for tests).
var auditWALTruncateSize int64 = 64 << 20

// auditCheckpoints copy the audit file's log back every second: its
// readers (searches, verification, live detection) are few next to the
// appends, and a rarer checkpoint fsyncs the audit file less often beside
// the writer's commits.
var auditCheckpoints = checkpointPolicy{every: time.Second, truncate: &auditWALTruncateSize}

// auditDSN returns the data source name of the audit file. Its page cache
// is smaller than the data file's: what is read again is the newest
// block summary and the edge of the tree.
func auditDSN(path string, writer bool) string {
	return connDSN(path+"?_journal_mode=WAL&_cache_size=-65536", writer)
}

// openAuditDB opens (creating it if needed) the audit file of dataDir,
// migrates it, moves into it the log that the data file (whose write pool
// is data) may still hold, and starts its checkpointer.
func openAuditDB(ctx context.Context, dataDir string, data *sql.DB) (*sqlstore.DB, error) {
	path := filepath.Join(dataDir, AuditFileName)
	write, err := migrateAuditDB(ctx, dataDir, data)
	if err != nil {
		return nil, err
	}
	read, err := sql.Open(driverName, auditDSN(path, false))
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: audit file: %w", err)
	}
	read.SetMaxOpenConns(max(2, runtime.GOMAXPROCS(0)))
	read.SetMaxIdleConns(max(2, runtime.GOMAXPROCS(0)))
	if err := read.PingContext(ctx); err != nil {
		write.Close()
		read.Close()
		return nil, fmt.Errorf("sqlite: audit file: %w", err)
	}
	db := sqlstore.New(read, write, Dialect)
	ck, err := startCheckpointer(ctx, path, driverName, auditCheckpoints)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: audit file checkpointer: %w", err)
	}
	db.OnClose(ck.Close)
	return db, nil
}

// migrateAuditDB creates the audit file if needed, applies its migrations
// and moves the log of the data file into it; it returns its write pool.
func migrateAuditDB(ctx context.Context, dataDir string, data *sql.DB) (*sql.DB, error) {
	path := filepath.Join(dataDir, AuditFileName)
	if err := createAuditFile(ctx, path); err != nil {
		return nil, err
	}
	write, err := openSingle(ctx, driverName, auditDSN(path, true))
	if err != nil {
		return nil, fmt.Errorf("sqlite: opening %s: %w", path, err)
	}
	if _, err := sqlstore.Migrate(ctx, write, Dialect, AuditMigrations); err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: audit file: %w", err)
	}
	if err := moveAuditLog(ctx, data, write, filepath.Join(dataDir, FileName)); err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	return write, nil
}

// createAuditFile creates an empty audit file with its page size, in WAL
// mode, if there is none: the page size of a database in WAL mode can no
// longer change.
func createAuditFile(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	db, err := sql.Open(driverName, path)
	if err != nil {
		return fmt.Errorf("sqlite: creating %s: %w", path, err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, fmt.Sprintf(`PRAGMA page_size = %d; PRAGMA journal_mode = WAL`, auditPageSize)); err != nil {
		return fmt.Errorf("sqlite: creating %s: %w", path, err)
	}
	return db.Close()
}

// auditTables are the tables of the audit log with their columns, primary
// key first; blobs and texts may be NULL only where the schema allows.
var auditTables = []struct{ name, key, columns string }{
	{"audit_batches", "first", "first, entries, leaves, hashes"},
	{"audit_blocks", "block", "block, min_at, max_at, bloom, persons"},
	{"audit_checkpoints", "id", "id, tree_size, note, created_at"},
	{"audit_witnessed", "id", "id, tree_size, note, created_at"},
}

// moveAuditLog moves the audit log that a data file written by an earlier
// Socle holds (dataPath, whose write pool is data) into the audit file
// (whose write pool is audit): copied in one transaction, compared row by
// row with the original, and only then dropped from the data file. A
// move interrupted after the copy is finished at the next start; an audit
// file that holds another log than the data file's is refused, never
// merged: the log would fork.
func moveAuditLog(ctx context.Context, data, audit *sql.DB, dataPath string) error {
	var legacy int
	if err := data.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'audit_batches'`).Scan(&legacy); err != nil {
		return fmt.Errorf("looking for an audit log in the data file: %w", err)
	}
	if legacy == 0 {
		return nil
	}
	rows, err := auditRows(ctx, data)
	if err != nil {
		return fmt.Errorf("the audit log of the data file: %w", err)
	}
	if rows > 0 {
		if err := copyAuditLog(ctx, audit, dataPath); err != nil {
			return fmt.Errorf("moving the audit log from %s to %s: %w", filepath.Base(dataPath), AuditFileName, err)
		}
	}
	// The copy is durable (synchronous=FULL) before the original goes.
	tx, err := data.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("dropping the moved audit log: %w", err)
	}
	defer tx.Rollback()
	for _, t := range auditTables {
		if _, err := tx.ExecContext(ctx, `DROP TABLE IF EXISTS `+t.name); err != nil {
			return fmt.Errorf("dropping the moved audit log: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("dropping the moved audit log: %w", err)
	}
	return nil
}

// auditRows counts the rows of the audit tables of db (schema main).
func auditRows(ctx context.Context, db interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (int64, error) {
	var total int64
	for _, t := range auditTables {
		var n int64
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM `+t.name).Scan(&n); err != nil {
			return 0, fmt.Errorf("counting %s: %w", t.name, err)
		}
		total += n
	}
	return total, nil
}

// copyAuditLog copies the audit tables of the data file at dataPath into
// the audit file, unless it holds them already (a move interrupted after
// its copy), and checks that both hold the same rows.
func copyAuditLog(ctx context.Context, audit *sql.DB, dataPath string) error {
	conn, err := audit.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `ATTACH DATABASE ? AS data`, "file:"+dataPath+"?mode=ro"); err != nil {
		return fmt.Errorf("attaching the data file: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `DETACH DATABASE data`)
	held, err := auditRows(ctx, conn)
	if err != nil {
		return err
	}
	if held == 0 {
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		for _, t := range auditTables {
			if _, err := tx.ExecContext(ctx, `INSERT INTO main.`+t.name+` (`+t.columns+`) SELECT `+t.columns+` FROM data.`+t.name+` ORDER BY `+t.key); err != nil {
				return fmt.Errorf("copying %s: %w", t.name, err)
			}
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("copying: commit: %w", err)
		}
	}
	for _, t := range auditTables {
		same := []string{}
		for _, c := range strings.Split(t.columns, ", ") {
			same = append(same, "a."+c+" IS d."+c)
		}
		var inData, inAudit, equal int64
		err := conn.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM data.`+t.name+`), (SELECT count(*) FROM main.`+t.name+`),
			(SELECT count(*) FROM data.`+t.name+` d JOIN main.`+t.name+` a ON a.`+t.key+` = d.`+t.key+` WHERE `+strings.Join(same, " AND ")+`)`).
			Scan(&inData, &inAudit, &equal)
		if err != nil {
			return fmt.Errorf("comparing %s: %w", t.name, err)
		}
		if inData != equal || inAudit != equal {
			return errors.Join(ErrAuditForked, fmt.Errorf("%s: %d rows in the data file, %d in the audit file, %d the same", t.name, inData, inAudit, equal))
		}
	}
	return nil
}

// ErrAuditForked is the error of a data directory whose data file and
// audit file hold different audit logs: Socle refuses to start rather
// than choose one.
var ErrAuditForked = errors.New("the data file and the audit file hold different audit logs; keep the one to trust and move the other away")
