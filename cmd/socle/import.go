package main

import (
	"context"
	"fmt"
	"io"

	"socle/geo"
	"socle/store/sqlstore"
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
	return importKind[geo.Geography]{
		name:    "cog",
		usage:   "import cog DIR [--data DIR | --db postgres://…]",
		operand: "the directory of the COG files",
		read:    func(dir string, _ storeFlags) (geo.Geography, error) { return geo.ReadDir(dir) },
		write: func(ctx context.Context, db *sqlstore.DB, _ string, g geo.Geography) error {
			if err := db.ImportGeo(ctx, g.Regions, g.Departements, g.Communes); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "imported %d régions, %d départements, %d communes\n", len(g.Regions), len(g.Departements), len(g.Communes))
			return nil
		},
	}.run(ctx, args, getenv, stdout)
}
