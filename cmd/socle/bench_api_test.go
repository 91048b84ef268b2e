package main

import (
	"encoding/json"
	"errors"
	"flag"
	"strings"
	"testing"
)

// TestBenchAPIRuns runs `socle bench api` for a moment on a tiny SQLite
// network, so that the benchmark keeps working: both principals sign in
// and read, every read is audited. It asserts no speed.
func TestBenchAPIRuns(t *testing.T) {
	out, err := socleCmd(t, "bench", "api", "--data", t.TempDir(), "--persons", "150", "--duration", "150ms", "--concurrency", "1,3", "--json")
	if err != nil {
		t.Fatalf("bench api: %v\n%s", err, out)
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var r apiBenchRow
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		if r.Store != "sqlite" || r.Reads < 1 || r.Refused != 0 || r.ReadsPerSec <= 0 || r.P50ms <= 0 || r.P99ms < r.P50ms {
			t.Errorf("implausible measure: %+v", r)
		}
		if _, known := processCPU(); known && r.CPUmsPerRead <= 0 {
			t.Errorf("%s at %d: no CPU time per read: %+v", r.Principal, r.Concurrency, r)
		}
		if r.AuditGrowth != uint64(r.Reads) {
			t.Errorf("%s at %d: audit log grew by %d for %d reads", r.Principal, r.Concurrency, r.AuditGrowth, r.Reads)
		}
		got = append(got, r.Principal+"/"+strings.Repeat("x", r.Concurrency))
	}
	if want := []string{"adviser/x", "adviser/xxx", "client/x", "client/xxx"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("measures %v, want %v", got, want)
	}
}

func TestBenchAPIUsage(t *testing.T) {
	for _, args := range [][]string{
		{"--concurrency", "16,x"},
		{"--concurrency", "0"},
		{"--duration", "0s"},
		{"--persons", "0"},
	} {
		if _, err := socleCmd(t, append([]string{"bench", "api"}, args...)...); !errors.As(err, new(usageError)) {
			t.Errorf("%v: err = %v, want a usage error", args, err)
		}
	}
	out, err := socleCmd(t, "bench", "api", "--help")
	if !errors.Is(err, flag.ErrHelp) || !strings.Contains(out, "-concurrency") {
		t.Errorf("--help: %v\n%s", err, out)
	}
}
