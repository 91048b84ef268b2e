package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestStartCPUProfile: a path gets a profile once stopped, no path
// profiles nothing, and a path that cannot be created is an error.
func TestStartCPUProfile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cpu.pprof")
	stop, err := startCPUProfile(path)
	if err != nil {
		t.Fatal(err)
	}
	stop()
	if info, err := os.Stat(path); err != nil || info.Size() == 0 {
		t.Fatalf("profile %s: %v, %v; want a non-empty file", path, info, err)
	}

	stop, err = startCPUProfile("")
	if err != nil {
		t.Fatalf("no path: %v", err)
	}
	stop()
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("no path wrote files: %v", entries)
	}

	if _, err := startCPUProfile(filepath.Join(dir, "missing", "cpu.pprof")); err == nil {
		t.Error("a profile in a missing directory started")
	}
}
