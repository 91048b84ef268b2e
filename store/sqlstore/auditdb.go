package sqlstore

// SetAuditDB makes a the database that keeps the audit log of s (store/auditsql
// reads it through AuditDB): SQLite keeps the log in its own file, so that
// its appends and checkpoints do not tax every read of the data. s does
// not close a; the engine that opened both does.
func (s *DB) SetAuditDB(a *DB) { s.audit = a }

// AuditDB returns the database of the audit log of s: s itself unless the
// engine keeps the log apart (SetAuditDB).
func (s *DB) AuditDB() *DB {
	if s.audit != nil {
		return s.audit
	}
	return s
}
