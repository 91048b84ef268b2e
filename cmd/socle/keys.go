package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"socle/store/sqlstore"
)

// keyFiles are the platform keys kept in the data directory that a new
// store gets. Every *.key file of the directory is a key all the same
// (fingerprinted, backed up, restored), so that a key added later is
// guarded without being listed here.
var keyFiles = []string{
	"audit-signer.key", "person-ref.key", "forms.key", "client-secret.key",
	"signing-seal.key", "commitment-signer.key", masterKeyFile,
	"link-token.key", "directory.key",
}

// keysAddedLater are keys that stores created by an earlier version do not
// have, and that protect nothing such a store holds yet: one-time links
// (the stored links of the earlier hashing were purged by migration 0021)
// and the detection directory's hashes (its tables are new). Beside the
// data of such a store, they are created on first start; once recorded,
// they are guarded like every other key.
var keysAddedLater = []string{"link-token.key", "directory.key"}

// keyFileName matches the name of a key file of the data directory.
var keyFileName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*\.key$`)

// keyNames returns the known keys and the other *.key files of dir, sorted.
func keyNames(dir string) ([]string, error) {
	names := slices.Clone(keyFiles)
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("listing the keys of %s: %w", dir, err)
	}
	for _, e := range entries {
		if e.Type().IsRegular() && keyFileName.MatchString(e.Name()) && !slices.Contains(names, e.Name()) {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	return names, nil
}

// keyFingerprint names a key without revealing it: SHA-256 under a label
// that binds the key's role, truncated to 128 bits.
func keyFingerprint(name, value string) string {
	h := sha256.Sum256([]byte("socle key fingerprint v1\x00" + name + "\x00" + strings.TrimSpace(value)))
	return hex.EncodeToString(h[:16])
}

// readKeyFingerprints returns the fingerprints of the keys present in dir.
func readKeyFingerprints(dir string) (map[string]string, error) {
	names, err := keyNames(dir)
	if err != nil {
		return nil, err
	}
	fps := map[string]string{}
	for _, name := range names {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading key %s: %w", name, err)
		}
		fps[name] = keyFingerprint(name, string(b))
	}
	return fps, nil
}

// ensureKeys makes the keys of dir and the store db belong together before
// anything uses them:
//   - a key whose fingerprint differs from the one the store recorded
//     refuses the start (another deployment's keys, a mix of backups);
//   - a missing key is created only on a store that holds no data and
//     never met it: beside existing data, a new master key would make
//     every sealed section unreadable, a new signer key every checkpoint
//     unverifiable, so the start is refused instead;
//   - the fingerprints of the keys are then recorded in the store.
func ensureKeys(ctx context.Context, db *sqlstore.DB, dir string) error {
	recorded, err := db.KeyFingerprints(ctx)
	if err != nil {
		return err
	}
	present, err := readKeyFingerprints(dir)
	if err != nil {
		return err
	}
	names, err := keyNames(dir)
	if err != nil {
		return err
	}
	for name := range recorded {
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	var missing []string
	for _, name := range names {
		fp, ok := present[name]
		want, known := recorded[name]
		switch {
		case ok && known && fp != want:
			return fmt.Errorf("key %s in %s does not belong to this database (fingerprint %s, the database was created with %s): "+
				"start with the data directory that holds this database's keys, or restore them with socle restore", name, dir, fp, want)
		case !ok && known:
			return fmt.Errorf("key %s is missing from %s, and the database was created with it (fingerprint %s): "+
				"restore the keys from a backup (socle restore) or point --data at the directory that holds them; no new key is created beside existing data", name, dir, want)
		case !ok && slices.Contains(keysAddedLater, name):
			// created by loadKeys, recorded at the next start
		case !ok:
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		held, err := db.HoldsData(ctx)
		if err != nil {
			return err
		}
		if held {
			return fmt.Errorf("keys %s are missing from %s while the database holds data: "+
				"restore them from a backup (socle restore) or point --data at the directory that holds them; no new key is created beside existing data",
				strings.Join(missing, ", "), dir)
		}
		if _, err := loadKeys(dir); err != nil {
			return err
		}
		if _, err := readOrCreate(filepath.Join(dir, masterKeyFile), newMasterKey); err != nil {
			return err
		}
		if present, err = readKeyFingerprints(dir); err != nil {
			return err
		}
	}
	if err := db.RecordKeyFingerprints(ctx, present); err != nil {
		return err
	}
	// Two servers starting on one new database each created keys: the
	// first recorded wins, the other must not serve with its own.
	if recorded, err = db.KeyFingerprints(ctx); err != nil {
		return err
	}
	for name, fp := range present {
		if recorded[name] != fp {
			return fmt.Errorf("key %s in %s does not belong to this database (another server recorded its own first): copy that server's keys into %s", name, dir, dir)
		}
	}
	return nil
}
