package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"socle/store/postgres"
	"socle/store/sqlite"
)

func runMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, _ io.Writer) error {
	fs := newFlags("migrate", "migrate [--data DIR | --db postgres://…]", stdout)
	var sf storeFlags
	sf.register(fs, getenv)
	if err := parse(fs, args, stdout); err != nil {
		return err
	}
	var applied []int
	var err error
	if sf.db != "" {
		applied, err = postgres.Migrate(ctx, sf.db)
	} else {
		if err := os.MkdirAll(sf.data, 0o700); err != nil {
			return fmt.Errorf("creating data directory: %w", err)
		}
		applied, err = sqlite.Migrate(ctx, sf.data)
	}
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if len(applied) == 0 {
		fmt.Fprintln(stdout, "the database is up to date")
		return nil
	}
	fmt.Fprintf(stdout, "applied migrations %v\n", applied)
	return nil
}
