package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3"

	"socle"
	"socle/audit"
	"socle/gate"
	"socle/policy"
	"socle/store/sqlite"
	"socle/store/storetest"
)

// auditedDir builds, through the real app and gate, a data directory whose
// audit log holds 20 reads in each of two sessions, and what the app
// records itself. It returns the directory and the size of the log at the
// end of each session, where the app signs a checkpoint.
func auditedDir(t *testing.T) (string, [2]uint64) {
	t.Helper()
	return auditedDirIn(t, t.TempDir(), nil)
}

// auditedDirIn is auditedDir in dir, the app's checkpoints cosigned by
// witnesses.
func auditedDirIn(t *testing.T, dir string, witnesses []audit.Witness) (string, [2]uint64) {
	t.Helper()
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	var person string
	var actor socle.Actor
	var sizes [2]uint64
	for session := range 2 {
		a, err := openApp(ctx, storeFlags{data: dir}, siteConfig{baseURL: "http://localhost", witnesses: witnesses}, logger)
		if err != nil {
			t.Fatal(err)
		}
		if session == 0 {
			org := storetest.NewOrganisation("Mission Locale de Lyon", socle.KindYouth, "69")
			must(t, a.store.CreateOrganisation(ctx, org))
			ag := storetest.NewAgent(org.ID, "claire@ml-lyon.fr")
			must(t, a.store.CreateAgent(ctx, ag))
			p := storetest.NewPerson(1)
			p.Parcours.Situation = socle.SituationYouth
			p.Identity.BirthDate = socle.NewDate(2004, 3, 2)
			must(t, a.store.CreatePerson(ctx, p))
			must(t, a.store.CreateFollowup(ctx, &socle.Followup{PersonID: p.ID, OrganisationID: org.ID, AgentID: ag.ID, Start: socle.NewDate(2025, 3, 2)}))
			person = p.ID
			actor = socle.Actor{AgentID: ag.ID, OrganisationID: org.ID, OrgKind: org.Kind, OrgName: org.Name,
				Roles: ag.Roles, Departements: org.Departements, Strength: socle.AuthMFA}
		}
		for range 20 {
			req := gate.Request{Actor: actor, Purpose: policy.PurposeAccompagnement, RequestID: "test", RemoteAddr: "127.0.0.1"}
			if _, _, err := a.gate.ReadPerson(ctx, req, person, 0); err != nil {
				t.Fatal(err)
			}
		}
		sizes[session] = a.audit.Size()
		must(t, a.Close())
	}
	return dir, sizes
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// copyDir copies the files of a data directory.
func copyDir(t *testing.T, from string) string {
	t.Helper()
	to := t.TempDir()
	files, err := os.ReadDir(from)
	must(t, err)
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(from, f.Name()))
		must(t, err)
		must(t, os.WriteFile(filepath.Join(to, f.Name()), b, 0o600))
	}
	return to
}

// tamper runs statements on the SQLite file of dir, as an intruder with
// write access to the database would.
// SQLite keeps the entries one row per batch: fn sees them as a table
// audit_entries of one row per entry (storetest.TamperAudit).
func tamper(t *testing.T, dir string, fn func(db storetest.AuditTx) error) {
	t.Helper()
	db, err := sql.Open("sqlite3", filepath.Join(dir, sqlite.AuditFileName))
	must(t, err)
	defer db.Close()
	must(t, storetest.TamperAudit(context.Background(), db, true, fn))
}

func leafOf(db storetest.AuditTx, idx int) ([]byte, []byte, error) {
	var leaf, hashes []byte
	err := db.QueryRowContext(context.Background(), `SELECT leaf, hashes FROM audit_entries WHERE idx = ?`, idx).Scan(&leaf, &hashes)
	return leaf, hashes, err
}

func TestAuditVerify(t *testing.T) {
	base, sizes := auditedDir(t)
	tests := []struct {
		name   string
		tamper func(db storetest.AuditTx) error
		bad    int // -1: intact
	}{
		{"intact", nil, -1},
		{"leaf byte altered", func(db storetest.AuditTx) error {
			leaf, _, err := leafOf(db, 17)
			if err != nil {
				return err
			}
			leaf[len(leaf)-3] ^= 1
			_, err = db.ExecContext(context.Background(), `UPDATE audit_entries SET leaf = ? WHERE idx = 17`, leaf)
			return err
		}, 17},
		{"entry deleted", func(db storetest.AuditTx) error {
			_, err := db.ExecContext(context.Background(), `DELETE FROM audit_entries WHERE idx = 23`)
			return err
		}, 23},
		{"entries swapped", func(db storetest.AuditTx) error {
			l10, h10, err := leafOf(db, 10)
			if err != nil {
				return err
			}
			l30, h30, err := leafOf(db, 30)
			if err != nil {
				return err
			}
			if _, err := db.ExecContext(context.Background(), `UPDATE audit_entries SET leaf = ?, hashes = ? WHERE idx = 10`, l30, h30); err != nil {
				return err
			}
			_, err = db.ExecContext(context.Background(), `UPDATE audit_entries SET leaf = ?, hashes = ? WHERE idx = 30`, l10, h10)
			return err
		}, 10},
		{"entry inserted", func(db storetest.AuditTx) error {
			// Shift entries 16… up by one and replay entry 5 at 16.
			if _, err := db.ExecContext(context.Background(), `UPDATE audit_entries SET idx = -idx - 1 WHERE idx >= 16`); err != nil {
				return err
			}
			if _, err := db.ExecContext(context.Background(), `UPDATE audit_entries SET idx = -idx WHERE idx < 0`); err != nil {
				return err
			}
			_, err := db.ExecContext(context.Background(), `INSERT INTO audit_entries (idx, leaf, hashes) SELECT 16, leaf, hashes FROM audit_entries WHERE idx = 4`)
			return err
		}, 16},
		{"checkpoint altered", func(db storetest.AuditTx) error {
			// The last checkpoint now claims one more entry: its
			// signature fails, the entries after the one before it are
			// no longer proven.
			last := strconv.FormatUint(sizes[1], 10)
			res, err := db.ExecContext(context.Background(), `UPDATE audit_checkpoints SET note = CAST(replace(CAST(note AS TEXT), ?, ?) AS BLOB) WHERE tree_size = ?`,
				"\n"+last+"\n", "\n"+strconv.FormatUint(sizes[1]+1, 10)+"\n", sizes[1])
			if n, _ := res.RowsAffected(); err == nil && n == 0 {
				err = errors.New("no checkpoint altered")
			}
			return err
		}, int(sizes[0])},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := copyDir(t, base)
			if tt.tamper != nil {
				tamper(t, dir, tt.tamper)
			}
			var out bytes.Buffer
			err := run(context.Background(), []string{"audit", "verify", "--data", dir}, noEnv, &out, io.Discard)
			if tt.bad < 0 {
				if err != nil || !strings.Contains(out.String(), "entries: "+strconv.FormatUint(sizes[1], 10)+"\n") || !strings.Contains(out.String(), "audit log intact") {
					t.Fatalf("verify of an intact log: %v\n%s", err, out.String())
				}
				return
			}
			var bad auditBadExit
			if !errors.As(err, &bad) {
				t.Fatalf("verify of a tampered log returned %v\n%s", err, out.String())
			}
			if bad.first != uint64(tt.bad) {
				t.Errorf("first bad entry %d (%s), want %d", bad.first, bad.problem, tt.bad)
			}
		})
	}
}

func TestAuditVerifyWithExternalKey(t *testing.T) {
	dir, _ := auditedDir(t)
	var out bytes.Buffer
	signer, err := os.ReadFile(filepath.Join(dir, "audit-signer.key"))
	must(t, err)
	vkey, err := verifierKey(dir, "", "")
	must(t, err)
	if strings.Contains(vkey, "PRIVATE") || strings.Contains(string(signer), vkey) {
		t.Fatalf("verifier key %q derived badly", vkey)
	}
	if err := run(context.Background(), []string{"audit", "verify", "--data", dir, "--key", vkey}, noEnv, &out, io.Discard); err != nil {
		t.Fatalf("verify with the published key: %v", err)
	}
	other := "socle.audit+00000000+AXd8nB1oUvZ0E2f5Xq6m3SpZfJ3e1cxh1NHZmZ6c0mTk"
	err = run(context.Background(), []string{"audit", "verify", "--data", dir, "--key", other}, noEnv, &out, io.Discard)
	if err == nil {
		t.Error("verify with another key succeeded")
	}
}
