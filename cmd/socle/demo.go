package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"time"

	"socle"
	"socle/demo"
	"socle/directory"
	"socle/geo"
	"socle/rome"
	"socle/store/sqlstore"
)

func runDemo(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("demo", "demo [--data DIR | --db postgres://…] [--persons N] [--seed S]", stdout)
	var sf storeFlags
	sf.register(fs, getenv)
	persons := fs.Int("persons", 10_000, "number of persons to generate")
	seed := fs.Int64("seed", 1, "seed: the same seed gives the same network")
	if err := parse(fs, args, stdout); err != nil {
		return err
	}
	if *persons < 1 || *persons > 50_000_000 {
		return usagef("demo: --persons must be between 1 and 50000000")
	}
	db, err := openStore(ctx, sf)
	if err != nil {
		return err
	}
	defer db.Close()
	empty, err := db.Empty(ctx)
	if err != nil {
		return err
	}
	if !empty {
		return socle.Errorf(socle.ECONFLICT, "the store already holds a network: use an empty --data directory or database")
	}
	k, err := loadKeys(sf.data)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	start := time.Now()
	sum, err := generateDemo(ctx, db, *persons, *seed, &directory.HomeIndex{Marker: directory.NewMarker(k.directory), Store: db}, stderr)
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	fmt.Fprintf(stdout, "demo network: %d organisations, %d agents, %d persons, %d follow-ups, %d companies, %d contacts, %d offers in %s (%.0f persons/s)\n",
		sum.Organisations, sum.Agents, sum.Persons, sum.Followups, sum.Companies, sum.Contacts, sum.Offers,
		elapsed.Round(time.Millisecond), float64(sum.Persons)/elapsed.Seconds())
	return replayDemoDayIn(ctx, sf, stdout, stderr)
}

// importDemoROME imports the full ROME 4.0 referential when the store holds
// none, so that the demo's pages and matching name every job by its label.
func importDemoROME(ctx context.Context, db *sqlstore.DB) error {
	codes, _, err := db.ROMEReferential(ctx)
	if err != nil {
		return fmt.Errorf("reading the ROME referential: %w", err)
	}
	if len(codes) > 0 {
		return nil
	}
	ref := rome.Full()
	if err := db.ImportROME(ctx, ref.Codes, ref.Appellations); err != nil {
		return fmt.Errorf("importing the ROME 4.0 referential: %w", err)
	}
	return nil
}

// generateDemo loads the built-in geography when none was imported, then a
// demo network of n persons.
//
// With homes, the persons' homes are indexed as they are loaded (keyed
// hashes, as the gate does after each write), so that the household and
// neighbour rules of detection work on the demo.
func generateDemo(ctx context.Context, db *sqlstore.DB, n int, seed int64, homes *directory.HomeIndex, progress io.Writer) (demo.Summary, error) {
	deps, err := db.Departements(ctx)
	if err != nil {
		return demo.Summary{}, err
	}
	g := geo.Builtin()
	if len(deps) == 0 {
		if err := db.ImportGeo(ctx, g.Regions, g.Departements, g.Communes); err != nil {
			return demo.Summary{}, fmt.Errorf("importing the built-in geography: %w", err)
		}
	}
	if err := importDemoROME(ctx, db); err != nil {
		return demo.Summary{}, err
	}
	var sum demo.Summary
	load := func() (err error) {
		sink := db.Load
		if homes != nil {
			today := socle.DateOf(time.Now())
			sink = func(ctx context.Context, b *socle.Batch) error {
				if err := db.Load(ctx, b); err != nil {
					return err
				}
				_, err := homes.Backfill(ctx, b.Persons, today)
				return err
			}
		}
		sum, err = demo.Generate(ctx, demo.Config{Persons: n, Seed: seed, Geo: g, Progress: progress}, sink)
		if err == nil && progress != nil {
			fmt.Fprintln(progress, "construction des index…")
		}
		return err
	}
	// The store is empty: the indexes of the big tables are built once
	// at the end rather than kept in order row by row.
	if err := db.WithoutIndexes(ctx, []string{"persons", "followups", "person_keys", "provenance"}, load); err != nil {
		return sum, fmt.Errorf("generating the demo network: %w", err)
	}
	return sum, nil
}

// fillDemo fills an empty store with a demo network and prints how to try it.
func (a *app) fillDemo(ctx context.Context, persons int, stdout, stderr io.Writer) error {
	empty, err := a.store.Empty(ctx)
	if err != nil {
		return err
	}
	if !empty {
		fmt.Fprintln(stdout, "Le réseau de démonstration existe déjà dans ce répertoire de données ; il est réutilisé.")
		return nil
	}
	sum, err := generateDemo(ctx, a.store, persons, 1, &directory.HomeIndex{Marker: directory.NewMarker(a.keys.directory), Store: a.store}, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Réseau de démonstration : %d structures, %d agents, %d usagers, %d entreprises, %d offres.\n",
		sum.Organisations, sum.Agents, sum.Persons, sum.Companies, sum.Offers)
	fmt.Fprintf(stdout, "Comptes de démonstration (mot de passe : %s ; code du second facteur : TOTP du secret indiqué, par exemple avec oathtool --totp -b SECRET) :\n", demoPassword)
	for _, acc := range sum.Accounts {
		agent, err := a.store.AgentByEmail(ctx, acc.Email)
		if err != nil {
			return fmt.Errorf("demo account %s: %w", acc.Email, err)
		}
		secret, err := a.identity.SetupDemoAgent(ctx, agent.ID, demoPassword)
		if err != nil {
			return fmt.Errorf("demo account %s: %w", acc.Email, err)
		}
		fmt.Fprintf(stdout, "  %-46s TOTP %-32s %s, %s (%s)\n", acc.Email, secret, acc.Role.Label(), acc.Organisation, acc.Kind.Label())
	}
	if err := a.demoParcours(ctx, sum, stdout); err != nil {
		return err
	}
	if err := a.demoDiagnostics(ctx, sum, stdout); err != nil {
		return err
	}
	if err := a.demoHandoffs(ctx, sum, stdout); err != nil {
		return err
	}
	if err := a.demoSlots(ctx, sum); err != nil {
		return err
	}
	if err := a.demoCompanies(ctx, sum, stdout); err != nil {
		return err
	}
	if err := a.demoClients(ctx, stdout); err != nil {
		return err
	}
	if err := a.demoCases(ctx, sum, stdout); err != nil {
		return err
	}
	return a.recordDemoDay(ctx, stdout, stderr)
}

// demoPassword is the password of every demo account: long enough, not in
// the list of common passwords and not built from context words (the
// service, the year), which the password check refuses.
const demoPassword = "Demo-cerf-volant-violet"

func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}
