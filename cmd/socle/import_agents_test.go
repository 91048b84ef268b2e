package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"socle"
	"socle/store/storetest"
)

func TestImportAgentsNamesTheLineAndWritesNothing(t *testing.T) {
	ctx := context.Background()
	var out bytes.Buffer
	if err := run(ctx, []string{"import", "agents", "--help"}, noEnv, &out, &out); err != nil && !errors.Is(err, flag.ErrHelp) {
		t.Fatal(err)
	}
	for _, col := range []string{"courriel", "date_sortie", "code_commune"} {
		if !strings.Contains(out.String(), col) {
			t.Errorf("--help does not document the column %s:\n%s", col, out.String())
		}
	}
	data := t.TempDir()
	newAgentStore(t, data, "claire@ft.fr")
	file := filepath.Join(t.TempDir(), "rh.csv")
	csv := "courriel,date_entree,date_sortie\nclaire@ft.fr,2015-01-05,\ninconnu@ft.fr,2016-01-05,\n"
	if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	err := run(ctx, []string{"import", "agents", file, "--data", data}, noEnv, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "line 3: no agent has the e-mail address") {
		t.Fatalf("import with an unknown agent: %v", err)
	}
	db, err := openStore(ctx, storeFlags{data: data})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if rs, err := db.StaffRecords(ctx); err != nil || len(rs) != 0 {
		t.Fatalf("staff records after a failed import = %d, %v; want none", len(rs), err)
	}
}

// newAgentStore makes a store in data with one organisation and an agent
// of that e-mail address, closed again so that a command can open it.
func newAgentStore(t *testing.T, data, email string) *socle.Agent {
	t.Helper()
	ctx := context.Background()
	db, err := openStore(ctx, storeFlags{data: data})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	org := storetest.NewOrganisation("Agence", socle.KindEmploymentService, "69")
	if err := db.CreateOrganisation(ctx, org); err != nil {
		t.Fatal(err)
	}
	a := storetest.NewAgent(org.ID, email)
	if err := db.CreateAgent(ctx, a); err != nil {
		t.Fatal(err)
	}
	return a
}
