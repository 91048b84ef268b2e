package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// SnapshotInfo is what a snapshot found in the databases it copied.
type SnapshotInfo struct {
	Bytes        int64             // size of the source databases (pages × page size)
	Fingerprints map[string]string // the key fingerprints recorded in the data file
	AuditSize    uint64            // entries of its audit log
	// Files are the names of the copies written in the destination
	// directory: FileName, and AuditFileName unless the data directory
	// was written by a Socle that kept the log in the data file.
	Files []string
}

// Snapshot writes into the directory destDir consistent copies of the
// data file and of the audit file of dataDir (FileName, AuditFileName;
// neither may exist in destDir) while the server keeps serving: VACUUM
// INTO reads a database in one read transaction, which in WAL mode blocks
// no writer, and writes a compact copy. The data file is copied first:
// every access is appended to the log before it happens, so the log's
// copy, taken after, holds at least every access the data's copy shows.
// It does not migrate nor write the sources.
func Snapshot(ctx context.Context, dataDir, destDir string) (SnapshotInfo, error) {
	var info SnapshotInfo
	src := filepath.Join(dataDir, FileName)
	if _, err := os.Stat(src); err != nil {
		return info, fmt.Errorf("no database to back up in %s: %w", dataDir, err)
	}
	// copyOut copies the database file name of dataDir (what it holds
	// names it in errors) into destDir and opens the copy read-only: the
	// facts of the backup are read from the copies, so that they describe
	// exactly what was saved.
	copyOut := func(name, what string) (*sql.DB, error) {
		n, err := vacuumInto(ctx, filepath.Join(dataDir, name), filepath.Join(destDir, name))
		if err != nil {
			return nil, fmt.Errorf("sqlite: copying %s: %w", what, err)
		}
		info.Bytes += n
		info.Files = append(info.Files, name)
		cp, err := sql.Open(driverName, "file:"+filepath.Join(destDir, name)+"?mode=ro")
		if err != nil {
			return nil, fmt.Errorf("sqlite: %w", err)
		}
		return cp, nil
	}
	cp, err := copyOut(FileName, "the database")
	if err != nil {
		return info, err
	}
	defer cp.Close()
	if info.Fingerprints, err = fingerprints(ctx, cp); err != nil {
		return info, err
	}
	log := cp // a data file that still holds the log (moved at its next Open)
	auditSrc := filepath.Join(dataDir, AuditFileName)
	if _, err := os.Stat(auditSrc); err == nil {
		acp, err := copyOut(AuditFileName, "the audit log")
		if err != nil {
			return info, err
		}
		defer acp.Close()
		log = acp
	}
	var size int64
	err = log.QueryRowContext(ctx, `SELECT first + entries FROM audit_batches ORDER BY first DESC LIMIT 1`).Scan(&size)
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	if err != nil {
		return info, fmt.Errorf("sqlite: audit size: %w", err)
	}
	info.AuditSize = uint64(size)
	return info, nil
}

// vacuumInto writes a compact copy of the database src to dest and
// returns the size of src.
func vacuumInto(ctx context.Context, src, dest string) (int64, error) {
	db, err := sql.Open(driverName, "file:"+src+"?mode=ro&_busy_timeout=10000")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var n int64
	if err := db.QueryRowContext(ctx, `SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()`).Scan(&n); err != nil {
		return 0, fmt.Errorf("database size: %w", err)
	}
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, dest); err != nil {
		return 0, err
	}
	return n, nil
}

// fingerprints reads the key fingerprints of a database; none before the
// migration that records them.
func fingerprints(ctx context.Context, db *sql.DB) (map[string]string, error) {
	fps := map[string]string{}
	var exists int
	err := db.QueryRowContext(ctx, `SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'key_fingerprints'`).Scan(&exists)
	if errors.Is(err, sql.ErrNoRows) {
		return fps, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: key fingerprints: %w", err)
	}
	rows, err := db.QueryContext(ctx, `SELECT name, fingerprint FROM key_fingerprints`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: key fingerprints: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var name, fp string
		if err := rows.Scan(&name, &fp); err != nil {
			return nil, fmt.Errorf("sqlite: key fingerprints: %w", err)
		}
		fps[name] = fp
	}
	return fps, rows.Err()
}
