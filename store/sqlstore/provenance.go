package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"socle"
)

var _ socle.ProvenanceStore = (*DB)(nil)

// AddProvenance records who supplied sections of persons' files.
func (s *DB) AddProvenance(ctx context.Context, ps []socle.Provenance) error {
	if len(ps) == 0 {
		return nil
	}
	return s.inTx(ctx, "provenance", func(tx *sql.Tx) error { return s.addProvenance(ctx, tx, ps) })
}

// addProvenance is AddProvenance in tx.
func (s *DB) addProvenance(ctx context.Context, tx *sql.Tx, ps []socle.Provenance) error {
	for _, p := range ps {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO provenance (person_id, category, organisation_id, agent_id, client_id, at)
VALUES (?, ?, ?, ?, ?, ?)`), p.PersonID, string(p.Category), p.OrganisationID, p.AgentID, p.ClientID, stamp(p.At)); err != nil {
			return s.fail(err, "provenance")
		}
	}
	return nil
}

// LatestProvenance returns the latest supply of each category of a
// person's file.
func (s *DB) LatestProvenance(ctx context.Context, personID string) ([]socle.Provenance, error) {
	rows, err := s.read.QueryContext(ctx, s.q(`SELECT category, organisation_id, agent_id, client_id, at
FROM provenance WHERE person_id = ? ORDER BY category, at DESC`), personID)
	if err != nil {
		return nil, fmt.Errorf("reading provenance: %w", err)
	}
	defer rows.Close()
	var out []socle.Provenance
	for rows.Next() {
		p := socle.Provenance{PersonID: personID}
		var cat string
		if err := rows.Scan(&cat, &p.OrganisationID, &p.AgentID, &p.ClientID, scanTime(&p.At)); err != nil {
			return nil, fmt.Errorf("reading provenance: %w", err)
		}
		p.Category = socle.Category(cat)
		if n := len(out); n > 0 && out[n-1].Category == p.Category {
			continue // older supply of the same category
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

var provenanceColumns = []string{"person_id", "category", "organisation_id", "agent_id", "client_id", "at"}

// provenanceTable validates the provenance rows of a batch.
func provenanceTable(ps []socle.Provenance) (Table, error) {
	t := Table{Name: "provenance", Columns: provenanceColumns, Rows: make([][]any, 0, len(ps))}
	for i, p := range ps {
		if err := socle.CheckID(socle.PrefixPerson, "person", p.PersonID); err != nil {
			return t, batchError("provenance", i, err)
		}
		if !p.Category.Valid() {
			return t, batchError("provenance", i, socle.Errorf(socle.EINVALID, "unknown category %q", p.Category))
		}
		if p.At.IsZero() {
			return t, batchError("provenance", i, socle.Errorf(socle.EINVALID, "provenance without a time"))
		}
		t.Rows = append(t.Rows, []any{p.PersonID, string(p.Category), p.OrganisationID, p.AgentID, p.ClientID, stamp(p.At)})
	}
	return t, nil
}
