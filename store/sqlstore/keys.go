package sqlstore

import (
	"context"
	"fmt"
	"time"
)

// KeyFingerprints returns the fingerprints of the platform keys recorded
// in the store, by key name; none on a store that never met its keys.
func (s *DB) KeyFingerprints(ctx context.Context) (map[string]string, error) {
	rows, err := s.write.QueryContext(ctx, `SELECT name, fingerprint FROM key_fingerprints`)
	if err != nil {
		return nil, fmt.Errorf("reading key fingerprints: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var name, fp string
		if err := rows.Scan(&name, &fp); err != nil {
			return nil, fmt.Errorf("reading key fingerprints: %w", err)
		}
		out[name] = fp
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading key fingerprints: %w", err)
	}
	return out, nil
}

// RecordKeyFingerprints records the fingerprints of the keys the store
// does not know yet; a fingerprint already recorded is never replaced
// (servers starting together keep the first, and the others then find
// theirs differ).
func (s *DB) RecordKeyFingerprints(ctx context.Context, fps map[string]string) error {
	now := time.Now().UTC().Format(time.RFC3339)
	for name, fp := range fps {
		if _, err := s.write.ExecContext(ctx, s.q(`INSERT INTO key_fingerprints (name, fingerprint, recorded_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING`), name, fp, now); err != nil {
			return fmt.Errorf("recording the fingerprint of key %s: %w", name, err)
		}
	}
	return nil
}

// HoldsData reports whether the store holds anything a platform key
// protects or signs: organisations, persons or audit entries. Reference
// data (geography, ROME) and key fingerprints do not count.
func (s *DB) HoldsData(ctx context.Context) (bool, error) {
	var n, entries int
	err := s.write.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM (SELECT 1 FROM organisations LIMIT 1) o) +
		(SELECT count(*) FROM (SELECT 1 FROM persons LIMIT 1) p)`).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("checking whether the store holds data: %w", err)
	}
	// The audit log may live in its own database (AuditDB). SQLite keeps
	// its entries one row per batch (store/auditsql).
	a := s.AuditDB()
	table := "audit_entries"
	if a.d.Name == "sqlite" {
		table = "audit_batches"
	}
	if err := a.write.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM `+table+` LIMIT 1) a`).Scan(&entries); err != nil {
		return false, fmt.Errorf("checking whether the audit log holds entries: %w", err)
	}
	return n+entries > 0, nil
}
