package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"socle"
	"socle/directory"
)

// runAgent runs "socle agent disable ID|EMAIL --end DATE": a staff member
// leaves; her account is closed and her last day of employment kept, so
// that reading her file afterwards is the former-employee pattern.
func runAgent(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("agent", "agent disable ID|EMAIL --end AAAA-MM-JJ [--data DIR | --db postgres://…]\n\n"+
		"Closes the account of a staff member who leaves (her sessions end at once) and keeps her last day of\n"+
		"employment in the detection directory, her other HR facts unchanged: afterwards she is former staff.\n"+
		"The change is written to the audit log.", stdout)
	var sf storeFlags
	sf.register(fs, getenv)
	end := fs.String("end", "", "her last day of employment (AAAA-MM-JJ), required")
	if len(args) == 0 || args[0] != "disable" {
		if err := parse(fs, args, stdout); err != nil {
			return err
		}
		return usagef("agent: expected \"socle agent disable ID|EMAIL --end AAAA-MM-JJ\"")
	}
	if len(args) < 2 || args[1] == "" || args[1][0] == '-' {
		if len(args) > 1 && (args[1] == "-h" || args[1] == "--help") {
			return parse(fs, args[1:], stdout)
		}
		return usagef("agent disable: the agent's id or e-mail address is required")
	}
	who := args[1]
	if err := parse(fs, args[2:], stdout); err != nil {
		return err
	}
	if *end == "" {
		return usagef("agent disable: --end (her last day of employment, AAAA-MM-JJ) is required")
	}
	last, err := socle.ParseDate(*end)
	if err != nil {
		return usagef("agent disable: --end %q: want a date AAAA-MM-JJ", *end)
	}
	a, err := openApp(ctx, sf, siteConfig{baseURL: "http://localhost"}, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		return err
	}
	defer a.Close()
	ag, err := directory.DisableAgent(ctx, a.store, a.audit, who, last, time.Now())
	if err != nil {
		return fmt.Errorf("agent disable: %w", err)
	}
	fmt.Fprintf(stdout, "disabled %s (%s), last day of employment %s\n", ag.ID, ag.Email, last)
	return nil
}
