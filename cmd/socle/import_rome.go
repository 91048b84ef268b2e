package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"socle/rome"
)

// runImportROME imports the ROME referential from a CSV file of the
// open-data export (see rome.Parse for the accepted columns).
func runImportROME(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlags("import rome", "import rome FILE [--data DIR | --db postgres://…]\n\n"+
		"FILE is a CSV of the ROME v4 open-data export (columns code_rome, libelle_rome; appellations\n"+
		"with code_ogr and libelle_appellation_long), comma- or semicolon-separated, UTF-8.", stdout)
	var sf storeFlags
	sf.register(fs, getenv)
	file, err := parseOperand(fs, args, stdout, "the CSV file of the ROME referential")
	if err != nil {
		return err
	}
	f, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("import rome: %w", err)
	}
	defer f.Close()
	ref, err := rome.Parse(f)
	if err != nil {
		return fmt.Errorf("import rome: %s: %w", file, err)
	}
	db, err := openStore(ctx, sf)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.ImportROME(ctx, ref.Codes, ref.Appellations); err != nil {
		return fmt.Errorf("import rome: %w", err)
	}
	fmt.Fprintf(stdout, "imported %d ROME codes, %d appellations\n", len(ref.Codes), len(ref.Appellations))
	return nil
}
