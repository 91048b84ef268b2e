// Command socle is the Socle platform: the HTTP server, the demo network
// generator, imports, migrations and the operators' tools.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	case errors.As(err, new(usageError)):
		fmt.Fprintln(os.Stderr, "socle:", err)
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "socle:", err)
		os.Exit(1)
	}
}

// usageError is a mistake in the command line: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// command is one subcommand of socle.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "run the HTTP server (API and web UI)", runServe},
		{"demo", "generate a demo network into a store", runDemo},
		{"import", "import reference data (cog: communes, départements, régions)", runImport},
		{"migrate", "apply the embedded database migrations", runMigrate},
		{"bench", "run a benchmark and print one JSON line", runBench},
		{"client", "manage partner API clients and signing keys", runClient},
		{"subscription", "manage partner clients' webhook subscriptions and replay deliveries", runSubscription},
		{"audit", "verify the audit log, print its verifier key", runAudit},
		{"witness", "run a witness that cosigns audit checkpoints (keygen, serve)", runWitness},
		{"backup", "write an encrypted backup of the store and its keys", runBackup},
		{"restore", "restore a backup into an empty data directory or database", runRestore},
		{"retention", "shred and erase the records whose retention ended (retention run)", runRetention},
		{"detect", "simulate, run and evaluate misuse detection", runDetect},
		{"agent", "disable the account of a staff member who leaves, keeping her last day", runAgent},
		{"version", "print the version", runVersion},
	}
}

// run is the whole program, testable without a process.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printUsage(stdout)
		if len(args) == 0 {
			return usagef("a command is required")
		}
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], getenv, stdout, stderr)
		}
	}
	return usagef("unknown command %q (see socle --help)", args[0])
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "Socle — the shared information platform of the employment network.")
	fmt.Fprintln(w, "\nUsage: socle COMMAND [flags]   (socle COMMAND --help for its flags)\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
}

// newFlags returns a flag set that reports errors instead of exiting, and
// prints its help to stdout.
func newFlags(name, usage string, stdout io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stdout)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: socle %s\n\nFlags:\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args and turns flag errors into usage errors; --help prints
// the usage to stdout.
func parse(fs *flag.FlagSet, args []string, stdout io.Writer) error {
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "-h" || a == "--h" || a == "-help" || a == "--help" {
			fs.SetOutput(stdout)
			fs.Usage()
			return flag.ErrHelp
		}
	}
	// Errors are returned, not printed: the flag package stays silent.
	fs.SetOutput(io.Discard)
	defer fs.SetOutput(stdout)
	if err := fs.Parse(args); err != nil {
		return usagef("%s: %v (see socle %s --help)", fs.Name(), err, fs.Name())
	}
	if fs.NArg() > 0 {
		return usagef("%s: unexpected argument %q (see socle %s --help)", fs.Name(), fs.Arg(0), fs.Name())
	}
	return nil
}

func runVersion(_ context.Context, args []string, _ func(string) string, stdout, _ io.Writer) error {
	fs := newFlags("version", "version", stdout)
	if err := parse(fs, args, stdout); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "socle", version)
	return nil
}
