package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// SnapshotInfo is what a snapshot found in the database it copied.
type SnapshotInfo struct {
	Bytes        int64             // size of the source database (pages × page size)
	Fingerprints map[string]string // the key fingerprints recorded in it
	AuditSize    uint64            // entries of its audit log
}

// Snapshot writes a consistent copy of <dataDir>/socle.db to dest (which
// must not exist) while the server keeps serving: VACUUM INTO reads the
// database in one read transaction, which in WAL mode blocks no writer,
// and writes a compact copy. It does not migrate nor write the source.
func Snapshot(ctx context.Context, dataDir, dest string) (SnapshotInfo, error) {
	var info SnapshotInfo
	src := filepath.Join(dataDir, FileName)
	if _, err := os.Stat(src); err != nil {
		return info, fmt.Errorf("no database to back up in %s: %w", dataDir, err)
	}
	db, err := sql.Open(driverName, "file:"+src+"?mode=ro&_busy_timeout=10000")
	if err != nil {
		return info, fmt.Errorf("sqlite: %w", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if err := db.QueryRowContext(ctx, `SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()`).Scan(&info.Bytes); err != nil {
		return info, fmt.Errorf("sqlite: database size: %w", err)
	}
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, dest); err != nil {
		return info, fmt.Errorf("sqlite: copying the database: %w", err)
	}
	// The facts of the backup are read from the copy: they then describe
	// exactly what was saved.
	cp, err := sql.Open(driverName, "file:"+dest+"?mode=ro")
	if err != nil {
		return info, fmt.Errorf("sqlite: %w", err)
	}
	defer cp.Close()
	if info.Fingerprints, err = fingerprints(ctx, cp); err != nil {
		return info, err
	}
	var n int64
	err = cp.QueryRowContext(ctx, `SELECT first + entries FROM audit_batches ORDER BY first DESC LIMIT 1`).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	if err != nil {
		return info, fmt.Errorf("sqlite: audit size: %w", err)
	}
	info.AuditSize = uint64(n)
	return info, nil
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
