package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"socle"
)

var (
	organisationColumns            = []string{"id", "kind", "name", "siret", "parent_id", "created_at"}
	organisationDepartementColumns = []string{"organisation_id", "departement_code", "position"}
)

// prepareOrganisation fills the id and creation time of a new organisation
// and drops repeated départements.
func prepareOrganisation(o *socle.Organisation) {
	if o.ID == "" {
		o.ID = socle.NewID(socle.PrefixOrganisation)
	}
	o.CreatedAt = stamp(o.CreatedAt)
	var deps []string
	for _, d := range o.Departements {
		if !slices.Contains(deps, d) {
			deps = append(deps, d)
		}
	}
	o.Departements = deps
}

func organisationRow(o *socle.Organisation) []any {
	return []any{o.ID, string(o.Kind), o.Name, o.SIRET, nullable(o.ParentID), o.CreatedAt}
}

func organisationDepartementRows(o *socle.Organisation) [][]any {
	rows := make([][]any, len(o.Departements))
	for i, d := range o.Departements {
		rows[i] = []any{o.ID, d, i}
	}
	return rows
}

// CreateOrganisation validates and stores a new organisation, filling its
// id and creation time.
func (s *DB) CreateOrganisation(ctx context.Context, o *socle.Organisation) error {
	if err := o.Validate(); err != nil {
		return err
	}
	prepareOrganisation(o)
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("organisation: %w", err)
	}
	defer tx.Rollback()
	if err := s.insertRows(ctx, tx, Table{Name: "organisations", Columns: organisationColumns, Rows: [][]any{organisationRow(o)}}); err != nil {
		return s.fail(err, "organisation")
	}
	if err := s.insertRows(ctx, tx, Table{Name: "organisation_departements", Columns: organisationDepartementColumns, Rows: organisationDepartementRows(o)}); err != nil {
		return s.fail(err, "organisation")
	}
	return s.commit(tx, "organisation")
}

// Organisation returns the organisation with that id, ENOTFOUND if none.
func (s *DB) Organisation(ctx context.Context, id string) (*socle.Organisation, error) {
	var o socle.Organisation
	var parent sql.NullString
	err := s.read.QueryRowContext(ctx, s.q(`SELECT id, kind, name, siret, parent_id, created_at FROM organisations WHERE id = ?`), id).
		Scan(&o.ID, &o.Kind, &o.Name, &o.SIRET, &parent, scanTime(&o.CreatedAt))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("organisation")
	} else if err != nil {
		return nil, fmt.Errorf("reading organisation: %w", err)
	}
	o.ParentID = parent.String
	if o.Departements, err = queryAll(ctx, s, scanString, "organisation territory", `SELECT departement_code FROM organisation_departements WHERE organisation_id = ? ORDER BY position`, id); err != nil {
		return nil, err
	}
	return &o, nil
}

// Organisations returns the organisations matching f, by name; at most
// f.Limit (default 100, at most 1000) from f.Offset.
func (s *DB) Organisations(ctx context.Context, f socle.OrganisationFilter) ([]*socle.Organisation, error) {
	var where strings.Builder
	var args []any
	if f.Kind != "" {
		where.WriteString(` AND kind = ?`)
		args = append(args, string(f.Kind))
	}
	if f.Departement != "" {
		where.WriteString(` AND id IN (SELECT organisation_id FROM organisation_departements WHERE departement_code = ?)`)
		args = append(args, f.Departement)
	}
	args = append(args, clampLimit(f.Limit, 100, 1000), max(f.Offset, 0))
	// The page of organisations is chosen first, then joined to its
	// territories, so that the limit counts organisations and not rows.
	query := `SELECT o.id, o.kind, o.name, o.siret, o.parent_id, o.created_at, d.departement_code
FROM (SELECT id, kind, name, siret, parent_id, created_at FROM organisations WHERE 1 = 1` + where.String() + `
	ORDER BY name, id LIMIT ? OFFSET ?) o
LEFT JOIN organisation_departements d ON d.organisation_id = o.id
ORDER BY o.name, o.id, d.position`
	rows, err := s.read.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("listing organisations: %w", err)
	}
	defer rows.Close()
	var out []*socle.Organisation
	for rows.Next() {
		var o socle.Organisation
		var parent, dep sql.NullString
		if err := rows.Scan(&o.ID, &o.Kind, &o.Name, &o.SIRET, &parent, scanTime(&o.CreatedAt), &dep); err != nil {
			return nil, fmt.Errorf("listing organisations: %w", err)
		}
		if n := len(out); n == 0 || out[n-1].ID != o.ID {
			o.ParentID = parent.String
			out = append(out, &o)
		}
		if dep.Valid {
			last := out[len(out)-1]
			last.Departements = append(last.Departements, dep.String)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing organisations: %w", err)
	}
	return out, nil
}
