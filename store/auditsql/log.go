// Package auditsql keeps the journal des accès (package audit) in the SQL
// database of a sqlstore.DB (PostgreSQL: beside the records it protects;
// SQLite: in its own file, sqlstore.DB.AuditDB): the entries
// with the Merkle tree hashes they complete, the signed and witnessed
// checkpoints, and the search index that a person's access history and the
// privacy officers' searches read. The same code serves SQLite and
// PostgreSQL; on PostgreSQL several servers append to one log through
// AppendSequenced. Package sqlstore does not know the log.
package auditsql

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"time"

	"socle/audit"
	"socle/store/sqlstore"
)

// Storage is the audit.Storage of the journal des accès in the audit
// database of a store.
type Storage struct {
	db          *sqlstore.DB // Immutable; never nil.
	read, write *sql.DB      // the pools of db
	d           sqlstore.Dialect
	stmts       *auditStatements // shared by the copies of a Storage
}

var (
	_ audit.WitnessStorage   = Storage{}
	_ audit.SequencedStorage = Storage{}
)

// New returns the audit storage of db, in the database db keeps its audit
// log in (sqlstore.DB.AuditDB: SQLite's own audit file). Make one per
// database and share it: it holds the prepared statements of the appends.
func New(db *sqlstore.DB) Storage {
	db = db.AuditDB()
	read, write := db.ReadWrite()
	return Storage{db: db, read: read, write: write, d: db.Dialect(), stmts: &auditStatements{}}
}

// q rebinds the placeholders of query for the dialect.
func (a Storage) q(query string) string { return a.db.Rebind(query) }

// now is the time stored with a checkpoint.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// Size returns the number of entries.
func (a Storage) Size(ctx context.Context) (uint64, error) {
	n, err := a.size(ctx, a.read)
	if err != nil {
		return 0, fmt.Errorf("audit size: %w", err)
	}
	return n, nil
}

// AppendBatch inserts records as entries first… in one transaction, after
// checking that first is the next index: two writers can never interleave.
// The transaction also updates the search index (index.go).
func (a Storage) AppendBatch(ctx context.Context, first uint64, records []audit.Record) error {
	_, err := a.AppendSequenced(ctx, func(size uint64) ([]audit.Record, error) {
		if size != first {
			return nil, fmt.Errorf("batch starts at %d but the log holds %d entries", first, size)
		}
		return records, nil
	})
	return err
}

// AppendSequenced implements audit.SequencedStorage: under the dialect's
// audit lock (PostgreSQL: a transaction advisory lock), it reads the size
// of the log, builds the batch on it and inserts it, with its search index,
// in one transaction.
func (a Storage) AppendSequenced(ctx context.Context, build func(size uint64) ([]audit.Record, error)) (uint64, error) {
	// Before the transaction: SQLite's single write connection is then free.
	if err := a.stmts.prepare(ctx, a); err != nil {
		return 0, fmt.Errorf("audit append: %w", err)
	}
	tx, err := a.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("audit append: %w", err)
	}
	defer tx.Rollback()
	if err := a.lockAudit(ctx, tx); err != nil {
		return 0, fmt.Errorf("audit append: %w", err)
	}
	first, err := a.size(ctx, tx)
	if err != nil {
		return 0, fmt.Errorf("audit append: %w", err)
	}
	records, err := build(first)
	if err != nil {
		return 0, fmt.Errorf("audit append: %w", err)
	}
	blocks := auditBlocks{}
	for i, r := range records {
		idx := int64(first) + int64(i)
		e, at, err := recordIndexed(idx, r)
		if err != nil {
			return 0, fmt.Errorf("audit append: %w", err)
		}
		blocks.add(idx, at, &e)
	}
	if err := a.insertEntries(ctx, tx, first, records); err != nil {
		return 0, fmt.Errorf("audit append: %w", err)
	}
	// The search index goes in the same transaction: an entry is searchable
	// exactly when it is durable.
	stmts := a.stmts
	last, err := blocks.merge(ctx, a, tx, int64(first), int64(first)+int64(len(records)), stmts.takeLast())
	if err != nil {
		return 0, fmt.Errorf("audit append: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("audit append: commit: %w", err)
	}
	stmts.setLast(last)
	return first, nil
}

// lockAudit takes the dialect's audit lock in tx, if it has one.
func (s Storage) lockAudit(ctx context.Context, tx *sql.Tx) error {
	if s.d.AuditLock == "" {
		return nil
	}
	if _, err := tx.ExecContext(ctx, s.d.AuditLock); err != nil {
		return fmt.Errorf("taking the audit lock: %w", err)
	}
	return nil
}

// ReadRange calls fn for the entries [from, to) in order.
func (a Storage) ReadRange(ctx context.Context, from, to uint64, fn func(i uint64, r audit.Record) error) error {
	// The position stored is not passed on: every leaf carries its own
	// index, which Verify checks, so after a deleted entry the next leaf
	// shows the wrong index.
	i := from
	err := a.scanEntries(ctx, int64(from), int64(to), false, func(_ int64, leaf, hashes []byte) error {
		err := fn(i, audit.Record{Leaf: leaf, Hashes: hashes})
		i++
		return err
	})
	if err != nil {
		return err
	}
	if i < to {
		return &audit.CorruptError{Index: i, Err: fmt.Errorf("entry missing")}
	}
	return nil
}

// ReadHashes returns the node hashes stored with the given entries, in one
// query per MaxParams indexes: a server sharing the log re-reads the edge
// of the tree (about log2 of its size) whenever another appended.
func (a Storage) ReadHashes(ctx context.Context, indexes []uint64) ([][]byte, error) {
	if a.batched() {
		return a.readBatchHashes(ctx, indexes)
	}
	out := make([][]byte, len(indexes))
	at := make(map[int64][]int, len(indexes)) // index → positions asked
	for i, idx := range indexes {
		at[int64(idx)] = append(at[int64(idx)], i)
	}
	keys := make([]any, 0, len(at))
	for idx := range at {
		keys = append(keys, idx)
	}
	for len(keys) > 0 {
		chunk := keys[:min(len(keys), a.d.MaxParams)]
		keys = keys[len(chunk):]
		query := `SELECT idx, hashes FROM audit_entries WHERE idx IN (?` + strings.Repeat(`, ?`, len(chunk)-1) + `)`
		rows, err := a.read.QueryContext(ctx, a.q(query), chunk...)
		if err != nil {
			return nil, fmt.Errorf("audit hashes: %w", err)
		}
		for rows.Next() {
			var idx int64
			var h []byte
			if err := rows.Scan(&idx, &h); err != nil {
				rows.Close()
				return nil, fmt.Errorf("audit hashes: %w", err)
			}
			for _, i := range at[idx] {
				out[i] = h
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("audit hashes: %w", err)
		}
	}
	for i, h := range out {
		if h == nil {
			return nil, &audit.CorruptError{Index: indexes[i], Err: fmt.Errorf("entry missing")}
		}
	}
	return out, nil
}

// PutCheckpoint stores a signed checkpoint.
func (a Storage) PutCheckpoint(ctx context.Context, size uint64, note []byte) error {
	// Two processes sharing the log (the servers, an operator's command)
	// each sign checkpoints: one smaller than the newest stored is dropped,
	// so that the stored checkpoints never go back, which Verify requires.
	// The audit lock orders the check and the insert of concurrent signers.
	tx, err := a.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("audit checkpoint: %w", err)
	}
	defer tx.Rollback()
	if err := a.lockAudit(ctx, tx); err != nil {
		return fmt.Errorf("audit checkpoint: %w", err)
	}
	_, err = tx.ExecContext(ctx, a.q(`INSERT INTO audit_checkpoints (tree_size, note, created_at)
		SELECT ?, ?, ? WHERE ? >= COALESCE((SELECT MAX(tree_size) FROM audit_checkpoints), 0)`), int64(size), note, now(), int64(size))
	if err != nil {
		return fmt.Errorf("audit checkpoint: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("audit checkpoint: commit: %w", err)
	}
	return nil
}

// LatestCheckpoint returns the last checkpoint stored, nil when none.
func (a Storage) LatestCheckpoint(ctx context.Context) (uint64, []byte, error) {
	return a.latestNote(ctx, `SELECT tree_size, note FROM audit_checkpoints ORDER BY id DESC LIMIT 1`)
}

// latestNote runs a query of the newest (size, note) row; nil when none.
func (a Storage) latestNote(ctx context.Context, query string) (uint64, []byte, error) {
	var size int64
	var note []byte
	err := a.read.QueryRowContext(ctx, query).Scan(&size, &note)
	if err == sql.ErrNoRows {
		return 0, nil, nil
	} else if err != nil {
		return 0, nil, fmt.Errorf("audit checkpoint: %w", err)
	}
	return uint64(size), note, nil
}

// PutWitnessed stores a checkpoint with its witness cosignatures.
func (a Storage) PutWitnessed(ctx context.Context, size uint64, note []byte) error {
	_, err := a.write.ExecContext(ctx, a.q(`INSERT INTO audit_witnessed (tree_size, note, created_at) VALUES (?, ?, ?)`), int64(size), note, now())
	if err != nil {
		return fmt.Errorf("audit witnessed checkpoint: %w", err)
	}
	return nil
}

// LatestWitnessed returns the last witnessed checkpoint stored, nil when
// none.
func (a Storage) LatestWitnessed(ctx context.Context) (uint64, []byte, error) {
	return a.latestNote(ctx, `SELECT tree_size, note FROM audit_witnessed ORDER BY id DESC LIMIT 1`)
}

// Checkpoints calls fn for every checkpoint in the order stored.
func (a Storage) Checkpoints(ctx context.Context, fn func(size uint64, note []byte) error) error {
	rows, err := a.read.QueryContext(ctx, `SELECT tree_size, note FROM audit_checkpoints ORDER BY id`)
	if err != nil {
		return fmt.Errorf("audit checkpoints: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var size int64
		var note []byte
		if err := rows.Scan(&size, &note); err != nil {
			return fmt.Errorf("audit checkpoints: %w", err)
		}
		if err := fn(uint64(size), note); err != nil {
			return err
		}
	}
	return rows.Err()
}

// insertKey names a prepared insert: its table and row count.
type insertKey struct {
	table string
	rows  int
}

var auditEntryColumns = []string{"idx", "leaf", "hashes"}

// auditChunks are the row counts of the prepared multi-row inserts of the
// audit log, largest first: a batch of any size is written as chunks of
// these sizes, so that the append path compiles no statement (compiling a
// multi-row INSERT of the batch's size cost a tenth of the append time).
var auditChunks = []int{64, 32, 16, 8, 4, 2, 1}

// auditStatements are the prepared inserts of the audit log, per table and
// chunk size, prepared once on the write pool.
type auditStatements struct {
	mu    sync.Mutex
	stmts map[insertKey]*sql.Stmt
	last  *lastBlock // the newest block as last committed (index.go)
}

// takeLast returns the remembered newest block and forgets it until the
// batch commits: a batch that fails leaves nothing remembered.
func (p *auditStatements) takeLast() *lastBlock {
	p.mu.Lock()
	defer p.mu.Unlock()
	l := p.last
	p.last = nil
	return l
}

func (p *auditStatements) setLast(l *lastBlock) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.last = l
}

// prepare prepares the statements on first use.
func (p *auditStatements) prepare(ctx context.Context, s Storage) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stmts != nil {
		return nil
	}
	stmts := map[insertKey]*sql.Stmt{}
	if s.batched() {
		// One row per batch of up to batchRowEntries entries.
		st, err := s.write.PrepareContext(ctx, insertBatchRow)
		if err != nil {
			return fmt.Errorf("preparing insert into audit_batches: %w", err)
		}
		stmts[insertKey{"audit_batches", 1}] = st
		p.stmts = stmts
		return nil
	}
	for _, t := range []sqlstore.Table{{Name: "audit_entries", Columns: auditEntryColumns}} {
		for _, n := range auditChunks {
			st, err := s.write.PrepareContext(ctx, s.db.InsertSQL(t, n))
			if err != nil {
				for _, st := range stmts {
					st.Close()
				}
				return fmt.Errorf("preparing insert into %s: %w", t.Name, err)
			}
			stmts[insertKey{t.Name, n}] = st
		}
	}
	p.stmts = stmts
	return nil
}

// insert writes the rows of t in tx with the prepared statements.
func (p *auditStatements) insert(ctx context.Context, tx *sql.Tx, t sqlstore.Table) error {
	p.mu.Lock()
	stmts := p.stmts
	p.mu.Unlock()
	args := make([]any, 0, auditChunks[0]*len(t.Columns))
	inTx := map[int]*sql.Stmt{}
	for rows := t.Rows; len(rows) > 0; {
		n := auditChunks[len(auditChunks)-1]
		for _, c := range auditChunks {
			if c <= len(rows) {
				n = c
				break
			}
		}
		st := inTx[n]
		if st == nil {
			st = tx.StmtContext(ctx, stmts[insertKey{t.Name, n}])
			inTx[n] = st
		}
		args = args[:0]
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("inserting into %s: %w", t.Name, err)
		}
		rows = rows[n:]
	}
	return nil
}
