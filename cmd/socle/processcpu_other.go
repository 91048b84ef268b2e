//go:build !(linux || darwin)

package main

import "time"

// processCPU cannot tell the CPU time used on this system.
func processCPU() (time.Duration, bool) { return 0, false }
