package main

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"socle/audit"
	"socle/progress"
	"socle/store/auditsql"
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

// auditWitnessExit is the error of `socle audit verify` when the log does
// not hold what a witness cosigned, or holds entries no witness cosigned.
type auditWitnessExit struct{ problem string }

func (e auditWitnessExit) Error() string {
	return "audit log NOT consistent with its witnesses: " + e.problem
}

// auditIndexExit is the error of `socle audit verify` when the audit index
// does not match the entries.
type auditIndexExit struct{ rep audit.IndexReport }

func (e auditIndexExit) Error() string {
	return fmt.Sprintf("audit index NOT intact: %d problems, first: %s", e.rep.Count, e.rep.Problems[0])
}

func runAudit(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(stdout, "Usage: socle audit verify|key [--data DIR | --db postgres://…] [flags]\n\n"+
			"  verify   recompute the Merkle tree of the journal des accès, check every signed checkpoint,\n"+
			"           the witnessed checkpoints (--witness, --checkpoint) and the search index\n"+
			"  key      print the verifier key of the log's checkpoints (to configure a witness)")
		if len(args) == 0 {
			return usagef("audit: a subcommand is required (verify, key)")
		}
		return nil
	}
	switch args[0] {
	case "verify":
		return runAuditVerify(ctx, args[1:], getenv, stdout, stderr)
	case "key":
		return runAuditKey(args[1:], getenv, stdout)
	}
	return usagef("audit: unknown subcommand %q (verify, key)", args[0])
}

func runAuditKey(args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlags("audit key", "audit key [--data DIR]", stdout)
	var sf storeFlags
	sf.register(fs, getenv)
	if err := parse(fs, args, stdout); err != nil {
		return err
	}
	vkey, err := verifierKey(sf.data, "", "")
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, vkey)
	return nil
}

// runAuditVerify checks the whole audit log of a store: exit 0 when it is
// intact, an error naming the first bad entry otherwise.
func runAuditVerify(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("audit verify", "audit verify [--data DIR | --db postgres://…] [--key VERIFIER-KEY | --key-file FILE] [--witness URL --witness-key KEY]… [--checkpoint FILE]… [--allow-unwitnessed N] [--index=false]", stdout)
	var sf storeFlags
	sf.register(fs, getenv)
	key := fs.String("key", "", "verifier key of the log (\"<origin>+<hash>+<key>\", published at /.well-known/socle-audit-key); derived from <data>/audit-signer.key when empty")
	keyFile := fs.String("key-file", "", "file holding the verifier key")
	var wf witnessFlags
	wf.register(fs, getenv)
	var checkpoints stringList
	fs.Var(&checkpoints, "checkpoint", "file holding a witnessed checkpoint kept outside the database (a witness's state file): the log must hold it; repeatable")
	checkIndex := fs.Bool("index", true, "also rebuild the search index (audit_blocks) from the entries and compare")
	allowUnwitnessed := fs.Uint64("allow-unwitnessed", 0, "with --witness, entries after the witnessed checkpoint to accept (a running server's latest ones); a stopped server has none")
	if err := parse(fs, args, stdout); err != nil {
		return err
	}
	witnesses, err := wf.witnesses("audit verify")
	if err != nil && !(len(wf.urls) == 0 && len(checkpoints) > 0) {
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
	st := auditsql.New(db)

	// What is kept outside the database, first: the witnesses' latest
	// checkpoints and the checkpoint files.
	var failures []error
	var trusted []audit.Checkpoint
	var asked uint64 // the largest checkpoint a witness holds now
	for _, w := range witnesses {
		askCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
		cp, err := audit.AskWitness(askCtx, st, vkey, w, nil)
		cancel()
		var wm *audit.WitnessMismatch
		if errors.As(err, &wm) {
			fmt.Fprintf(stdout, "witness %s: %s\n", wm.Witness, wm.Problem)
			failures = append(failures, auditWitnessExit{wm.Problem})
			continue
		}
		if err != nil {
			return fmt.Errorf("asking the witness at %s: %w", w.URL, err)
		}
		fmt.Fprintf(stdout, "witness %s: holds the checkpoint of size %d\n", w.URL, cp.Size)
		trusted = append(trusted, cp)
		asked = max(asked, cp.Size)
	}
	for _, name := range checkpoints {
		msg, err := os.ReadFile(name)
		if err != nil {
			return fmt.Errorf("reading the checkpoint: %w", err)
		}
		cp, err := audit.OpenWitnessed(msg, vkey, wf.keys)
		if err != nil {
			return fmt.Errorf("checkpoint %s: %w", name, err)
		}
		fmt.Fprintf(stdout, "checkpoint %s: size %d\n", name, cp.Size)
		trusted = append(trusted, cp)
	}

	size, err := st.Size(ctx)
	if err != nil {
		return err
	}
	bar := progress.New(stderr, "entrées vérifiées", int64(size))
	var done uint64
	// Verification keeps a few megabytes alive but streams a gigabyte of
	// row copies from the driver: with the default pacing the collector
	// would run every few megabytes (a quarter of the time at 1M entries).
	defer debug.SetGCPercent(debug.SetGCPercent(800))
	// The search index, which a person's access history reads, is
	// checked as the entries are read.
	var vst audit.Storage = st
	var indexCheck audit.IndexCheck
	if ist, ok := any(st).(audit.IndexedStorage); ok && *checkIndex {
		indexCheck = ist.IndexCheck()
		vst = indexCheck
	}
	start := time.Now()
	rep, err := audit.Verify(ctx, vst, vkey, func(d uint64) {
		if d > done {
			bar.Add(int64(d - done))
			done = d
		}
	}, trusted...)
	elapsed := time.Since(start)
	bar.Done()
	if err != nil {
		return err
	}
	if !rep.OK {
		fmt.Fprintf(stdout, "entries: %d\ncheckpoints verified: %d\nverified up to: %d\nfirst bad entry: %d\nproblem: %s\n",
			rep.Size, rep.Checkpoints, rep.Verified, rep.FirstBad, rep.Problem)
		failures = append(failures, auditBadExit{rep.FirstBad, rep.Problem})
	} else {
		fmt.Fprintf(stdout, "entries: %d\ncheckpoints verified: %d\nverified up to: %d\nroot: %s\nentries/s: %.0f\n",
			rep.Size, rep.Checkpoints, rep.Verified, base64.StdEncoding.EncodeToString(rep.Root),
			float64(rep.Size)/max(elapsed.Seconds(), 1e-9))
	}
	if rep.OK && len(trusted) > 0 {
		fmt.Fprintf(stdout, "witnessed up to: %d\n", rep.Witnessed)
	}
	if rep.OK && len(witnesses) > 0 && len(failures) == 0 && rep.Size > asked+*allowUnwitnessed {
		// A stopped server had its last checkpoint witnessed: entries
		// after it were written since, or forged.
		p := fmt.Sprintf("entries %d to %d are covered by no witnessed checkpoint (appended after the last one the witnesses cosigned)", asked, rep.Size-1)
		fmt.Fprintln(stdout, "problem:", p)
		failures = append(failures, auditWitnessExit{p})
	}

	if indexCheck != nil {
		irep, err := indexCheck.Finish(ctx, rep.Size)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "index entries verified: %d\n", irep.Checked)
		for _, p := range irep.Problems {
			fmt.Fprintln(stdout, "index problem:", p)
		}
		if !irep.OK() {
			if irep.Count > len(irep.Problems) {
				fmt.Fprintf(stdout, "index problems: %d in all\n", irep.Count)
			}
			failures = append(failures, auditIndexExit{irep})
		}
	}
	if len(failures) > 0 {
		return errors.Join(failures...)
	}
	fmt.Fprintln(stdout, "audit log intact")
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
