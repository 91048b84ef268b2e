package main

import (
	"encoding/hex"
	"fmt"
	"path/filepath"

	"socle/seal"
	"socle/store/sqlstore"
)

// masterKeyFile holds, in the data directory, the master key that wraps the
// per-person keys of the sensitive sections (for PostgreSQL deployments
// too: the keys live with the server, not in the database).
const masterKeyFile = "person-master.key"

func newMasterKey() (string, error) { return randomHex(seal.KeySize) }

// setSealer gives db the keyring of the master key in dir, which
// ensureKeys has checked (or created on an empty store). Without it the
// store refuses sensitive sections.
func setSealer(db *sqlstore.DB, dir string) error {
	v, err := readOrCreate(filepath.Join(dir, masterKeyFile), newMasterKey)
	if err != nil {
		return err
	}
	b, err := hex.DecodeString(v)
	if err != nil || len(b) != seal.KeySize {
		return fmt.Errorf("key %s: expected %d hexadecimal digits", masterKeyFile, 2*seal.KeySize)
	}
	k, err := seal.New(b)
	if err != nil {
		return err
	}
	db.SetSealer(k)
	return nil
}
