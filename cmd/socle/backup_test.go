package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"socle"
	"socle/audit"
	"socle/store/auditsql"
	"socle/store/sqlite"
	"socle/store/sqlstore"
	"socle/store/storetest"
)

const testPassphrase = "correct horse battery staple"

func passphraseEnv(pass string) func(string) string {
	return func(k string) string {
		if k == "SOCLE_BACKUP_PASSPHRASE" {
			return pass
		}
		return ""
	}
}

func socleEnv(t *testing.T, env func(string) string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), args, env, &out, io.Discard)
	return out.String(), err
}

// demoWithAudit generates a small demo network in a new data directory and
// appends a few audited events, so that the log has entries and a signed
// checkpoint to verify after a restore.
func demoWithAudit(t *testing.T, sf storeFlags) {
	t.Helper()
	args := []string{"demo", "--persons", "40", "--data", sf.data}
	if sf.db != "" {
		args = append(args, "--db", sf.db)
	}
	if out, err := socleCmd(t, args...); err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	var events []socle.AuditEvent
	for i := range 5 {
		events = append(events, socle.AuditEvent{Time: time.Now(), Action: "read", AgentID: fmt.Sprint("agt-", i), Allowed: true, Records: 1})
	}
	appendToAuditLog(t, sf, events...)
}

// appendToAuditLog appends events to the audit log of the store of sf,
// signed with the key of its data directory, through the real log code:
// as another server, or an intruder who read the key, would.
func appendToAuditLog(t *testing.T, sf storeFlags, events ...socle.AuditEvent) {
	t.Helper()
	ctx := context.Background()
	db, err := openStore(ctx, sf)
	must(t, err)
	defer db.Close()
	k, err := loadKeys(sf.data)
	must(t, err)
	l, err := audit.Open(ctx, auditsql.New(db), k.auditSigner, audit.Options{Logger: slog.New(slog.DiscardHandler)})
	must(t, err)
	for _, ev := range events {
		must(t, l.Append(ctx, ev))
	}
	must(t, l.Close())
}

// sealedPerson returns a person of the store with a health section, read
// with the master key of the data directory.
func sealedPerson(t *testing.T, sf storeFlags, id string) (*socle.Person, string) {
	t.Helper()
	ctx := context.Background()
	db, err := openStore(ctx, sf)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if id == "" {
		id = personWithHealth(t, db)
	}
	p, err := db.Person(ctx, id, socle.SetOf(socle.CatIdentity, socle.CatHealth))
	if err != nil {
		t.Fatalf("reading the sealed section: %v", err)
	}
	if p.Health == nil {
		t.Fatalf("person %s has no health section", id)
	}
	return p, id
}

func personWithHealth(t *testing.T, db *sqlstore.DB) string {
	t.Helper()
	var id string
	for role, pool := range db.Pools() {
		if role == "write" {
			continue
		}
		if err := pool.QueryRow(`SELECT id FROM persons WHERE health IS NOT NULL ORDER BY id LIMIT 1`).Scan(&id); err != nil {
			t.Fatalf("no person with a health section in the demo: %v", err)
		}
	}
	return id
}

var backupLine = regexp.MustCompile(`(?m)^backup: (\S+)$`)

func TestBackupRestoreVerifiesTheLogAndOpensSealedSections(t *testing.T) {
	src := storeFlags{data: t.TempDir()}
	demoWithAudit(t, src)
	before, id := sealedPerson(t, src, "")

	dest := t.TempDir()
	env := passphraseEnv(testPassphrase)
	out, err := socleEnv(t, env, "backup", dest, "--data", src.data)
	if err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	backupOut := out
	file := firstGroup(backupLine, out)
	if file == "" || filepath.Dir(file) != dest {
		t.Fatalf("backup printed no file in %s:\n%s", dest, out)
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(raw, []byte("age-encryption.org/v1")) || bytes.Contains(raw, []byte("SQLite format")) {
		t.Fatal("the backup is not an age file, or holds the database in clear")
	}
	if master, _ := os.ReadFile(filepath.Join(src.data, masterKeyFile)); len(master) == 0 || bytes.Contains(raw, bytes.TrimSpace(master)) {
		t.Fatal("the master key is in clear in the backup")
	}

	dst := storeFlags{data: filepath.Join(t.TempDir(), "restored")}
	out, err = socleEnv(t, env, "restore", file, "--data", dst.data)
	if err != nil {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	entries := firstGroup(regexp.MustCompile(`(?m)^audit entries: (\d+)$`), backupOut)
	if entries == "" || !strings.Contains(out, "audit log intact") || !strings.Contains(out, "\nentries: "+entries+"\n") {
		t.Fatalf("restore did not verify the audit log:\n%s", out)
	}
	after, _ := sealedPerson(t, dst, id)
	if !reflect.DeepEqual(after.Health, before.Health) {
		t.Fatalf("health section after restore %+v, want %+v", after.Health, before.Health)
	}
	// The log lives in its own file: the backup carries it and the restore
	// puts it back (the verification above read it there).
	if n, _ := strconv.Atoi(entries); n < 5 {
		t.Fatalf("the backup holds %s audit entries, want the demo's and 5 more", entries)
	}
	if _, err := os.Stat(filepath.Join(dst.data, sqlite.AuditFileName)); err != nil {
		t.Fatalf("no audit file restored: %v", err)
	}
	auditOnly := t.TempDir()
	copyFile(t, filepath.Join(dst.data, sqlite.AuditFileName), filepath.Join(auditOnly, sqlite.AuditFileName))

	tests := []struct {
		name string
		env  func(string) string
		args []string
		want string
	}{
		{"into a data directory that holds a store", env, []string{"restore", file, "--data", src.data}, "restore only into an empty data directory"},
		{"into a data directory that holds an audit log", env, []string{"restore", file, "--data", auditOnly}, "holds audit.db"},
		{"with the wrong passphrase", passphraseEnv("not the right passphrase"), []string{"restore", file, "--data", t.TempDir()}, "wrong passphrase"},
		{"of SQLite into PostgreSQL", env, []string{"restore", file, "--data", t.TempDir(), "--db", "postgres://localhost/socle"}, "backup of a SQLite store"},
		{"without a passphrase", noEnv, []string{"backup", dest, "--data", src.data}, "no passphrase"},
		{"with a short passphrase", passphraseEnv("short"), []string{"backup", dest, "--data", src.data}, "at least 12 characters"},
		{"over an existing file", env, []string{"backup", file, "--data", src.data}, "never overwrites"},
		{"of a directory without a store", env, []string{"backup", dest, "--data", t.TempDir()}, "no SQLite database"},
		{"without a destination", env, []string{"backup", "--data", src.data}, "destination (DIR or FILE) is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := socleEnv(t, tt.env, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q\n%s", err, tt.want, out)
			}
		})
	}
	if entries, _ := os.ReadDir(dest); len(entries) != 1 {
		t.Errorf("the destination holds %d files after failed backups, want the one backup", len(entries))
	}
}

func TestKeysMustBelongToTheData(t *testing.T) {
	ctx := context.Background()
	sf := storeFlags{data: t.TempDir()}
	db, err := openStore(ctx, sf)
	if err != nil {
		t.Fatal(err)
	}
	fps, err := db.KeyFingerprints(ctx)
	db.Close()
	if err != nil || len(fps) != len(keyFiles) {
		t.Fatalf("a new store recorded fingerprints %v (%v), want one per key", fps, err)
	}
	demoWithAudit(t, sf)

	other := t.TempDir()
	if db, err := openStore(ctx, storeFlags{data: other}); err != nil {
		t.Fatal(err)
	} else {
		db.Close()
	}
	master := filepath.Join(sf.data, masterKeyFile)
	saved, err := os.ReadFile(master)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		spoil func(t *testing.T)
		want  string
	}{
		{"a missing master key is not recreated", func(t *testing.T) { os.Remove(master) }, "person-master.key is missing"},
		{"another deployment's master key is refused", func(t *testing.T) { copyFile(t, filepath.Join(other, masterKeyFile), master) }, "does not belong to this database"},
		{"another deployment's signer key is refused", func(t *testing.T) {
			copyFile(t, filepath.Join(other, "audit-signer.key"), filepath.Join(sf.data, "audit-signer.key"))
		}, "audit-signer.key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			signer := filepath.Join(sf.data, "audit-signer.key")
			savedSigner, _ := os.ReadFile(signer)
			tt.spoil(t)
			_, err := openStore(ctx, sf)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("openStore error %v, want one containing %q", err, tt.want)
			}
			if _, err := os.Stat(master); tt.want == "person-master.key is missing" && err == nil {
				t.Fatal("a new master key was created beside existing data")
			}
			os.Remove(master)
			if err := os.WriteFile(master, saved, 0o600); err != nil {
				t.Fatal(err)
			}
			os.Remove(signer)
			if err := os.WriteFile(signer, savedSigner, 0o600); err != nil {
				t.Fatal(err)
			}
		})
	}
	// A key file the list does not name (a key a later version adds) is
	// guarded all the same once the store has met it.
	extra := filepath.Join(sf.data, "future-feature.key")
	if err := os.WriteFile(extra, []byte("00112233445566778899aabbccddeeff\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if db, err := openStore(ctx, sf); err != nil {
		t.Fatalf("a new key file beside the keys: %v", err)
	} else {
		db.Close()
	}
	os.Remove(extra)
	if _, err := openStore(ctx, sf); err == nil || !strings.Contains(err.Error(), "future-feature.key is missing") {
		t.Fatalf("openStore without future-feature.key, which the store met: %v", err)
	}
	copyFile(t, filepath.Join(other, masterKeyFile), extra) // any content: a foreign key
	if _, err := openStore(ctx, sf); err == nil || !strings.Contains(err.Error(), "future-feature.key") {
		t.Fatalf("openStore with another future-feature.key: %v", err)
	}
	os.Remove(extra)

	// Data written before fingerprints existed: the keys present are
	// adopted, a missing one is still not created.
	raw, err := sql.Open("sqlite3", filepath.Join(sf.data, sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`DELETE FROM key_fingerprints`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	os.Remove(filepath.Join(sf.data, "person-ref.key"))
	if _, err := openStore(ctx, sf); err == nil || !strings.Contains(err.Error(), "person-ref.key are missing") {
		t.Fatalf("openStore without person-ref.key beside data: %v", err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// postgresDatabase creates a new database on the test PostgreSQL server
// (a whole database: pg_dump and pg_restore work on databases, not on the
// schemas of storetest.PostgresURL) and drops it in t.Cleanup.
func postgresDatabase(t *testing.T) string {
	t.Helper()
	admin, u := storetest.PostgresServer(t)
	name := "backup_" + strings.ToLower(rand.Text()[:12])
	// The name is made here of [a-z2-7], never from input.
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(`DROP DATABASE ` + name + ` WITH (FORCE)`); err != nil {
			t.Errorf("dropping the test database: %v", err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

func TestBackupRestoreOnPostgres(t *testing.T) {
	src := storeFlags{data: t.TempDir(), db: postgresDatabase(t)}
	demoWithAudit(t, src)
	before, id := sealedPerson(t, src, "")
	env := passphraseEnv(testPassphrase)
	dest := t.TempDir()
	out, err := socleEnv(t, env, "backup", dest, "--data", src.data, "--db", src.db)
	if err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	file := firstGroup(backupLine, out)
	dst := storeFlags{data: t.TempDir(), db: postgresDatabase(t)}
	if out, err := socleEnv(t, env, "restore", file, "--data", dst.data); err == nil || !strings.Contains(err.Error(), "give the empty database") {
		t.Fatalf("restore of PostgreSQL without --db: %v\n%s", err, out)
	}
	if out, err := socleEnv(t, env, "restore", file, "--data", t.TempDir(), "--db", src.db); err == nil || !strings.Contains(err.Error(), "holds tables") {
		t.Fatalf("restore into a database with tables: %v\n%s", err, out)
	}
	out, err = socleEnv(t, env, "restore", file, "--data", dst.data, "--db", dst.db)
	if err != nil {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	if !strings.Contains(out, "audit log intact") {
		t.Fatalf("restore did not verify the audit log:\n%s", out)
	}
	after, _ := sealedPerson(t, dst, id)
	if !reflect.DeepEqual(after.Health, before.Health) {
		t.Fatalf("health section after restore %+v, want %+v", after.Health, before.Health)
	}
}

// TestKeysAddedLaterAreCreatedOnUpgrade: a store made by a version without
// the link and directory keys starts, and gets them; once recorded they are
// guarded like the others.
func TestKeysAddedLaterAreCreatedOnUpgrade(t *testing.T) {
	ctx := context.Background()
	sf := storeFlags{data: t.TempDir()}
	demoWithAudit(t, sf)
	raw, err := sql.Open("sqlite3", filepath.Join(sf.data, sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`DELETE FROM key_fingerprints WHERE name IN ('link-token.key', 'directory.key')`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	for _, name := range keysAddedLater {
		os.Remove(filepath.Join(sf.data, name))
	}
	for range 2 { // as openApp: the first start creates them, the second records them
		db, err := openStore(ctx, sf)
		if err != nil {
			t.Fatalf("an upgraded store without the keys added later: %v", err)
		}
		db.Close()
		if _, err := loadKeys(sf.data); err != nil {
			t.Fatal(err)
		}
	}
	os.Remove(filepath.Join(sf.data, "directory.key"))
	if _, err := openStore(ctx, sf); err == nil || !strings.Contains(err.Error(), "directory.key is missing") {
		t.Fatalf("openStore without directory.key once recorded: %v", err)
	}
}
