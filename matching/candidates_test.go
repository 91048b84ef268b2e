package matching

import (
	"cmp"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"socle"
	"socle/rome"
)

// bruteForceRank ranks for o every live person of the offer's ROME family
// that f admits, by scanning all of them: the ranking Rank must give.
// order is the ids in the order they were first indexed (ties keep the
// earliest).
func bruteForceRank(x *Index, order []string, o *socle.Offer, f Filter, k int, live map[string]Features) []Scored {
	os := x.offerSide(o)
	var buf scratch
	var all []Scored
	for _, id := range order {
		p, ok := live[id]
		if !ok || f.Exclude[id] || !slices.Contains(p.Organisations, f.OrganisationID) || !slices.Contains(families(p.ROMECodes), rome.Family(o.ROMECode)) {
			continue
		}
		slot, _ := x.slot(id)
		e := &x.persons[slot]
		ps := x.personSide(e, &buf)
		s, _ := x.score(&ps, e.flags&flagAvailable != 0, &os, false)
		all = append(all, Scored{PersonID: id, Score: s})
	}
	// A stable sort keeps the indexing order among equal scores.
	slices.SortStableFunc(all, func(a, b Scored) int { return cmp.Compare(b.Score, a.Score) })
	return all[:min(k, len(all))]
}

// TestRankIsTheBruteForceRanking: on a generated population spread over
// every département, then partly updated (moved, refollowed, retrained,
// removed), the ranking built from the candidates by family and
// département is exactly the one a scan of every person gives — same
// persons, same scores, same order — for a national organisation (whose
// caseload is the whole family) and for small ones, while scoring fewer
// persons than the scan. Local organisations follow the persons of their
// département.
func TestRankIsTheBruteForceRanking(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	codes := rome.Builtin().Codes[:30] // a few families, so that each is crowded
	deps := slices.Sorted(maps.Keys(departementCentres))
	skills := func(n int) []string {
		var s []string
		for range n {
			s = append(s, fmt.Sprintf("compétence %d", rng.IntN(40)))
		}
		return s
	}
	person := func(id string) Features {
		f := Features{PersonID: id, CommuneCode: fmt.Sprintf("%s%03d", deps[rng.IntN(len(deps))], rng.IntN(30)),
			ContractWanted: []string{"CDI", "CDD", ""}[rng.IntN(3)], HoursWanted: []int{0, 24, 35}[rng.IntN(3)],
			Available: rng.IntN(4) > 0, Skills: skills(rng.IntN(5))}
		if rng.IntN(50) == 0 {
			f.CommuneCode = "" // unknown commune
		}
		// Everyone is followed by the national organisation and by the
		// local one of her département.
		f.Organisations = []string{"national", "local-" + socle.DepartementOf(f.CommuneCode)}
		for range 1 + rng.IntN(2) {
			f.ROMECodes = append(f.ROMECodes, codes[rng.IntN(len(codes))].Code)
		}
		return f
	}
	x := New(rome.Builtin())
	live := map[string]Features{}
	var order []string
	var batch []Features
	for i := range 8_000 {
		f := person(fmt.Sprintf("p%05d", i))
		batch, order, live[f.PersonID] = append(batch, f), append(order, f.PersonID), f
	}
	x.UpsertAll(batch)
	for i := range 1_200 {
		id := order[rng.IntN(len(order))]
		switch f := live[id]; i % 4 {
		case 0: // moves, and back: she must stay once in each list
			f.CommuneCode = fmt.Sprintf("%s%03d", deps[rng.IntN(len(deps))], rng.IntN(30))
			x.Upsert(f)
			live[id] = f
		case 1: // no longer followed locally, then followed again
			x.Upsert(Features{PersonID: id, ROMECodes: f.ROMECodes, CommuneCode: f.CommuneCode, Organisations: []string{"national"}})
			x.Upsert(f)
		case 2: // looks for other jobs
			nf := person(id)
			f.ROMECodes = nf.ROMECodes
			x.Upsert(f)
			live[id] = f
		case 3:
			if _, ok := live[id]; ok {
				x.Remove(id)
				delete(live, id)
			}
		}
	}
	var scored, scanned int
	var localScored, localScanned int
	for i := range 20 {
		o := &socle.Offer{ID: fmt.Sprint("off", i), ROMECode: codes[rng.IntN(len(codes))].Code, Open: true,
			CommuneCode: fmt.Sprintf("%s%03d", deps[rng.IntN(len(deps))], rng.IntN(30)), Contract: "CDI", HoursPerWeek: 35}
		if i%3 != 0 {
			o.Skills = skills(1 + rng.IntN(3))
		}
		if i%10 == 0 {
			o.CommuneCode = "" // unknown commune
		}
		inFamily := 0
		for _, p := range live {
			if slices.Contains(families(p.ROMECodes), rome.Family(o.ROMECode)) {
				inFamily++
			}
		}
		for _, f := range []Filter{
			{OrganisationID: "national"},
			{OrganisationID: "national", Exclude: map[string]bool{order[rng.IntN(len(order))]: true}},
			{OrganisationID: "local-" + deps[rng.IntN(len(deps))]},
		} {
			all := bruteForceRank(x, order, o, f, 20, live)
			for _, k := range []int{1, 5, 20} {
				got, n, err := x.rank(o, f, k)
				if err != nil {
					t.Fatal(err)
				}
				want := all[:min(k, len(all))]
				if len(got) != len(want) {
					t.Fatalf("offer %s in %q, %s, k=%d: %d persons ranked, want %d", o.ROMECode, o.CommuneCode, f.OrganisationID, k, len(got), len(want))
				}
				for j := range want {
					if got[j].PersonID != want[j].PersonID || got[j].Score != want[j].Score {
						t.Fatalf("offer %s in %q, %s, k=%d: rank %d is %s (%v), want %s (%v)", o.ROMECode, o.CommuneCode, f.OrganisationID, k,
							j+1, got[j].PersonID, got[j].Score, want[j].PersonID, want[j].Score)
					}
				}
				switch {
				case f.OrganisationID == "national" && len(f.Exclude) == 0:
					scored, scanned = scored+n.scored, scanned+inFamily
				case f.OrganisationID != "national":
					localScored, localScanned = localScored+n.scored, localScanned+inFamily
				}
			}
		}
	}
	// The national organisation follows everyone: a scan of its caseload
	// or of the family scores every person of the family; the farther
	// départements are left out once the best are found.
	if scored >= scanned*4/5 {
		t.Errorf("the rankings for the national organisation scored %d persons, a scan of the family %d: the départements are not pruned", scored, scanned)
	}
	// A local organisation's persons are found in its département alone.
	if localScored >= localScanned/20 {
		t.Errorf("the rankings for local organisations scored %d persons, a scan of the family %d", localScored, localScanned)
	}
	t.Logf("national: scored %d persons where a scan of the family scores %d; local: %d where %d", scored, scanned, localScored, localScanned)
}
