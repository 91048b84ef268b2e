//go:build !(linux || darwin)

package main

// diskFree cannot tell the free space on this system.
func diskFree(string) (uint64, bool) { return 0, false }
