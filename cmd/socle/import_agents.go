package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"socle"
	"socle/directory"
	"socle/progress"
)

// runImportAgents imports the HR export into the detection directory:
// each agent's own identity and home (as keyed hashes) and employment
// dates.
func runImportAgents(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("import agents", "import agents FILE [--data DIR | --db postgres://…]\n\n"+
		"FILE is the HR export (CSV, comma- or semicolon-separated, UTF-8, first line naming the columns):\n"+
		"  "+strings.Join(directory.HRColumns, ", ")+"\n"+
		"courriel (the agent's e-mail address in Socle) is required; dates are AAAA-MM-JJ or JJ/MM/AAAA;\n"+
		"date_sortie is the last day of employment. The NIR, birth date and home are kept only as keyed\n"+
		"hashes (key directory.key of the data directory). A malformed line or an unknown e-mail address\n"+
		"stops the import before anything is written, naming every line at fault.", stdout)
	var sf storeFlags
	sf.register(fs, getenv)
	file, err := parseOperand(fs, args, stdout, "the CSV file of the HR export")
	if err != nil {
		return err
	}
	f, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("import agents: %w", err)
	}
	defer f.Close()
	rows, err := directory.ReadHR(f)
	if err != nil {
		return fmt.Errorf("import agents: %s:\n%w", file, err)
	}
	k, err := loadKeys(sf.data)
	if err != nil {
		return fmt.Errorf("import agents: %w", err)
	}
	db, err := openStore(ctx, sf)
	if err != nil {
		return err
	}
	defer db.Close()
	bar := progress.New(stderr, "agents", int64(len(rows)))
	res, err := directory.ImportHR(ctx, db, directory.NewMarker(k.directory), rows, socle.DateOf(time.Now()), func() { bar.Add(1) })
	bar.Done()
	if err != nil {
		return fmt.Errorf("import agents: %s:\n%w", file, err)
	}
	fmt.Fprintf(stdout, "imported %d agents, %d former staff\n", res.Imported, res.Former)
	if len(res.StillEnabled) > 0 {
		fmt.Fprintf(stdout, "%d former staff still have an enabled account (to disable): %s\n", len(res.StillEnabled), strings.Join(res.StillEnabled, ", "))
	}
	return nil
}
