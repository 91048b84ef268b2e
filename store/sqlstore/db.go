// Package sqlstore implements socle.Store over database/sql, once for both
// SQL engines: the store/sqlite and store/postgres packages open a database,
// describe their Dialect and hand both to New.
//
// Queries are written by hand with ? placeholders and rebound once per query
// string for engines that number them. Person reads select only the columns
// of the granted categories, so that a masked section is never even read.
package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"socle"
	"socle/seal"
)

// DB is a socle.Store over one SQL database. Reads go to the read pool and
// writes to the write pool, which may be the same pool; SQLite uses a
// single-connection write pool so that concurrent writers queue instead of
// failing with SQLITE_BUSY.
type DB struct {
	read, write *sql.DB
	d           Dialect
	rb          rebinder
	inserts     sync.Map      // insertKey -> string
	sealer      *seal.Keyring // seals the sensitive sections; nil refuses them

	// audit is where the audit log lives when not in this database
	// (SetAuditDB).
	audit *DB
	// sessionsGen counts the changes of sessions and agents, for the
	// caches of sessions (sessionsgen.go).
	sessionsGen sessionsGeneration
	// throttleCounts commits together the reads the gate's throttle
	// counts (throttle.go).
	throttleCounts groupCommit[*throttleCount]

	// onClose run first when the store closes (OnClose).
	onClose []func() error
}

var _ socle.Store = (*DB)(nil)

// New returns a store over the read and write pools of one database, whose
// schema is already migrated. Close closes both pools.
func New(read, write *sql.DB, d Dialect) *DB {
	if d.MaxParams <= 0 {
		d.MaxParams = 999 // SQLite's historical limit, safe everywhere
	}
	return &DB{read: read, write: write, d: d, rb: rebinder{numbered: d.Numbered}}
}

// Dialect returns the dialect of s.
func (s *DB) Dialect() Dialect { return s.d }

// OnClose registers fn to run when s closes, before its pools close: an
// engine's background work on the same database (SQLite's checkpointer).
func (s *DB) OnClose(fn func() error) { s.onClose = append(s.onClose, fn) }

// Close stops what OnClose registered, then closes the pools of s.
func (s *DB) Close() error {
	var err error
	for _, fn := range s.onClose {
		err = errors.Join(err, fn())
	}
	s.onClose = nil
	err = errors.Join(err, s.write.Close())
	if s.read != s.write {
		err = errors.Join(err, s.read.Close())
	}
	return err
}

// Ping checks that the database answers.
func (s *DB) Ping(ctx context.Context) error {
	if err := s.read.PingContext(ctx); err != nil {
		return socle.Errorf(socle.EUNAVAILABLE, "the %s database does not answer", s.d.Name)
	}
	return nil
}

// Empty reports whether the store holds no organisation yet.
func (s *DB) Empty(ctx context.Context) (bool, error) {
	var n int
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM organisations LIMIT 1) o`).Scan(&n); err != nil {
		return false, fmt.Errorf("counting organisations: %w", err)
	}
	return n == 0, nil
}

// q rebinds a query for the dialect.
func (s *DB) q(query string) string { return s.rb.rebind(query) }

// uniqueMessages names the unique constraints a person can hit, by the
// name each engine reports (SQLite: table.column, PostgreSQL: index).
var uniqueMessages = []struct {
	names []string
	msg   string
}{
	{[]string{"companies.siret", "companies_siret_key"}, "a company with this SIRET already exists"},
	{[]string{"agents.email_key", "agents_email_key"}, "an agent with this e-mail address already exists"},
}

// fail turns a driver error of a write about what into a domain error when
// it is a constraint violation, and wraps it otherwise. The messages never
// carry the offending values: they may be personal data.
func (s *DB) fail(err error, what string) error {
	if err == nil {
		return nil
	}
	var kind ConstraintKind
	var name string
	if s.d.Constraint != nil {
		kind, name = s.d.Constraint(err)
	}
	switch kind {
	case UniqueViolation:
		for _, u := range uniqueMessages {
			for _, n := range u.names {
				if strings.Contains(name, n) {
					return socle.Errorf(socle.ECONFLICT, "%s: %s", what, u.msg)
				}
			}
		}
		return socle.Errorf(socle.ECONFLICT, "%s: this identifier is already used", what)
	case ForeignKeyViolation:
		return socle.Errorf(socle.EINVALID, "%s: refers to a record that does not exist", what)
	case NotNullViolation, CheckViolation:
		return socle.Errorf(socle.EINVALID, "%s: a required field is missing or out of range", what)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w", what, err)
	}
	return fmt.Errorf("%s: %s: %w", what, s.d.Name, err)
}

// notFound returns the ENOTFOUND error of what.
func notFound(what string) error { return socle.Errorf(socle.ENOTFOUND, "%s not found", what) }

// now is the current time as both engines store it: UTC, microseconds.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// stamp returns t ready to store, or now when t is zero.
func stamp(t time.Time) time.Time {
	if t.IsZero() {
		return now()
	}
	return t.UTC().Truncate(time.Microsecond)
}

// timeLayouts are the forms in which timestamps come back as text: the
// SQLite driver's, then RFC 3339.
var timeLayouts = []string{
	"2006-01-02 15:04:05.999999999-07:00",
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
}

// timeScanner scans a timestamp stored as a time or as text.
type timeScanner struct{ t *time.Time }

func (ts timeScanner) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*ts.t = time.Time{}
		return nil
	case time.Time:
		*ts.t = v.UTC()
		return nil
	case string:
		return ts.parse(v)
	case []byte:
		return ts.parse(string(v))
	}
	return fmt.Errorf("timestamp: cannot scan %T", src)
}

func (ts timeScanner) parse(s string) error {
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			*ts.t = t.UTC()
			return nil
		}
	}
	return fmt.Errorf("timestamp: cannot parse %q", s)
}

// scanTime returns a Scanner into t.
func scanTime(t *time.Time) sql.Scanner { return timeScanner{t} }

// nullable returns nil for "", so that optional references are NULL.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// sectionJSON encodes a person's section, nil (NULL) when absent.
func sectionJSON[T any](v *T) (any, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// decodeSection decodes a section, nil when NULL.
func decodeSection[T any](b []byte) (*T, error) {
	if b == nil {
		return nil, nil
	}
	v := new(T)
	if err := json.Unmarshal(b, v); err != nil {
		return nil, err
	}
	return v, nil
}

// listJSON encodes a list as a JSON array, [] when empty.
func listJSON[T any](v []T) string {
	if len(v) == 0 {
		return "[]"
	}
	b, err := json.Marshal(v)
	if err != nil {
		// Lists of strings and string kinds always encode.
		panic("sqlstore: encoding a list: " + err.Error())
	}
	return string(b)
}

// decodeList decodes a JSON array, nil when empty.
func decodeList[T any](b []byte) ([]T, error) {
	if len(b) == 0 {
		return nil, nil
	}
	var v []T
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	if len(v) == 0 {
		return nil, nil
	}
	return v, nil
}

// clampLimit returns n, or def when n <= 0, at most max.
func clampLimit(n, def, max int) int {
	if n <= 0 {
		return def
	}
	return min(n, max)
}

// prefixUpper is appended to a prefix to bound a range scan: U+10FFFF sorts
// after every character in byte order (SQLite BINARY, PostgreSQL "C"), so
// [p, p+prefixUpper) is every string that starts with p, and uses the index.
const prefixUpper = "\U0010FFFF"

// commit commits tx and maps its error, where deferred constraints fail.
func (s *DB) commit(tx *sql.Tx, what string) error {
	return s.fail(tx.Commit(), what)
}
