package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"socle"
	"socle/demo"
	"socle/geo"
	"socle/matching"
	"socle/rome"
)

func init() {
	benchmarks["match"] = benchmark{"mise en relation: rank persons for an offer, offers for a person", runBenchMatch}
}

// matchBenchResult is the JSON line of `socle bench match`.
type matchBenchResult struct {
	Benchmark       string  `json:"benchmark"`
	Persons         int     `json:"persons"`
	Offers          int     `json:"offers"`
	Ranks           int     `json:"ranks"`
	RankP50ms       float64 `json:"rank_p50_ms"`
	RankP99ms       float64 `json:"rank_p99_ms"`
	OffersForPerson int     `json:"offers_for_person"`
	OffersP50ms     float64 `json:"offers_for_person_p50_ms"`
	OffersP99ms     float64 `json:"offers_for_person_p99_ms"`
	BuildSeconds    float64 `json:"build_s"`
	// IndexBytesPerPerson is the heap the index holds, per person: the
	// heap in use with the index, less the heap once it is dropped.
	IndexBytesPerPerson float64 `json:"index_bytes_per_person"`
	// RSSMiB is the resident memory of the process with the index built
	// and the garbage of the generation returned to the system.
	RSSMiB float64 `json:"rss_mib"`
	Source string  `json:"source"`
}

// runBenchMatch builds the matching index directly from the batches of a
// generated demo network — the store is left out, to measure the index and
// save the minutes of a load — then ranks persons for random open offers
// (within the persons of the organisation that follows the most, the
// filter of a real request) and offers for random persons, and reports
// the memory the index holds.
func runBenchMatch(ctx context.Context, args []string, _ func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("bench match", "bench match [--persons N] [--ranks N] [--k N]\n\n"+
		"The index is built from a generated demo network held in memory, without a store.", stdout)
	persons := fs.Int("persons", 1_000_000, "persons of the generated network")
	ranks := fs.Int("ranks", 1000, "rankings of each kind measured")
	k := fs.Int("k", 20, "results of each ranking")
	if err := parse(fs, args, stdout); err != nil {
		return err
	}
	if *persons < 1 || *ranks < 1 {
		return usagef("bench match: --persons and --ranks must be positive")
	}
	idx := matching.New(rome.Builtin())
	var offers []*socle.Offer
	var sample []socle.MatchFeatures
	followed := map[string]int{}
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Now()
	_, err := demo.Generate(ctx, demo.Config{Persons: *persons, Seed: 1, Geo: geo.Builtin(), Progress: stderr}, func(_ context.Context, b *socle.Batch) error {
		orgs := map[string][]string{}
		for _, f := range b.Followups {
			if f.End.IsZero() {
				orgs[f.PersonID] = append(orgs[f.PersonID], f.OrganisationID)
				followed[f.OrganisationID]++
			}
		}
		fs := make([]socle.MatchFeatures, len(b.Persons))
		for i, p := range b.Persons {
			fs[i] = socle.MatchFeaturesOf(p)
			fs[i].Organisations = orgs[p.ID]
			if len(sample) < 10_000 && rng.IntN(20) == 0 {
				sample = append(sample, fs[i])
			}
		}
		idx.UpsertAll(fs)
		for _, o := range b.Offers {
			idx.UpsertOffer(o)
			if o.Open {
				offers = append(offers, o)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("bench match: %w", err)
	}
	build := time.Since(start)
	if len(offers) == 0 || len(sample) == 0 {
		return fmt.Errorf("bench match: the generated network has no open offer or no person sampled")
	}
	busiest, most := "", 0
	for org, n := range followed {
		if n > most || n == most && org < busiest {
			busiest, most = org, n
		}
	}
	res := matchBenchResult{Benchmark: "match", Persons: idx.Persons(), Offers: idx.Offers(), Ranks: *ranks,
		OffersForPerson: *ranks, BuildSeconds: matchRound2(build.Seconds()), Source: "generated network, index built without a store"}
	// Collect the garbage of the generation now, not during the measures.
	debug.FreeOSMemory()
	res.RSSMiB = matchRound2(float64(residentBytes()) / (1 << 20))
	lat := make([]time.Duration, 0, *ranks)
	for range *ranks {
		o := offers[rng.IntN(len(offers))]
		t := time.Now()
		if _, err := idx.Rank(o, matching.Filter{OrganisationID: busiest}, *k); err != nil {
			return fmt.Errorf("bench match: %w", err)
		}
		lat = append(lat, time.Since(t))
	}
	p50, p99 := percentiles(lat)
	res.RankP50ms, res.RankP99ms = millis(p50), millis(p99)
	lat = lat[:0]
	for range *ranks {
		p := sample[rng.IntN(len(sample))]
		t := time.Now()
		idx.OffersFor(p, *k)
		lat = append(lat, time.Since(t))
	}
	p50, p99 = percentiles(lat)
	res.OffersP50ms, res.OffersP99ms = millis(p50), millis(p99)
	withIndex := heapInUse()
	runtime.KeepAlive(idx)
	idx = nil
	res.IndexBytesPerPerson = matchRound2(float64(int64(withIndex)-int64(heapInUse())) / float64(res.Persons))
	return json.NewEncoder(stdout).Encode(res)
}

// heapInUse is the heap in use once the garbage is collected.
func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// residentBytes is the resident memory of the process (VmRSS of
// /proc/self/status), 0 where the system does not tell.
func residentBytes() int64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kib, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				return 0
			}
			return kib << 10
		}
	}
	return 0
}

// matchRound2 rounds to two decimals.
func matchRound2(v float64) float64 { return math.Round(v*100) / 100 }

// millis is d in milliseconds, rounded to the microsecond.
func millis(d time.Duration) float64 { return math.Round(float64(d)/1e3) / 1000 }
