package main

import (
	"context"
	"fmt"
	"io"

	"socle/geo"
)

func runImport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(stdout, "Usage: socle import cog DIR | rome FILE | agents FILE [--data DIR | --db postgres://…]\n\n  cog     the official communes.json, departements.json and regions.json of DIR\n  rome    the ROME referential (CSV of the open-data export)\n  agents  the HR export: agents' identity, home and employment dates (see socle import agents --help)")
		if len(args) == 0 {
			return usagef("import: what to import is required (cog, rome, agents)")
		}
		return nil
	}
	switch args[0] {
	case "cog":
		return runImportCOG(ctx, args[1:], getenv, stdout)
	case "rome":
		return runImportROME(ctx, args[1:], getenv, stdout)
	case "agents":
		return runImportAgents(ctx, args[1:], getenv, stdout, stderr)
	}
	return usagef("import: unknown kind %q (cog, rome, agents)", args[0])
}

func runImportCOG(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlags("import cog", "import cog DIR [--data DIR | --db postgres://…]", stdout)
	var sf storeFlags
	sf.register(fs, getenv)
	dir, err := parseOperand(fs, args, stdout, "the directory of the COG files")
	if err != nil {
		return err
	}
	g, err := geo.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("import cog: %w", err)
	}
	db, err := openStore(ctx, sf)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.ImportGeo(ctx, g.Regions, g.Departements, g.Communes); err != nil {
		return fmt.Errorf("import cog: %w", err)
	}
	fmt.Fprintf(stdout, "imported %d régions, %d départements, %d communes\n", len(g.Regions), len(g.Departements), len(g.Communes))
	return nil
}
