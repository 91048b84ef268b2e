//go:build linux || darwin

package main

import "syscall"

// diskFree returns the bytes available to this process on the file system
// of dir; ok is false when it cannot tell.
func diskFree(dir string) (free uint64, ok bool) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, false
	}
	return uint64(st.Bavail) * uint64(st.Bsize), true
}
