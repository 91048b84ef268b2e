package sqlstore

import (
	"context"
	"errors"
	"fmt"
)

// WithoutIndexes runs load with the secondary indexes of tables dropped and
// builds them again afterwards: building an index once over a million rows
// is several times faster than keeping it in order row by row. It is for
// bulk loads into an empty store (the demo network): should the process
// die during load, the indexes are missing, and so is most of the data.
func (s *DB) WithoutIndexes(ctx context.Context, tables []string, load func() error) error {
	if s.d.IndexQuery == "" {
		return load()
	}
	var dropped []index
	for _, t := range tables {
		ixs, err := s.indexes(ctx, t)
		if err != nil {
			return err
		}
		dropped = append(dropped, ixs...)
	}
	for _, ix := range dropped {
		// Names come from the catalogue, never from input.
		if _, err := s.write.ExecContext(ctx, `DROP INDEX `+ix.name); err != nil {
			return fmt.Errorf("dropping index %s: %w", ix.name, err)
		}
	}
	loadErr := load()
	// The indexes come back even when the load failed: the store must stay
	// usable for what was loaded.
	var rebuildErr error
	for _, ix := range dropped {
		if _, err := s.write.ExecContext(context.WithoutCancel(ctx), ix.ddl); err != nil {
			rebuildErr = errors.Join(rebuildErr, fmt.Errorf("rebuilding index %s: %w", ix.name, err))
		}
	}
	return errors.Join(loadErr, rebuildErr)
}

type index struct{ name, ddl string }

// indexes lists the secondary indexes of table.
func (s *DB) indexes(ctx context.Context, table string) ([]index, error) {
	return queryAll(ctx, s, func(sc rowScanner) (index, error) {
		var ix index
		err := sc.Scan(&ix.name, &ix.ddl)
		return ix, err
	}, "the indexes of "+table, s.d.IndexQuery, table)
}

// IndexNames returns the names of the secondary indexes of table, for
// operators and tests checking that a bulk load rebuilt them.
func (s *DB) IndexNames(ctx context.Context, table string) ([]string, error) {
	ixs, err := s.indexes(ctx, table)
	var names []string
	for _, ix := range ixs {
		names = append(names, ix.name)
	}
	return names, err
}
