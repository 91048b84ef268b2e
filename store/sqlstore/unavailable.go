package sqlstore

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"strings"

	"socle"
)

func init() { socle.RegisterUnavailable(poolUnavailable) }

// poolUnavailable recognises database/sql's errors of a connection or pool
// that is gone: the database cannot answer for now, which callers see as
// EUNAVAILABLE (503, retry later) rather than an internal error. The
// engines register what their drivers report (store/sqlite, store/postgres).
func poolUnavailable(err error) bool {
	// database/sql does not export the error of a closed pool (during a
	// shutdown): its text is its only mark.
	return errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		strings.Contains(err.Error(), "sql: database is closed")
}
