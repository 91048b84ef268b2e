package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
)

// Pools returns the connection pools of the store by role ("read",
// "write"; one "pool" when both are the same), for their statistics.
func (s *DB) Pools() map[string]*sql.DB {
	if s.read == s.write {
		return map[string]*sql.DB{"pool": s.read}
	}
	return map[string]*sql.DB{"read": s.read, "write": s.write}
}

// OpenCases counts the misuse cases not closed, by state, for the
// metrics.
func (s *DB) OpenCases(ctx context.Context) (map[string]int, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT state, count(*) FROM detect_cases WHERE state <> 'clos' GROUP BY state`)
	if err != nil {
		return nil, fmt.Errorf("counting open cases: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			return nil, fmt.Errorf("counting open cases: %w", err)
		}
		out[state] = n
	}
	return out, rows.Err()
}
