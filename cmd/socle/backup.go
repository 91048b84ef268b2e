package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/term"

	"socle/backup"
	"socle/progress"
	"socle/store/auditsql"
	"socle/store/postgres"
	"socle/store/sqlite"
)

// passphraseFlags choose where the backup passphrase comes from: a file
// or the environment for automation, else a prompt on the terminal.
type passphraseFlags struct{ file string }

func (p *passphraseFlags) register(fs *flag.FlagSet, getenv func(string) string) {
	fs.StringVar(&p.file, "passphrase-file", getenv("SOCLE_BACKUP_PASSPHRASE_FILE"),
		fmt.Sprintf("file whose first line is the passphrase (env SOCLE_BACKUP_PASSPHRASE_FILE); else env SOCLE_BACKUP_PASSPHRASE, else a prompt on the terminal; at least %d characters", backup.MinPassphrase))
}

// read returns the passphrase; confirm asks twice on a terminal.
func (p passphraseFlags) read(getenv func(string) string, stderr io.Writer, confirm bool) (string, error) {
	if p.file != "" {
		b, err := os.ReadFile(p.file)
		if err != nil {
			return "", fmt.Errorf("reading the passphrase: %w", err)
		}
		line, _, _ := strings.Cut(string(b), "\n")
		return strings.TrimRight(line, "\r"), nil
	}
	if v := getenv("SOCLE_BACKUP_PASSPHRASE"); v != "" {
		return v, nil
	}
	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) {
		return "", usagef("no passphrase: give --passphrase-file, set SOCLE_BACKUP_PASSPHRASE, or run on a terminal")
	}
	fmt.Fprint(stderr, "Passphrase of the backup: ")
	b, err := term.ReadPassword(fd)
	fmt.Fprintln(stderr)
	if err != nil {
		return "", fmt.Errorf("reading the passphrase: %w", err)
	}
	if confirm {
		fmt.Fprint(stderr, "Same passphrase again: ")
		again, err := term.ReadPassword(fd)
		fmt.Fprintln(stderr)
		if err != nil {
			return "", fmt.Errorf("reading the passphrase: %w", err)
		}
		if string(again) != string(b) {
			return "", errors.New("the two passphrases differ")
		}
	}
	return string(b), nil
}

// parseOperand parses flags around one operand (DEST, FILE), given before
// or after the flags.
func parseOperand(fs *flag.FlagSet, args []string, stdout io.Writer, what string) (string, error) {
	var operand string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		operand, args = args[0], args[1:]
	} else if n := len(args); n > 0 && !strings.HasPrefix(args[n-1], "-") && (n == 1 || !strings.HasPrefix(args[n-2], "-") || strings.Contains(args[n-2], "=") || isBoolFlag(fs, args[n-2])) {
		operand, args = args[n-1], args[:n-1]
	}
	if err := parse(fs, args, stdout); err != nil {
		return "", err
	}
	if operand == "" {
		return "", usagef("%s: %s is required (see socle %s --help)", fs.Name(), what, fs.Name())
	}
	return operand, nil
}

func isBoolFlag(fs *flag.FlagSet, arg string) bool {
	f := fs.Lookup(strings.TrimLeft(arg, "-"))
	if f == nil {
		return false
	}
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

func runBackup(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("backup", "backup DIR|FILE [--data DIR | --db postgres://…] [--passphrase-file FILE]\n\n"+
		"Writes one encrypted file (age, scrypt passphrase) holding a consistent copy of the\n"+
		"database, taken while the server runs (SQLite: VACUUM INTO; PostgreSQL: pg_dump), and\n"+
		"the platform keys of the data directory. DIR gets socle-backup-<time>.age; a FILE must\n"+
		"not exist. Needs free space for a copy of the database beside the destination.\n"+
		"Restore it with socle restore.", stdout)
	var sf storeFlags
	sf.register(fs, getenv)
	var pf passphraseFlags
	pf.register(fs, getenv)
	dest, err := parseOperand(fs, args, stdout, "the destination (DIR or FILE)")
	if err != nil {
		return err
	}
	if fi, err := os.Stat(dest); err == nil && fi.IsDir() {
		dest = filepath.Join(dest, "socle-backup-"+time.Now().UTC().Format("20060102T150405Z")+".age")
	}
	if _, err := os.Stat(dest); err == nil {
		return fmt.Errorf("backup: %s exists; a backup never overwrites a file", dest)
	}
	pass, err := pf.read(getenv, stderr, true)
	if err != nil {
		return err
	}
	if err := backup.CheckPassphrase(pass); err != nil {
		return usagef("backup: %v", err)
	}
	start := time.Now()
	// The database copy goes beside the destination, then into the archive.
	tmp, err := os.MkdirTemp(filepath.Dir(dest), ".socle-backup-")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer os.RemoveAll(tmp)

	m := backup.Manifest{CreatedAt: start.UTC(), Version: version}
	var dbFiles []backup.File
	if sf.db != "" {
		m.Store, m.Database = "postgres", "postgres.dump"
		if m.Keys, m.AuditSize, err = postgresFacts(ctx, sf.db); err != nil {
			return err
		}
		dbFiles = []backup.File{{Name: m.Database, Path: filepath.Join(tmp, m.Database)}}
		if err := dumpPostgres(ctx, sf.db, dbFiles[0].Path, stderr); err != nil {
			return err
		}
	} else {
		m.Store, m.Database = "sqlite", sqlite.FileName
		info, err := snapshotSQLite(ctx, sf.data, tmp, stderr)
		if err != nil {
			return err
		}
		m.Keys, m.AuditSize = info.Fingerprints, info.AuditSize
		for _, name := range info.Files {
			dbFiles = append(dbFiles, backup.File{Name: name, Path: filepath.Join(tmp, name)})
			if name == sqlite.AuditFileName {
				m.AuditDatabase = name
			}
		}
	}
	snapshotTime := time.Since(start)

	// The keys must be those of the data: a backup of mismatched keys
	// would restore a store that refuses to start.
	files, err := keyBackupFiles(sf.data, m.Keys)
	if err != nil {
		return err
	}
	if m.Keys == nil || len(m.Keys) == 0 {
		m.Keys, _ = readKeyFingerprints(sf.data)
	}
	keyCount := len(files)
	files = append(files, dbFiles...)
	var total int64
	for _, f := range files {
		if fi, err := os.Stat(f.Path); err == nil {
			total += fi.Size()
		}
	}
	if err := writeArchive(dest, pass, m, files, total, stderr); err != nil {
		return err
	}
	fi, err := os.Stat(dest)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(stdout, "backup: %s\nstore: %s\naudit entries: %d\nkeys: %d\nsize: %s\ncopy of the database: %s\ntotal time: %s\n",
		dest, m.Store, m.AuditSize, keyCount, mib(fi.Size()), snapshotTime.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	return nil
}

// snapshotSQLite copies the SQLite data and audit files into the directory
// dest, showing the data copy's growth.
func snapshotSQLite(ctx context.Context, dataDir, dest string, stderr io.Writer) (sqlite.SnapshotInfo, error) {
	src, err := os.Stat(filepath.Join(dataDir, sqlite.FileName))
	if err != nil {
		return sqlite.SnapshotInfo{}, fmt.Errorf("backup: no SQLite database in %s (give --data, or --db for PostgreSQL): %w", dataDir, err)
	}
	stop := watchGrowth(filepath.Join(dest, sqlite.FileName), "Mio copiés", src.Size(), stderr)
	info, err := sqlite.Snapshot(ctx, dataDir, dest)
	stop()
	if err != nil {
		return info, fmt.Errorf("backup: %w", err)
	}
	return info, nil
}

// dumpPostgres runs pg_dump into dest, showing the dump's growth.
func dumpPostgres(ctx context.Context, dbURL, dest string, stderr io.Writer) error {
	f, err := os.OpenFile(dest, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer f.Close()
	stop := watchGrowth(dest, "Mio exportés", 0, stderr)
	err = postgres.Dump(ctx, dbURL, f)
	stop()
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return f.Close()
}

// postgresFacts reads the key fingerprints and the audit log size of the
// database, without creating or migrating anything the server has not.
func postgresFacts(ctx context.Context, dbURL string) (map[string]string, uint64, error) {
	db, err := postgres.Open(ctx, dbURL)
	if err != nil {
		return nil, 0, fmt.Errorf("backup: %w", err)
	}
	defer db.Close()
	fps, err := db.KeyFingerprints(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("backup: %w", err)
	}
	size, err := auditsql.New(db).Size(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("backup: %w", err)
	}
	return fps, size, nil
}

// keyBackupFiles lists the key files of dir, checking them against the
// fingerprints the database recorded.
func keyBackupFiles(dir string, recorded map[string]string) ([]backup.File, error) {
	present, err := readKeyFingerprints(dir)
	if err != nil {
		return nil, err
	}
	names, err := keyNames(dir)
	if err != nil {
		return nil, err
	}
	for name := range recorded {
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	var files []backup.File
	for _, name := range names {
		fp, ok := present[name]
		want, known := recorded[name]
		switch {
		case !ok && known:
			return nil, fmt.Errorf("backup: key %s is missing from %s: a backup without it could not open the data", name, dir)
		case ok && known && fp != want:
			return nil, fmt.Errorf("backup: key %s in %s does not belong to this database (fingerprint %s, recorded %s)", name, dir, fp, want)
		case ok:
			files = append(files, backup.File{Name: backup.KeysDir + name, Path: filepath.Join(dir, name)})
		}
	}
	if !slices.ContainsFunc(files, func(f backup.File) bool { return f.Name == backup.KeysDir+masterKeyFile }) {
		return nil, fmt.Errorf("backup: no %s in %s: give the --data directory of the server", masterKeyFile, dir)
	}
	return files, nil
}

// writeArchive writes the encrypted archive to dest through a temporary
// file, synced and renamed: a backup file that exists is complete.
func writeArchive(dest, pass string, m backup.Manifest, files []backup.File, total int64, stderr io.Writer) error {
	tmp := dest + ".partial"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer os.Remove(tmp)
	defer f.Close()
	bar := progress.New(stderr, "Mio chiffrés", total>>20)
	var carry int64
	err = backup.Write(f, pass, m, files, func(n int64) {
		carry += n
		if carry >= 1<<20 {
			bar.Add(carry >> 20)
			carry &= 1<<20 - 1
		}
	})
	bar.Done()
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := os.Rename(tmp, dest); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return syncDir(filepath.Dir(dest))
}

// watchGrowth reports, until stopped, the growth of a file being written
// by someone else (SQLite, pg_dump), against an expected size when known.
func watchGrowth(path, label string, expected int64, stderr io.Writer) (stop func()) {
	bar := progress.New(stderr, label, expected>>20)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		var shown int64
		t := time.NewTicker(500 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if fi, err := os.Stat(path); err == nil && fi.Size()>>20 > shown {
					bar.Add(fi.Size()>>20 - shown)
					shown = fi.Size() >> 20
				}
			}
		}
	}()
	return func() {
		close(done)
		<-finished
		bar.Done()
	}
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", dir, err)
	}
	return nil
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
