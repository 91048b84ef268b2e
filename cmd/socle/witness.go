package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"socle/audit"
	"socle/witness"
)

// witnessFlags are the --witness URL and --witness-key KEY pairs that name
// the witnesses of the audit log, in order.
type witnessFlags struct {
	urls, keys stringList
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, " ") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func (wf *witnessFlags) register(fs *flag.FlagSet, getenv func(string) string) {
	fs.Var(&wf.urls, "witness", "URL (submission prefix) of a witness of the audit checkpoints, C2SP tlog-witness; repeatable, each with its --witness-key (env SOCLE_WITNESSES: \"URL KEY\" pairs separated by commas)")
	fs.Var(&wf.keys, "witness-key", "verifier key of the witness given by the --witness of the same rank (\"<name>+<hash>+<key>\", from socle witness keygen)")
	for _, pair := range strings.Split(getenv("SOCLE_WITNESSES"), ",") {
		if url, key, ok := strings.Cut(strings.TrimSpace(pair), " "); ok {
			wf.urls, wf.keys = append(wf.urls, url), append(wf.keys, strings.TrimSpace(key))
		}
	}
}

// witnesses returns the configured witnesses, checking the pairs.
func (wf *witnessFlags) witnesses(cmd string) ([]audit.Witness, error) {
	if len(wf.urls) != len(wf.keys) {
		return nil, usagef("%s: %d --witness for %d --witness-key: give one key per witness", cmd, len(wf.urls), len(wf.keys))
	}
	var ws []audit.Witness
	for k, url := range wf.urls {
		if !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "https://") {
			return nil, usagef("%s: --witness %q: want an http:// or https:// URL", cmd, url)
		}
		ws = append(ws, audit.Witness{URL: url, Key: wf.keys[k]})
	}
	return ws, nil
}

func runWitness(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	const usage = "Usage: socle witness keygen|serve [flags]\n\n" +
		"  keygen   create a witness key: the signer key in a file, the verifier key printed\n" +
		"  serve    run a witness (C2SP tlog-witness) of Socle audit logs"
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(stdout, usage)
		if len(args) == 0 {
			return usagef("witness: a subcommand is required (keygen, serve)")
		}
		return nil
	}
	switch args[0] {
	case "keygen":
		return runWitnessKeygen(args[1:], stdout)
	case "serve":
		return runWitnessServe(ctx, args[1:], getenv, stdout, stderr)
	}
	return usagef("witness: unknown subcommand %q (keygen, serve)", args[0])
}

func runWitnessKeygen(args []string, stdout io.Writer) error {
	fs := newFlags("witness keygen", "witness keygen --name NAME --key FILE", stdout)
	name := fs.String("name", "", "name of the witness, a schema-less URL such as witness.example.fr/w1")
	keyFile := fs.String("key", "", "file to create with the signer key (kept by the witness only)")
	if err := parse(fs, args, stdout); err != nil {
		return err
	}
	if *name == "" || *keyFile == "" {
		return usagef("witness keygen: --name and --key are required")
	}
	skey, vkey, err := witness.GenerateKey(*name)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(*keyFile, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("witness keygen: %w", err)
	}
	if _, err := io.WriteString(f, skey+"\n"); err != nil {
		f.Close()
		return fmt.Errorf("witness keygen: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("witness keygen: %w", err)
	}
	fmt.Fprintln(stdout, vkey)
	return nil
}

func runWitnessServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("witness serve", "witness serve --key FILE --state DIR --log VERIFIER-KEY… [--addr 127.0.0.1:8090] [--prefix /]", stdout)
	addr := fs.String("addr", envOr(getenv, "SOCLE_WITNESS_ADDR", "127.0.0.1:8090"), "listen address (env SOCLE_WITNESS_ADDR)")
	keyFile := fs.String("key", getenv("SOCLE_WITNESS_KEY"), "file holding the witness's signer key, from socle witness keygen (env SOCLE_WITNESS_KEY)")
	state := fs.String("state", getenv("SOCLE_WITNESS_STATE"), "directory of the latest cosigned checkpoint of each log; it must survive the witness (env SOCLE_WITNESS_STATE)")
	prefix := fs.String("prefix", "/", "submission prefix: add-checkpoint is served at PREFIX/add-checkpoint")
	var logs stringList
	fs.Var(&logs, "log", "verifier key of a log to witness (printed by socle audit key); repeatable")
	if err := parse(fs, args, stdout); err != nil {
		return err
	}
	if *keyFile == "" || *state == "" || len(logs) == 0 {
		return usagef("witness serve: --key, --state and at least one --log are required")
	}
	skey, err := os.ReadFile(*keyFile)
	if err != nil {
		return fmt.Errorf("witness serve: reading the key: %w", err)
	}
	logger := slog.New(slog.NewJSONHandler(stderr, nil))
	w, err := witness.New(witness.Config{SignerKey: strings.TrimSpace(string(skey)), Logs: logs, Dir: *state, Logger: logger})
	if err != nil {
		return err
	}
	vkey, err := witness.VerifierKey(strings.TrimSpace(string(skey)))
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", *addr, err)
	}
	srv := &http.Server{Handler: w.Handler(*prefix), ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 30 * time.Second, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	fmt.Fprintf(stdout, "witness %s listening on http://%s%s\nverifier key: %s\n", w.Name(), ln.Addr(), strings.TrimSuffix(*prefix, "/"), vkey)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("witness serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("witness serve: shutting down: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("witness serve: %w", err)
	}
	return nil
}
