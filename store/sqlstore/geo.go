package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"socle"
)

var (
	regionColumns      = []string{"code", "name"}
	departementColumns = []string{"code", "region_code", "name"}
	communeColumns     = []string{"code", "name", "departement_code", "region_code", "postal_codes", "population"}
)

// ImportGeo replaces the reference geography in one transaction.
func (s *DB) ImportGeo(ctx context.Context, regions []socle.Region, deps []socle.Departement, communes []socle.Commune) error {
	tables := []Table{
		{Name: "regions", Columns: regionColumns},
		{Name: "departements", Columns: departementColumns},
		{Name: "communes", Columns: communeColumns},
	}
	for _, r := range regions {
		tables[0].Rows = append(tables[0].Rows, []any{r.Code, r.Name})
	}
	for _, d := range deps {
		tables[1].Rows = append(tables[1].Rows, []any{d.Code, d.RegionCode, d.Name})
	}
	for _, c := range communes {
		tables[2].Rows = append(tables[2].Rows, []any{c.Code, c.Name, c.DepartementCode, c.RegionCode, listJSON(c.PostalCodes), c.Population})
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("importing geography: %w", err)
	}
	defer tx.Rollback()
	for _, stmt := range []string{`DELETE FROM communes`, `DELETE FROM departements`, `DELETE FROM regions`} {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("importing geography: %w", err)
		}
	}
	for _, t := range tables {
		if err := s.insertRows(ctx, tx, t); err != nil {
			return s.fail(err, "geography")
		}
	}
	return s.commit(tx, "geography")
}

// Departements returns every département, by code.
func (s *DB) Departements(ctx context.Context) ([]socle.Departement, error) {
	return queryAll(ctx, s, func(sc rowScanner) (socle.Departement, error) {
		var d socle.Departement
		err := sc.Scan(&d.Code, &d.RegionCode, &d.Name)
		return d, err
	}, "départements", `SELECT code, region_code, name FROM departements ORDER BY code`)
}

const communeSelect = `SELECT code, name, departement_code, region_code, postal_codes, population FROM communes`

func scanCommune(sc interface{ Scan(...any) error }) (socle.Commune, error) {
	var c socle.Commune
	var postal []byte
	if err := sc.Scan(&c.Code, &c.Name, &c.DepartementCode, &c.RegionCode, &postal, &c.Population); err != nil {
		return c, err
	}
	pcs, err := decodeList[string](postal)
	c.PostalCodes = pcs
	return c, err
}

// Commune returns the commune with that INSEE code, ENOTFOUND if none.
func (s *DB) Commune(ctx context.Context, code string) (*socle.Commune, error) {
	c, err := scanCommune(s.read.QueryRowContext(ctx, s.q(communeSelect+` WHERE code = ?`), code))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("commune")
	} else if err != nil {
		return nil, fmt.Errorf("reading commune: %w", err)
	}
	return &c, nil
}

// Communes returns communes of a département, largest first; all when dep
// is "". A limit <= 0 means no limit: this is reference data.
func (s *DB) Communes(ctx context.Context, dep string, limit int) ([]socle.Commune, error) {
	if limit <= 0 {
		limit = 1 << 30
	}
	if dep == "" {
		return queryAll(ctx, s, scanCommune, "communes", communeSelect+` ORDER BY population DESC, code LIMIT ?`, limit)
	}
	return queryAll(ctx, s, scanCommune, "communes", communeSelect+` WHERE departement_code = ? ORDER BY population DESC, code LIMIT ?`, dep, limit)
}
