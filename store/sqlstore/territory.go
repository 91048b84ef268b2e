package sqlstore

import (
	"strings"

	"socle"
)

// situationExpr extracts the situation from the parcours JSON column: the
// column is TEXT on SQLite and jsonb on PostgreSQL.
func (s *DB) situationExpr() string {
	if s.d.Name == "postgres" {
		return `parcours->>'situation'`
	}
	return `json_extract(parcours, '$.situation')`
}

// territoryFilter appends the conditions of a territory search: persons
// living in one of deps, in one of situations. Empty lists do not filter.
func (s *DB) territoryFilter(where *strings.Builder, args []any, deps []string, situations []socle.Situation) []any {
	if len(deps) > 0 {
		where.WriteString(` AND departement IN (?` + strings.Repeat(`, ?`, len(deps)-1) + `)`)
		for _, d := range deps {
			args = append(args, d)
		}
	}
	if len(situations) > 0 {
		where.WriteString(` AND ` + s.situationExpr() + ` IN (?` + strings.Repeat(`, ?`, len(situations)-1) + `)`)
		for _, st := range situations {
			args = append(args, string(st))
		}
	}
	return args
}
