package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"socle/store/auditsql"
	"strings"
	"testing"
)

// TestAgentDisableKeepsTheLastDay disables a leaver after an HR import:
// her account is closed, her last day is kept beside her imported home,
// the change is audited; bad input is refused and changes nothing.
func TestAgentDisableKeepsTheLastDay(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	claire := newAgentStore(t, data, "claire@ft.fr")
	file := filepath.Join(t.TempDir(), "rh.csv")
	csv := "courriel,nom,adresse,code_commune,date_entree,date_sortie\nclaire@ft.fr,Martin,3 rue des Lilas,69123,2015-01-05,\n"
	if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(ctx, []string{"import", "agents", file, "--data", data}, noEnv, &out, &out); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"no end", []string{"agent", "disable", "claire@ft.fr", "--data", data}, "--end"},
		{"bad end", []string{"agent", "disable", "claire@ft.fr", "--end", "31/12/2025", "--data", data}, "want a date"},
		{"before the first day", []string{"agent", "disable", "claire@ft.fr", "--end", "2014-12-31", "--data", data}, "before the first one"},
		{"unknown agent", []string{"agent", "disable", "inconnu@ft.fr", "--end", "2025-12-31", "--data", data}, "no agent has the id or e-mail address"},
		{"no agent", []string{"agent", "disable"}, "id or e-mail address is required"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := run(ctx, tt.args, noEnv, &out, &out); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
	if err := run(ctx, []string{"agent", "disable", "claire@ft.fr", "--end", "2025-12-31", "--data", data}, noEnv, &out, &out); err != nil {
		t.Fatal(err)
	}
	db, err := openStore(ctx, storeFlags{data: data})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a, err := db.Agent(ctx, claire.ID)
	if err != nil || !a.Disabled {
		t.Fatalf("agent after disable: %+v, %v; want disabled", a, err)
	}
	rs, err := db.StaffRecords(ctx)
	if err != nil || len(rs) != 1 {
		t.Fatalf("staff records %d, %v", len(rs), err)
	}
	if r := rs[0]; r.End.String() != "2025-12-31" || r.Start.String() != "2015-01-05" || r.Marks.Address == "" {
		t.Fatalf("staff record %+v: want the end kept beside the imported start and home", r)
	}
	size, err := auditsql.New(db).Size(ctx)
	if err != nil || size == 0 {
		t.Fatalf("audit log size %d, %v: want the disabling audited", size, err)
	}
}
