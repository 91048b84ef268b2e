package sqlstore

import (
	"database/sql"
	"time"
)

// What another package needs to keep its own tables in the database of a
// DB (store/auditsql keeps the audit log there): the pools, the dialect's
// placeholders and the driver's timestamps.

// ReadWrite returns the read and write pools of s. Writes go to write: on
// SQLite it is the single write connection, so writers queue there.
func (s *DB) ReadWrite() (read, write *sql.DB) { return s.read, s.write }

// Rebind turns the ? placeholders of query into the dialect's, cached.
func (s *DB) Rebind(query string) string { return s.q(query) }

// InsertSQL returns the multi-row INSERT of n rows into t (its Rows are
// not used), cached.
func (s *DB) InsertSQL(t Table, n int) string { return s.insertSQL(t, n) }

// ScanTime returns a Scanner of a timestamp into t, stored as a time or
// as the driver's text.
func ScanTime(t *time.Time) sql.Scanner { return scanTime(t) }
