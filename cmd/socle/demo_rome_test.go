package main

import (
	"context"
	"testing"

	"socle"
)

// TestDemoImportsTheFullROME checks that the demo network gets the full
// ROME 4.0, once, and leaves a referential imported before it alone.
func TestDemoImportsTheFullROME(t *testing.T) {
	ctx := context.Background()
	db, err := openStore(ctx, storeFlags{data: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for range 2 {
		if err := importDemoROME(ctx, db); err != nil {
			t.Fatal(err)
		}
		codes, appellations, err := db.ROMEReferential(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(codes) != 532 || len(appellations) != 11061 {
			t.Fatalf("the demo imported %d codes and %d appellations, want 532 and 11061", len(codes), len(appellations))
		}
	}

	other, err := openStore(ctx, storeFlags{data: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := other.ImportROME(ctx, []socle.ROMECode{{Code: "K2204", Label: "Nettoyage de locaux", Family: "K22"}}, nil); err != nil {
		t.Fatal(err)
	}
	if err := importDemoROME(ctx, other); err != nil {
		t.Fatal(err)
	}
	if codes, _, err := other.ROMEReferential(ctx); err != nil || len(codes) != 1 {
		t.Errorf("an imported referential was replaced: %d codes, %v", len(codes), err)
	}
}
