package main

import (
	"context"
	"fmt"
	"io"
)

func runMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, _ io.Writer) error {
	fs := newFlags("migrate", "migrate [--data DIR | --db postgres://…]", stdout)
	var sf storeFlags
	sf.register(fs, getenv)
	if err := parse(fs, args, stdout); err != nil {
		return err
	}
	// Opening a store applies the embedded migrations forward-only.
	db, err := openStore(ctx, sf)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintln(stdout, "migrations applied")
	return nil
}
