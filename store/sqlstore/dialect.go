package sqlstore

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"sync"
)

// ConstraintKind is the kind of integrity constraint a write violated.
type ConstraintKind int

// The constraint kinds a Dialect recognises in driver errors.
const (
	NoConstraint ConstraintKind = iota
	UniqueViolation
	ForeignKeyViolation
	NotNullViolation
	CheckViolation
)

// Table is rows to bulk-load into one table. Table and column names come
// from this package, never from input.
type Table struct {
	Name    string
	Columns []string
	Rows    [][]any
}

// Dialect is what differs between the SQL engines behind DB. The zero value
// of each optional field selects the portable behaviour.
type Dialect struct {
	// Name is "sqlite" or "postgres", for messages.
	Name string
	// Numbered says placeholders are $1..$n instead of ?.
	Numbered bool
	// MaxParams is the largest number of parameters of one statement.
	MaxParams int
	// MigrationsTable is the DDL creating schema_migrations when missing.
	MigrationsTable string
	// MigrationLock, when set, runs first in each migration transaction so
	// that two processes starting together do not both apply a migration.
	MigrationLock string
	// AuditLock, when set, runs first in each transaction that appends to
	// the audit log or stores a checkpoint, so that the servers sharing the
	// database append one batch at a time on the exact end of the log.
	AuditLock string
	// ChangeLock, when set, runs before a transaction appends to the change
	// feed and holds until its commit, so that the feed's sequence follows
	// the commit order and a reader's cursor never skips a change.
	ChangeLock string
	// Constraint classifies a driver error; name is the constraint, index
	// or "table.column" it names, when the driver says.
	Constraint func(err error) (kind ConstraintKind, name string)
	// IndexQuery lists the secondary indexes of one table (the parameter)
	// that a bulk load may drop and rebuild: rows of (name, CREATE INDEX
	// statement), never those that back a primary key or a constraint.
	IndexQuery string
	// BulkLoad inserts the tables in order in one transaction on db. When
	// nil, DB uses prepared multi-row INSERTs in one transaction.
	BulkLoad func(ctx context.Context, db *sql.DB, tables []Table) error
}

// rebinder turns ?-placeholders into the dialect's form, once per query
// string: queries are constants or built from fixed fragments, so the cache
// stays small, and rebinding is on every call path.
type rebinder struct {
	numbered bool
	cache    sync.Map // string -> string
}

func (r *rebinder) rebind(query string) string {
	if !r.numbered {
		return query
	}
	if q, ok := r.cache.Load(query); ok {
		return q.(string)
	}
	q := Rebind(query)
	r.cache.Store(query, q)
	return q
}

// Rebind replaces each ? outside quotes by $1, $2, … in order.
func Rebind(query string) string {
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	var quote byte
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
