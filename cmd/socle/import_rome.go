package main

import (
	"context"
	"fmt"
	"io"

	"socle/rome"
	"socle/store/sqlstore"
)

// runImportROME imports the ROME referential from a CSV file of the
// open-data export (see rome.Parse for the accepted columns).
func runImportROME(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	return importKind[rome.Referential]{
		name: "rome",
		usage: "import rome FILE [--data DIR | --db postgres://…]\n\n" +
			"FILE is a CSV of the ROME v4 open-data export (columns code_rome, libelle_rome; appellations\n" +
			"with code_ogr and libelle_appellation_long), comma- or semicolon-separated, UTF-8.",
		operand: "the CSV file of the ROME referential",
		read: func(file string, _ storeFlags) (rome.Referential, error) {
			return readFile(file, " ", rome.Parse)
		},
		write: func(ctx context.Context, db *sqlstore.DB, _ string, ref rome.Referential) error {
			if err := db.ImportROME(ctx, ref.Codes, ref.Appellations); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "imported %d ROME codes, %d appellations\n", len(ref.Codes), len(ref.Appellations))
			return nil
		},
	}.run(ctx, args, getenv, stdout)
}
