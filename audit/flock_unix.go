//go:build unix

package audit

import (
	"fmt"
	"os"
	"syscall"
)

// lockFile takes an exclusive advisory lock on f, released when f is closed,
// so that two processes never append to the same log.
func lockFile(f *os.File) error {
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return fmt.Errorf("lock %s (is another process using the log?): %w", f.Name(), err)
	}
	return nil
}
