//go:build !unix

package audit

import "os"

// lockFile does nothing where flock(2) does not exist.
func lockFile(f *os.File) error { return nil }
