package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// rowScanner is what the scan functions read: a *sql.Row or *sql.Rows.
type rowScanner = interface{ Scan(...any) error }

// scanString reads a row of one text column.
func scanString(sc rowScanner) (string, error) {
	var v string
	err := sc.Scan(&v)
	return v, err
}

// execer is the write pool or a transaction.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// updateOne runs an UPDATE on db that must change a row: none is
// ENOTFOUND, naming what.
func (s *DB) updateOne(ctx context.Context, db execer, what, query string, args ...any) error {
	return s.execOne(ctx, db, what, notFound(what), query, args...)
}

// execOne runs a statement on db that must change a row, the guard of a
// conditional write: when it changes none, it returns none (an ENOTFOUND
// or ECONFLICT saying why). what names the write in errors.
func (s *DB) execOne(ctx context.Context, db execer, what string, none error, query string, args ...any) error {
	res, err := db.ExecContext(ctx, s.q(query), args...)
	if err != nil {
		return s.fail(err, what)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	} else if n == 0 {
		return none
	}
	return nil
}

// queryOne reads the one row of query with scan; no row is ENOTFOUND,
// naming what.
func queryOne[T any](ctx context.Context, s *DB, scan func(rowScanner) (T, error), what, query string, args ...any) (T, error) {
	v, err := scan(s.read.QueryRowContext(ctx, s.q(query), args...))
	if errors.Is(err, sql.ErrNoRows) {
		var zero T
		return zero, notFound(what)
	} else if err != nil {
		var zero T
		return zero, fmt.Errorf("reading %s: %w", what, err)
	}
	return v, nil
}

// queryAll reads every row of query with scan; what names the list in
// errors.
func queryAll[T any](ctx context.Context, s *DB, scan func(rowScanner) (T, error), what, query string, args ...any) ([]T, error) {
	return queryAllIn(ctx, s, s.read, scan, what, query, args...)
}

// queryAllIn is queryAll on db: a transaction, or the pool a read must see.
func queryAllIn[T any](ctx context.Context, s *DB, db queryer, scan func(rowScanner) (T, error), what, query string, args ...any) ([]T, error) {
	rows, err := db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("listing %s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing %s: %w", what, err)
	}
	return out, nil
}
