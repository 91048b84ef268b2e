package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"socle/store/sqlstore"
)

// importKind is one kind of "socle import": what its operand is, how it
// reads it and how it writes what it read. Reading checks everything
// before the store is opened, so that a file at fault changes nothing.
type importKind[T any] struct {
	name    string // after "import": "cog", "rome", "agents"
	usage   string // the usage line and what follows it in --help
	operand string // what the operand is, for the error that lacks it
	// read reads and checks the operand (a file or a directory).
	read func(operand string, sf storeFlags) (T, error)
	// write writes v into the store and reports on stdout.
	write func(ctx context.Context, db *sqlstore.DB, operand string, v T) error
}

// run parses the flags and the operand, reads, opens the store and
// writes; an error of read or write is named after the import.
func (k importKind[T]) run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlags("import "+k.name, k.usage, stdout)
	var sf storeFlags
	sf.register(fs, getenv)
	operand, err := parseOperand(fs, args, stdout, k.operand)
	if err != nil {
		return err
	}
	v, err := k.read(operand, sf)
	if err != nil {
		return fmt.Errorf("import %s: %w", k.name, err)
	}
	db, err := openStore(ctx, sf)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := k.write(ctx, db, operand, v); err != nil {
		return fmt.Errorf("import %s: %w", k.name, err)
	}
	return nil
}

// readFile opens file and reads it with parse; a parse error names the
// file, as separator sets it apart from the error (the HR import lists
// every line at fault, one a line).
func readFile[T any](file, separator string, parse func(io.Reader) (T, error)) (T, error) {
	f, err := os.Open(file)
	if err != nil {
		var zero T
		return zero, err
	}
	defer f.Close()
	v, err := parse(f)
	if err != nil {
		return v, fmt.Errorf("%s:%s%w", file, separator, err)
	}
	return v, nil
}
