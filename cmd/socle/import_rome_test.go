package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"socle/rome"
	"socle/store/sqlite"
)

func TestImportROME(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "rome.csv")
	csv := "code_ogr;libelle_appellation_long;code_rome;libelle_rome\n" +
		"12345;Agent / Agente de propreté;K2204;Nettoyage de locaux\n" +
		"12346;Secrétaire;M1607;Secrétariat\n"
	if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"import", "rome", file, "--data", data}, noEnv, &out, &out); err != nil {
		t.Fatalf("import rome: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "imported 2 ROME codes, 2 appellations") {
		t.Errorf("output = %q", out.String())
	}
	db, err := sqlite.Open(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	romeCodes, appellations, err := db.ROMEReferential(context.Background())
	ref := rome.Referential{Codes: romeCodes, Appellations: appellations}
	if err != nil || len(ref.Codes) != 2 || ref.Label("K2204") != "Nettoyage de locaux" || len(ref.Appellations) != 2 {
		t.Fatalf("referential = %+v, %v", ref, err)
	}

	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte("code_rome;libelle_rome\nK2204;ok\nX1;bad\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	err = run(context.Background(), []string{"import", "rome", bad, "--data", data}, noEnv, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("bad file: err = %v, want one naming line 3", err)
	}
}
