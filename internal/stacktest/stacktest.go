// Package stacktest builds the real stack for every package's tests: a
// SQLite store in a temporary directory, the policy engine over the
// default register, the signed audit log and the gate. Nothing is mocked;
// everything is closed when the test ends.
package stacktest

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"socle"
	"socle/audit"
	"socle/gate"
	"socle/matching"
	"socle/policy"
	"socle/rome"
	"socle/store/auditsql"
	"socle/store/postgres"
	"socle/store/sqlite"
	"socle/store/sqlstore"
	"socle/store/storetest"
)

// Options shape the stack; the zero value is a sealed store with the
// default register and audit options.
type Options struct {
	// Unsealed leaves the store without an encryption key: it refuses
	// the sensitive sections (health, justice, bank).
	Unsealed bool
	// Audit are the audit log's options.
	Audit audit.Options
	// ROME is the referential of the matching index; the built-in one
	// when it has no codes.
	ROME rome.Referential
}

// Stack is the real stack of a test. Its fields are set; never nil.
type Stack struct {
	Dir    string // the store's directory
	DB     *sqlstore.DB
	Log    *audit.Log
	Policy *policy.Engine
	Gate   *gate.Gate
	// Matching is the gate's index of the mise en relation, empty: a test
	// loads it (Matching.Load) once its persons and offers are stored.
	Matching *matching.Index
	// SignerKey and VerifierKey are the audit log's checkpoint keys.
	SignerKey, VerifierKey string
}

// Open opens a SQLite store in a temporary directory, closed when the
// test ends.
func Open(tb testing.TB) (*sqlstore.DB, string) {
	tb.Helper()
	dir := tb.TempDir()
	db, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db, dir
}

// OpenEngine opens a new, empty store on the engine the tests run
// against: a new schema of the test PostgreSQL server when they run under
// scripts/with-postgres (SOCLE_TEST_POSTGRES_URL is set), else SQLite in a
// temporary directory, as Open. The store is closed and the schema dropped
// when the test ends. For the tests of a package whose queries must hold
// on both engines.
func OpenEngine(tb testing.TB) *sqlstore.DB {
	tb.Helper()
	if os.Getenv("SOCLE_TEST_POSTGRES_URL") == "" {
		db, _ := Open(tb)
		return db
	}
	return OpenPostgres(tb)
}

// OpenPostgres opens a store in a new schema of the test PostgreSQL
// server, closed and dropped when the test ends; without the server
// (SOCLE_TEST_POSTGRES_URL unset) the test is skipped, except in CI
// (storetest.PostgresServer).
func OpenPostgres(tb testing.TB) *sqlstore.DB {
	tb.Helper()
	db, err := postgres.Open(context.Background(), storetest.PostgresURL(tb))
	if err != nil {
		tb.Fatalf("opening the PostgreSQL store: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// New builds the whole stack over a new store.
func New(tb testing.TB, opts Options) *Stack {
	tb.Helper()
	db, dir := Open(tb)
	s := Over(tb, db, opts)
	s.Dir = dir
	return s
}

// Over builds the stack over db: its audit log, policy engine and gate,
// which searches the audit index of db.
func Over(tb testing.TB, db *sqlstore.DB, opts Options) *Stack {
	tb.Helper()
	if !opts.Unsealed {
		db.SetSealer(storetest.Keyring(tb))
	}
	signer, verifier, err := audit.GenerateKey("socle.test")
	if err != nil {
		tb.Fatal(err)
	}
	log, err := audit.Open(context.Background(), auditsql.New(db), signer, opts.Audit)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { log.Close() })
	engine, err := policy.NewEngine(db, policy.DefaultRegister(), policy.Config{})
	if err != nil {
		tb.Fatal(err)
	}
	ref := opts.ROME
	if len(ref.Codes) == 0 {
		ref = rome.Builtin()
	}
	idx := matching.New(ref)
	g, err := gate.New(db, engine, log, engine, gate.WithAuditSearch(auditsql.New(db)), gate.WithMatching(idx))
	if err != nil {
		tb.Fatal(err)
	}
	return &Stack{DB: db, Log: log, Policy: engine, Gate: g, Matching: idx, SignerKey: signer, VerifierKey: verifier}
}

// BreakAuditStore makes the audit storage of the SQLite store in dir fail
// from now on, as an outage would: its batches table is renamed behind the
// store's back.
func BreakAuditStore(tb testing.TB, dir string) {
	tb.Helper()
	raw, err := sql.Open("sqlite3", filepath.Join(dir, sqlite.AuditFileName))
	if err != nil {
		tb.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`ALTER TABLE audit_batches RENAME TO audit_batches_gone`); err != nil {
		tb.Fatal(err)
	}
}

// Recorder is an in-memory audit log for the tests of a service that take
// any socle.Auditor and read back what was recorded. Safe for concurrent
// use; the zero value records.
type Recorder struct {
	mu     sync.Mutex
	events []socle.AuditEvent
}

// Append records ev.
func (r *Recorder) Append(_ context.Context, ev socle.AuditEvent) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, ev)
	return nil
}

// Events returns a copy of the events recorded so far, oldest first.
func (r *Recorder) Events() []socle.AuditEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}
