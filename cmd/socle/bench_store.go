package main

import (
	"context"
	cryptorand "crypto/rand"
	"fmt"
	"io"
	"log/slog"

	"socle/seal"
)

// openBenchApp opens the app of benchmark name over the store of sf, a
// fresh temporary SQLite directory when sf names none, and fills an empty
// store with a demo network of persons. closeApp closes the app and removes
// the temporary directory.
func openBenchApp(ctx context.Context, name string, sf storeFlags, site siteConfig, persons int, stderr io.Writer) (a *app, closeApp func(), err error) {
	temporary := sf.data == "" && sf.db == ""
	removeDir, err := sf.orTemporary("bench-" + name)
	if err != nil {
		return nil, nil, fmt.Errorf("bench %s: %w", name, err)
	}
	if a, err = openApp(ctx, sf, site, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		removeDir()
		return nil, nil, err
	}
	closeApp = func() {
		a.Close()
		removeDir()
	}
	if err := fillBenchStore(ctx, a, name, temporary, persons, stderr); err != nil {
		closeApp()
		return nil, nil, err
	}
	return a, closeApp, nil
}

func fillBenchStore(ctx context.Context, a *app, name string, temporary bool, persons int, stderr io.Writer) error {
	if temporary {
		// A throwaway network gets a throwaway key for its sensitive
		// sections, whatever the data directory's key would be.
		master := make([]byte, 32)
		if _, err := cryptorand.Read(master); err != nil {
			return fmt.Errorf("bench %s: %w", name, err)
		}
		k, err := seal.New(master)
		if err != nil {
			return fmt.Errorf("bench %s: %w", name, err)
		}
		a.store.SetSealer(k)
	}
	empty, err := a.store.Empty(ctx)
	if err != nil {
		return err
	}
	if empty {
		fmt.Fprintf(stderr, "génération d'un réseau de démonstration de %d usagers…\n", persons)
		if _, err := generateDemo(ctx, a.store, persons, 1, nil, stderr); err != nil {
			return err
		}
	}
	return nil
}
