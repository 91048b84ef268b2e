package sqlite

import (
	"fmt"
	"testing"

	"github.com/mattn/go-sqlite3"

	"socle"
)

// TestUnavailableErrors: SQLite errors that say "not now" are
// EUNAVAILABLE (503, retry later); the others stay internal.
func TestUnavailableErrors(t *testing.T) {
	tests := []struct {
		code sqlite3.ErrNo
		want string
	}{
		{sqlite3.ErrBusy, socle.EUNAVAILABLE},
		{sqlite3.ErrLocked, socle.EUNAVAILABLE},
		{sqlite3.ErrFull, socle.EUNAVAILABLE},
		{sqlite3.ErrIoErr, socle.EUNAVAILABLE},
		{sqlite3.ErrReadonly, socle.EUNAVAILABLE},
		{sqlite3.ErrError, socle.EINTERNAL},
		{sqlite3.ErrCorrupt, socle.EINTERNAL},
	}
	for _, tt := range tests {
		err := fmt.Errorf("reading person: %w", sqlite3.Error{Code: tt.code})
		if got := socle.ErrorCode(err); got != tt.want {
			t.Errorf("code %d: ErrorCode = %s, want %s", tt.code, got, tt.want)
		}
	}
}
