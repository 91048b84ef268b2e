package policy

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"

	"socle"
)

// Result is the outcome of Bench.
type Result struct {
	Decisions       int           // decisions measured (each pass)
	DecisionsPerSec float64       // throughput of one goroutine, so one core
	P50             time.Duration // median latency of one decision
	P99             time.Duration // 99th percentile latency
}

// JSON renders r as the one line `socle bench policy` prints:
// {"benchmark":"policy","decisions_per_sec":…,"p50_us":…,"p99_us":…}.
func (r Result) JSON() string {
	b, err := json.Marshal(struct {
		Benchmark       string  `json:"benchmark"`
		Decisions       int     `json:"decisions"`
		DecisionsPerSec float64 `json:"decisions_per_sec"`
		P50us           float64 `json:"p50_us"`
		P99us           float64 `json:"p99_us"`
	}{"policy", r.Decisions, math.Round(r.DecisionsPerSec), micros(r.P50), micros(r.P99)})
	if err != nil {
		// Only non-finite floats fail, and micros and Round never give one.
		panic(fmt.Sprintf("policy: encoding bench result: %v", err))
	}
	return string(b)
}

func micros(d time.Duration) float64 { return math.Round(float64(d)/1e3*1000) / 1000 }

// Bench measures the warm path of p on one goroutine: it decides every
// request once to fill the caches, then n decisions cycling through reqs
// for throughput, then n more timed one by one for the latency
// percentiles. Decision errors stop the benchmark.
func Bench(ctx context.Context, p socle.Policy, reqs []socle.AccessRequest, n int) (Result, error) {
	if len(reqs) == 0 || n <= 0 {
		return Result{}, fmt.Errorf("policy bench: need requests and a positive count")
	}
	for i := range reqs {
		if _, err := p.Decide(ctx, reqs[i]); err != nil {
			return Result{}, fmt.Errorf("policy bench: warm-up request %d: %w", i, err)
		}
	}
	start := time.Now()
	for i := range n {
		if i&1023 == 0 && ctx.Err() != nil {
			return Result{}, ctx.Err()
		}
		if _, err := p.Decide(ctx, reqs[i%len(reqs)]); err != nil {
			return Result{}, fmt.Errorf("policy bench: %w", err)
		}
	}
	elapsed := time.Since(start)

	lat := make([]time.Duration, n)
	for i := range n {
		if i&1023 == 0 && ctx.Err() != nil {
			return Result{}, ctx.Err()
		}
		t0 := time.Now()
		_, err := p.Decide(ctx, reqs[i%len(reqs)])
		lat[i] = time.Since(t0)
		if err != nil {
			return Result{}, fmt.Errorf("policy bench: %w", err)
		}
	}
	slices.Sort(lat)
	return Result{
		Decisions:       n,
		DecisionsPerSec: float64(n) / max(elapsed.Seconds(), 1e-9),
		P50:             lat[(n-1)*50/100],
		P99:             lat[(n-1)*99/100],
	}, nil
}
