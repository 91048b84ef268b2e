package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"socle/backup"
	"socle/store/postgres"
	"socle/store/sqlite"
)

func runRestore(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("restore", "restore FILE [--data DIR | --db postgres://…] [--passphrase-file FILE] [--verify=false]\n\n"+
		"Restores a backup made by socle backup into an empty data directory (the keys, and the\n"+
		"SQLite database) and, for a PostgreSQL backup, an empty database given by --db. Then\n"+
		"opens the store, which checks that the keys belong to the data, and verifies the audit\n"+
		"log (as socle audit verify). Nothing is overwritten: a target that holds data is refused.", stdout)
	var sf storeFlags
	sf.register(fs, getenv)
	var pf passphraseFlags
	pf.register(fs, getenv)
	verify := fs.Bool("verify", true, "verify the audit log once restored")
	file, err := parseOperand(fs, args, stdout, "the backup FILE")
	if err != nil {
		return err
	}
	start := time.Now()
	if err := checkEmptyDataDir(sf.data); err != nil {
		return err
	}
	in, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer in.Close()
	pass, err := pf.read(getenv, stderr, false)
	if err != nil {
		return err
	}
	r, err := backup.Open(in, pass)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	m := r.Manifest
	switch {
	case m.Store == "postgres" && sf.db == "":
		return usagef("restore: this is a backup of a PostgreSQL store: give the empty database to restore into with --db")
	case m.Store == "sqlite" && sf.db != "":
		return usagef("restore: this is a backup of a SQLite store: restore it into a data directory (--data), without --db")
	case m.Store != "sqlite" && m.Store != "postgres":
		return fmt.Errorf("restore: unknown store %q in the backup", m.Store)
	}
	if sf.db != "" {
		empty, err := postgres.Empty(ctx, sf.db)
		if err != nil {
			return fmt.Errorf("restore: %w", err)
		}
		if !empty {
			return errors.New("restore: the database given by --db holds tables: restore only into an empty database (createdb a new one)")
		}
	}
	if err := os.MkdirAll(sf.data, 0o700); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	var written []string // removed if the restore fails
	ok := false
	defer func() {
		if !ok {
			for _, p := range written {
				os.Remove(p)
			}
		}
	}()
	keys, sawDB, sawAudit := 0, false, false
	for {
		name, _, body, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("restore: %w", err)
		}
		switch {
		case strings.HasPrefix(name, backup.KeysDir):
			key := strings.TrimPrefix(name, backup.KeysDir)
			if !keyFileName.MatchString(key) {
				return fmt.Errorf("restore: unexpected key %q in the backup", key)
			}
			path := filepath.Join(sf.data, key)
			if err := writeNewFile(path, body); err != nil {
				return fmt.Errorf("restore: %w", err)
			}
			written = append(written, path)
			keys++
		case (name == m.Database || m.AuditDatabase != "" && name == m.AuditDatabase) && m.Store == "sqlite":
			// A backup of a Socle that kept the audit log in the data
			// file has no audit file: opening the store moves it.
			file := sqlite.FileName
			if name == m.AuditDatabase {
				file = sqlite.AuditFileName
			}
			path := filepath.Join(sf.data, file)
			tmp := path + ".restoring"
			written = append(written, tmp, path)
			if err := writeNewFile(tmp, body); err != nil {
				return fmt.Errorf("restore: %w", err)
			}
			if err := os.Rename(tmp, path); err != nil {
				return fmt.Errorf("restore: %w", err)
			}
			sawDB = sawDB || name == m.Database
			sawAudit = sawAudit || name == m.AuditDatabase
		case name == m.Database && m.Store == "postgres":
			if err := postgres.Restore(ctx, sf.db, body); err != nil {
				return fmt.Errorf("restore: %w", err)
			}
			sawDB = true
		default:
			return fmt.Errorf("restore: unexpected member %q in the backup", name)
		}
	}
	if !sawDB {
		return fmt.Errorf("restore: the backup holds no database (%s)", m.Database)
	}
	if m.AuditDatabase != "" && !sawAudit {
		return fmt.Errorf("restore: the backup holds no audit log (%s)", m.AuditDatabase)
	}
	if err := syncDir(sf.data); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	// Opening the store checks the keys against the fingerprints recorded
	// in the database, and applies the migrations a newer Socle adds.
	db, err := openStore(ctx, sf)
	if err != nil {
		return fmt.Errorf("restore: the restored store does not open: %w", err)
	}
	db.Close()
	ok = true
	fmt.Fprintf(stdout, "restored: %s of %s (Socle %s), %d keys, %d audit entries, in %s\n",
		m.Store, m.CreatedAt.Format(time.RFC3339), m.Version, keys, m.AuditSize, time.Since(start).Round(time.Millisecond))
	if !*verify {
		return nil
	}
	storeArgs := []string{"--data", sf.data}
	if sf.db != "" {
		storeArgs = append(storeArgs, "--db", sf.db)
	}
	return runAuditVerify(ctx, storeArgs, getenv, stdout, stderr)
}

// checkEmptyDataDir refuses a data directory that holds a database or a
// key: a restore never overwrites, nor mixes with, what is there.
func checkEmptyDataDir(dir string) error {
	keys, err := keyNames(dir)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	for _, name := range append([]string{sqlite.FileName, sqlite.FileName + "-wal", sqlite.AuditFileName, sqlite.AuditFileName + "-wal"}, keys...) {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return fmt.Errorf("restore: %s already holds %s: restore only into an empty data directory", dir, name)
		}
	}
	return nil
}

// writeNewFile writes r to a new file (never an existing one), synced.
func writeNewFile(path string, r io.Reader) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
