package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"socle/store/postgres"
	"socle/store/sqlite"
	"socle/store/sqlstore"
)

// openStore opens PostgreSQL when a URL is given, else the SQLite store in
// the data directory, applying the migrations either way, with the keys of
// the data directory.
func openStore(ctx context.Context, sf storeFlags) (*sqlstore.DB, error) {
	db, err := openEngine(ctx, sf)
	if err != nil {
		return nil, err
	}
	if err := ensureKeys(ctx, db, sf.data); err != nil {
		db.Close()
		return nil, err
	}
	if err := setSealer(db, sf.data); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// openEngine opens the database of openStore and creates the data
// directory.
func openEngine(ctx context.Context, sf storeFlags) (*sqlstore.DB, error) {
	if sf.db != "" {
		db, err := postgres.Open(ctx, sf.db)
		if err != nil {
			return nil, fmt.Errorf("opening PostgreSQL: %w", err)
		}
		if err := os.MkdirAll(sf.data, 0o700); err != nil {
			db.Close()
			return nil, fmt.Errorf("creating data directory: %w", err)
		}
		return db, nil
	}
	if err := os.MkdirAll(sf.data, 0o700); err != nil {
		return nil, fmt.Errorf("creating data directory: %w", err)
	}
	db, err := sqlite.Open(ctx, sf.data)
	if err != nil {
		return nil, fmt.Errorf("opening SQLite in %s: %w", sf.data, err)
	}
	return db, nil
}

// orTemporary makes sf.data, when empty, a new temporary directory named
// for name, which removeTemporary removes (a no-op when sf.data was set).
func (sf *storeFlags) orTemporary(name string) (removeTemporary func(), err error) {
	if sf.data != "" {
		return func() {}, nil
	}
	dir, err := os.MkdirTemp("", "socle-"+name+"-")
	if err != nil {
		return nil, err
	}
	sf.data = filepath.Join(dir, "data")
	return func() { os.RemoveAll(dir) }, nil
}
