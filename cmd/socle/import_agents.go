package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"socle"
	"socle/directory"
	"socle/progress"
	"socle/store/sqlstore"
)

// hrImport is the HR export as read, with the key that marks it.
type hrImport struct {
	rows []directory.StaffRow
	keys keys
}

// runImportAgents imports the HR export into the detection directory:
// each agent's own identity and home (as keyed hashes) and employment
// dates.
func runImportAgents(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return importKind[hrImport]{
		name: "agents",
		usage: "import agents FILE [--data DIR | --db postgres://…]\n\n" +
			"FILE is the HR export (CSV, comma- or semicolon-separated, UTF-8, first line naming the columns):\n" +
			"  " + strings.Join(directory.HRColumns, ", ") + "\n" +
			"courriel (the agent's e-mail address in Socle) is required; dates are AAAA-MM-JJ or JJ/MM/AAAA;\n" +
			"date_sortie is the last day of employment. The NIR, birth date and home are kept only as keyed\n" +
			"hashes (key directory.key of the data directory). A malformed line or an unknown e-mail address\n" +
			"stops the import before anything is written, naming every line at fault.",
		operand: "the CSV file of the HR export",
		read: func(file string, sf storeFlags) (hrImport, error) {
			rows, err := readFile(file, "\n", directory.ReadHR)
			if err != nil {
				return hrImport{}, err
			}
			k, err := loadKeys(sf.data)
			return hrImport{rows: rows, keys: k}, err
		},
		write: func(ctx context.Context, db *sqlstore.DB, file string, hr hrImport) error {
			bar := progress.New(stderr, "agents", int64(len(hr.rows)))
			res, err := directory.ImportHR(ctx, db, directory.NewMarker(hr.keys.directory), hr.rows, socle.DateOf(time.Now()), func() { bar.Add(1) })
			bar.Done()
			if err != nil {
				return fmt.Errorf("%s:\n%w", file, err)
			}
			fmt.Fprintf(stdout, "imported %d agents, %d former staff\n", res.Imported, res.Former)
			if len(res.StillEnabled) > 0 {
				fmt.Fprintf(stdout, "%d former staff still have an enabled account (to disable): %s\n", len(res.StillEnabled), strings.Join(res.StillEnabled, ", "))
			}
			return nil
		},
	}.run(ctx, args, getenv, stdout)
}
