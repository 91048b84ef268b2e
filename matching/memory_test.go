package matching

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"socle"
	"socle/demo"
	"socle/geo"
	"socle/rome"
)

// syntheticPersons returns n persons shaped like the network's: opaque ids,
// one to three ROME codes, a few skills from a shared vocabulary, a commune
// among 35,000, one or two of 2,000 organisations.
func syntheticPersons(n int, seed uint64) []Features {
	rng := rand.New(rand.NewPCG(seed, 7))
	codes := rome.Builtin().Codes
	deps := []string{"01", "13", "31", "33", "44", "59", "67", "69", "75", "93", "2A", "971"}
	contracts := []string{"CDI", "CDD", "interim", ""}
	fs := make([]Features, n)
	for i := range fs {
		f := Features{
			PersonID:       socle.NewIDFrom(rngReader{rng}, socle.PrefixPerson),
			CommuneCode:    fmt.Sprintf("%s%03d", deps[rng.IntN(len(deps))], rng.IntN(1000)),
			ContractWanted: contracts[rng.IntN(len(contracts))],
			HoursWanted:    20 + rng.IntN(20),
			Available:      rng.IntN(10) > 0,
			Organisations:  []string{fmt.Sprintf("org-%04d", rng.IntN(2000))},
			UpdatedAt:      time.Unix(int64(i), 0),
		}
		for range 1 + rng.IntN(3) {
			f.ROMECodes = append(f.ROMECodes, codes[rng.IntN(len(codes))].Code)
		}
		for range 2 + rng.IntN(5) {
			f.Skills = append(f.Skills, fmt.Sprintf("compétence %d", rng.IntN(3000)))
		}
		if rng.IntN(3) == 0 {
			f.Organisations = append(f.Organisations, fmt.Sprintf("org-%04d", rng.IntN(2000)))
		}
		fs[i] = f
	}
	return fs
}

type rngReader struct{ r *rand.Rand }

func (r rngReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r.r.Uint32())
	}
	return len(p), nil
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkIndexMemory reports the bytes the index holds per person
// (B/person, from runtime.MemStats after a collection), at 100k and 1M
// synthetic persons; the persons' own strings, built for the load, are
// dropped first, as a server drops the rows it read.
//
//	go test ./matching -run '^$' -bench IndexMemory -benchtime 1x
func BenchmarkIndexMemory(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for range b.N {
				before := heapInUse()
				x := New(rome.Builtin())
				for from := 0; from < n; from += 10_000 {
					x.UpsertAll(syntheticPersons(min(10_000, n-from), uint64(from)))
				}
				after := heapInUse()
				b.ReportMetric(float64(after-before)/float64(n), "B/person")
				runtime.KeepAlive(x)
			}
		})
	}
}

// BenchmarkRankByOrganisation measures ranking persons for an offer, filtered by one
// organisation, at 100k and 1M persons: its cost should follow the
// organisation's caseload, not the network.
func BenchmarkRankByOrganisation(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			x := New(rome.Builtin())
			for from := 0; from < n; from += 10_000 {
				x.UpsertAll(syntheticPersons(min(10_000, n-from), uint64(from)))
			}
			codes := rome.Builtin().Codes
			b.ResetTimer()
			for i := range b.N {
				o := offer(codes[i%len(codes)].Code, "69123", "compétence 12", "compétence 7")
				if _, err := x.Rank(o, Filter{OrganisationID: fmt.Sprintf("org-%04d", i%2000)}, 20); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// demoNetwork is the index of a generated demo network of n persons, its
// open offers and the organisation that follows the most persons.
type demoNetwork struct {
	x        *Index
	offers   []*socle.Offer
	busiest  string
	caseload int
}

// demoNetworks are the networks built by the benchmarks, by size: the
// generation of a million persons takes a minute.
var demoNetworks = map[int]*demoNetwork{}

func buildDemoNetwork(b *testing.B, n int) *demoNetwork {
	b.Helper()
	if d, ok := demoNetworks[n]; ok {
		return d
	}
	d := &demoNetwork{x: New(rome.Builtin())}
	followed := map[string]int{}
	_, err := demo.Generate(context.Background(), demo.Config{Persons: n, Seed: 1, Geo: geo.Builtin()}, func(_ context.Context, batch *socle.Batch) error {
		orgs := map[string][]string{}
		for _, f := range batch.Followups {
			if f.End.IsZero() {
				orgs[f.PersonID] = append(orgs[f.PersonID], f.OrganisationID)
				followed[f.OrganisationID]++
			}
		}
		fs := make([]Features, len(batch.Persons))
		for i, p := range batch.Persons {
			fs[i] = socle.MatchFeaturesOf(p)
			fs[i].Organisations = orgs[p.ID]
		}
		d.x.UpsertAll(fs)
		for _, o := range batch.Offers {
			if o.Open {
				d.offers = append(d.offers, o)
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	for org, c := range followed {
		if c > d.caseload || c == d.caseload && org < d.busiest {
			d.busiest, d.caseload = org, c
		}
	}
	demoNetworks[n] = d
	return d
}

// BenchmarkRankDemoNetwork ranks persons for random open offers of the
// generated demo network at 100k and 1M persons, within the persons of the
// organisation that follows the most (as `socle bench match` does), and
// reports the candidates read and scored per ranking: the work, which the
// load of the machine does not blur. family/op is what a scan of the
// offer's ROME family reads.
//
//	go test ./matching -run '^$' -bench RankDemoNetwork -benchtime 2000x
func BenchmarkRankDemoNetwork(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			d := buildDemoNetwork(b, n)
			benchmarkRank(b, d, d.offers)
		})
	}
}

// BenchmarkRankDemoNetworkNear is BenchmarkRankDemoNetwork for the offers
// of the département where the organisation follows the most persons: the
// offers its advisers place persons on, where the commune counts.
//
//	go test ./matching -run '^$' -bench RankDemoNetworkNear -benchtime 2000x
func BenchmarkRankDemoNetworkNear(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			d := buildDemoNetwork(b, n)
			x := d.x
			inDep := map[int16]int{}
			for _, slot := range x.byOrg[x.orgs.lookup(d.busiest)] {
				inDep[x.communeDep(x.persons[slot].commune)]++
			}
			home := int16(-1)
			for dep, c := range inDep {
				if c > inDep[home] || c == inDep[home] && dep < home {
					home = dep
				}
			}
			var near []*socle.Offer
			for _, o := range d.offers {
				if x.dep(o.CommuneCode) == home {
					near = append(near, o)
				}
			}
			if len(near) == 0 {
				b.Fatalf("no open offer in the département of %s", d.busiest)
			}
			benchmarkRank(b, d, near)
		})
	}
}

// benchmarkRank ranks, for random offers among offers, the persons of the
// busiest organisation.
func benchmarkRank(b *testing.B, d *demoNetwork, offers []*socle.Offer) {
	x := d.x
	rng := rand.New(rand.NewPCG(1, 2))
	var visited, scored, family int
	inFamily := map[uint16]int{} // persons of each family, counted once
	b.ResetTimer()
	for range b.N {
		o := offers[rng.IntN(len(offers))]
		_, c, err := x.rank(o, Filter{OrganisationID: d.busiest}, 20)
		if err != nil {
			b.Fatal(err)
		}
		visited, scored = visited+c.visited, scored+c.scored
		b.StopTimer()
		fam := uint16(x.fams.lookup(rome.Family(o.ROMECode)))
		if _, ok := inFamily[fam]; !ok {
			for slot := range x.persons {
				if x.hasFamily(&x.persons[slot], fam) {
					inFamily[fam]++
				}
			}
		}
		family += inFamily[fam]
		b.StartTimer()
	}
	b.ReportMetric(float64(d.caseload), "caseload")
	b.ReportMetric(float64(visited)/float64(b.N), "read/op")
	b.ReportMetric(float64(scored)/float64(b.N), "scored/op")
	b.ReportMetric(float64(family)/float64(b.N), "family/op")
}

// BenchmarkIndexLoad measures filling an index with 100k and 1M synthetic
// persons, in batches as Load does (the generation of the persons is not
// timed): the cost of keeping the lists by place ordered.
//
//	go test ./matching -run '^$' -bench IndexLoad -benchtime 1x
func BenchmarkIndexLoad(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for range b.N {
				x := New(rome.Builtin())
				for from := 0; from < n; from += 10_000 {
					b.StopTimer()
					batch := syntheticPersons(min(10_000, n-from), uint64(from))
					b.StartTimer()
					x.UpsertAll(batch)
				}
			}
		})
	}
}
