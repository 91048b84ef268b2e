package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"socle/audit"
	"socle/progress"
)

// auditBadExit is the error of `socle audit verify` when the log was
// tampered with: exit status 1, with the first bad entry in the message.
type auditBadExit struct {
	first   uint64
	problem string
}

func (e auditBadExit) Error() string {
	return fmt.Sprintf("audit log NOT intact: first bad entry %d: %s", e.first, e.problem)
}

func runAudit(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(stdout, "Usage: socle audit verify [--data DIR | --db postgres://…] [--key VERIFIER-KEY]\n\n  verify   recompute the Merkle tree of the journal des accès and check every signed checkpoint")
		if len(args) == 0 {
			return usagef("audit: a subcommand is required (verify)")
		}
		return nil
	}
	if args[0] != "verify" {
		return usagef("audit: unknown subcommand %q (verify)", args[0])
	}
	return runAuditVerify(ctx, args[1:], getenv, stdout, stderr)
}

// runAuditVerify checks the whole audit log of a store: exit 0 when it is
// intact, an error naming the first bad entry otherwise.
func runAuditVerify(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("audit verify", "audit verify [--data DIR | --db postgres://…] [--key VERIFIER-KEY | --key-file FILE]", stdout)
	var sf storeFlags
	sf.register(fs, getenv)
	key := fs.String("key", "", "verifier key of the log (\"<origin>+<hash>+<key>\", published at /.well-known/socle-audit-key); derived from <data>/audit-signer.key when empty")
	keyFile := fs.String("key-file", "", "file holding the verifier key")
	if err := parse(fs, args, stdout); err != nil {
		return err
	}
	vkey, err := verifierKey(sf.data, *key, *keyFile)
	if err != nil {
		return err
	}
	db, err := openStore(ctx, sf)
	if err != nil {
		return err
	}
	defer db.Close()
	size, err := db.AuditLog().Size(ctx)
	if err != nil {
		return err
	}
	bar := progress.New(stderr, "entrées vérifiées", int64(size))
	var done uint64
	// Verification keeps a few megabytes alive but streams a gigabyte of
	// row copies from the driver: with the default pacing the collector
	// would run every few megabytes (a quarter of the time at 1M entries).
	defer debug.SetGCPercent(debug.SetGCPercent(800))
	start := time.Now()
	rep, err := audit.Verify(ctx, db.AuditLog(), vkey, func(d uint64) {
		if d > done {
			bar.Add(int64(d - done))
			done = d
		}
	})
	elapsed := time.Since(start)
	bar.Done()
	if err != nil {
		return err
	}
	if !rep.OK {
		fmt.Fprintf(stdout, "entries: %d\ncheckpoints verified: %d\nverified up to: %d\nfirst bad entry: %d\nproblem: %s\n",
			rep.Size, rep.Checkpoints, rep.Verified, rep.FirstBad, rep.Problem)
		return auditBadExit{rep.FirstBad, rep.Problem}
	}
	fmt.Fprintf(stdout, "entries: %d\ncheckpoints verified: %d\nverified up to: %d\nroot: %s\nentries/s: %.0f\naudit log intact\n",
		rep.Size, rep.Checkpoints, rep.Verified, base64.StdEncoding.EncodeToString(rep.Root),
		float64(rep.Size)/max(elapsed.Seconds(), 1e-9))
	if rep.Verified < rep.Size {
		fmt.Fprintf(stdout, "note: the last %d entries are not covered by a checkpoint yet\n", rep.Size-rep.Verified)
	}
	return nil
}

// verifierKey returns the verifier key given on the command line, or the
// one derived from the signer key in the data directory.
func verifierKey(dataDir, key, keyFile string) (string, error) {
	switch {
	case key != "" && keyFile != "":
		return "", usagef("audit verify: --key and --key-file are exclusive")
	case key != "":
		return strings.TrimSpace(key), nil
	case keyFile != "":
		b, err := os.ReadFile(keyFile)
		if err != nil {
			return "", fmt.Errorf("reading the verifier key: %w", err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	path := filepath.Join(dataDir, "audit-signer.key")
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("no verifier key: give --key, or a --data directory holding audit-signer.key: %w", err)
	}
	return audit.VerifierKey(strings.TrimSpace(string(b)))
}

// auditVerifierKey is the key the server publishes for checking its
// checkpoints. The signer key was checked when the log opened.
func (a *app) auditVerifierKey() string {
	vkey, err := audit.VerifierKey(a.keys.auditSigner)
	if err != nil {
		return ""
	}
	return vkey
}
