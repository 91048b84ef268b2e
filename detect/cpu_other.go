//go:build !unix

package detect

// cpuSeconds is unknown here.
func cpuSeconds() float64 { return 0 }
