package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"socle/audit"
	"socle/progress"
	"socle/retention"
)

// runRetention runs "socle retention run": shred and erase the persons whose
// retention ended (see package retention for the rule).
func runRetention(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("retention", "retention run [--data DIR | --db postgres://…] [--dry-run]", stdout)
	var sf storeFlags
	sf.register(fs, getenv)
	dryRun := fs.Bool("dry-run", false, "count the persons to shred and erase, change nothing")
	if len(args) == 0 || args[0] != "run" {
		// --help prints the usage; anything else lacks the subcommand.
		if err := parse(fs, args, stdout); err != nil {
			return err
		}
		return usagef("retention: expected \"socle retention run [--data DIR | --db URL] [--dry-run]\"")
	}
	if err := parse(fs, args[1:], stdout); err != nil {
		return err
	}
	a, err := openApp(ctx, sf, siteConfig{baseURL: "http://localhost"}, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		return err
	}
	defer a.Close()
	bar := progress.New(stderr, "personnes", 0)
	rep, err := retention.Run(ctx, a.store, a.policy.Register(), time.Now(), retention.Options{
		Auditor:   a.audit,
		PersonRef: func(id string) string { return audit.PersonRef(a.keys.personRef, id) },
		DryRun:    *dryRun,
		Progress:  func(int) { bar.Add(1) },
	})
	bar.Done()
	if err != nil {
		return err
	}
	verb := "shredded"
	if rep.DryRun {
		verb = "to shred (dry run)"
	}
	fmt.Fprintf(stdout, "sensitive data %s: %d persons (no follow-up since %s, %d days)\n", verb, rep.Shredded, rep.ShredCutoff, rep.ShredAfter)
	verb = "erased"
	if rep.DryRun {
		verb = "to erase (dry run)"
	}
	fmt.Fprintf(stdout, "records %s: %d persons (no follow-up since %s, %d days)\n", verb, rep.Erased, rep.EraseCutoff, rep.EraseAfter)
	return nil
}
