package matching

import (
	"cmp"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"socle"
	"socle/geo"
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

// checkRank compares Rank with the brute force for offer o and filter f, for
// every k of ks, and returns the candidates the last ranking read and
// scored.
func checkRank(t *testing.T, x *Index, order []string, live map[string]Features, o *socle.Offer, f Filter, ks ...int) rankCounts {
	t.Helper()
	all := bruteForceRank(x, order, o, f, slices.Max(ks), live)
	var n rankCounts
	for _, k := range ks {
		got, c, err := x.rank(o, f, k)
		if err != nil {
			t.Fatal(err)
		}
		n = c
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
	}
	return n
}

// checkLists verifies the lists by place after updates: each is ordered by
// skills then slot, and holds exactly the persons of its code and
// département, each once (the removed ones may stay until they come back).
func checkLists(t *testing.T, x *Index) {
	t.Helper()
	want := map[uint32][]int32{}
	for slot := range int32(len(x.persons)) {
		if p := &x.persons[slot]; p.flags&flagLive != 0 {
			for _, k := range x.places(p) {
				want[k] = append(want[k], slot)
			}
		}
	}
	for k, l := range x.byPlace {
		for i := 1; i < len(l); i++ {
			if x.comparePlaced(l[i-1], x.skillKey(l[i]), l[i]) >= 0 {
				t.Fatalf("list %x: slot %d before slot %d is out of order", k, l[i-1], l[i])
			}
		}
		listed := map[int32]bool{}
		for _, slot := range l {
			listed[slot] = true
			if p := &x.persons[slot]; !slices.Contains(x.places(p), k) {
				t.Fatalf("list %x holds slot %d, who is not of its code and département", k, slot)
			}
		}
		for _, slot := range want[k] {
			if !listed[slot] {
				t.Fatalf("list %x lacks slot %d", k, slot)
			}
		}
	}
	for k, slots := range want {
		if len(x.byPlace[k]) < len(slots) {
			t.Fatalf("list %x holds %d persons, want at least %d", k, len(x.byPlace[k]), len(slots))
		}
	}
}

// TestRankIsTheBruteForceRanking: on a generated population spread over
// every département, then partly updated (moved to another département or
// to another commune of hers, refollowed, retrained to other jobs or
// skills, removed), the ranking read run by run from the lists by code and
// département is exactly the one a scan of every person gives — same
// persons, same scores, same order, ties included — for a national
// organisation (whose caseload is the whole family) and for small ones,
// for k up to more than the candidates, while scoring far fewer persons
// than the scan. Local organisations follow the persons of their
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
	for i := range 1_600 {
		id := order[rng.IntN(len(order))]
		f, ok := live[id]
		switch i % 6 {
		case 0: // moves, and back: she must stay once in each list
			f.CommuneCode = fmt.Sprintf("%s%03d", deps[rng.IntN(len(deps))], rng.IntN(30))
			f.Organisations = []string{"national", "local-" + socle.DepartementOf(f.CommuneCode)}
		case 1: // no longer followed locally, then followed again
			x.Upsert(Features{PersonID: id, ROMECodes: f.ROMECodes, CommuneCode: f.CommuneCode, Organisations: []string{"national"}})
		case 2: // looks for other jobs
			f.ROMECodes = person(id).ROMECodes
		case 3: // learns or loses skills: her place in her lists changes
			f.Skills = skills(rng.IntN(6))
		case 4: // moves within her département
			if len(f.CommuneCode) == 5 {
				f.CommuneCode = fmt.Sprintf("%s%03d", socle.DepartementOf(f.CommuneCode), rng.IntN(30))
			}
		case 5:
			if ok {
				x.Remove(id)
				delete(live, id)
			}
			continue
		}
		if !ok { // removed: she comes back
			f = person(id)
		}
		x.Upsert(f)
		live[id] = f
	}
	checkLists(t, x)
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
			ks := []int{1, 5, 20}
			if f.OrganisationID != "national" {
				ks = append(ks, 200) // more than a local organisation's candidates
			}
			for _, k := range ks {
				n := checkRank(t, x, order, live, o, f, k)
				switch {
				case k == 200:
				case f.OrganisationID == "national" && len(f.Exclude) == 0:
					scored, scanned = scored+n.scored, scanned+inFamily
				case f.OrganisationID != "national":
					localScored, localScanned = localScored+n.scored, localScanned+inFamily
				}
			}
		}
	}
	// The national organisation follows everyone: a scan of its caseload
	// or of the family scores every person of the family; the runs of
	// the farther départements and of the fewer skills in common are
	// left out once the best are found.
	if scored >= scanned/10 {
		t.Errorf("the rankings for the national organisation scored %d persons, a scan of the family %d: the runs are not pruned", scored, scanned)
	}
	// A local organisation's persons are found in its département alone.
	if localScored >= localScanned/20 {
		t.Errorf("the rankings for local organisations scored %d persons, a scan of the family %d", localScored, localScanned)
	}
	t.Logf("national: scored %d persons where a scan of the family scores %d; local: %d where %d", scored, scanned, localScored, localScanned)
}

// TestRankKeepsTiesInIndexingOrder: when more persons than k tie at the
// k-th score, the ranking keeps those indexed first, as the scan does, and
// stops reading their run once the k-th is found when nobody left can
// score more; a person re-indexed with new skills, then her old ones,
// keeps her place among them.
func TestRankKeepsTiesInIndexingOrder(t *testing.T) {
	x := New(rome.Builtin())
	twin := func(i int) Features {
		return Features{PersonID: fmt.Sprintf("p%03d", i), ROMECodes: []string{"K2204"}, Skills: []string{"nettoyage", "tri"},
			CommuneCode: "69266", ContractWanted: "CDI", HoursWanted: 35, Available: true, Organisations: []string{"org"}}
	}
	live := map[string]Features{}
	var order []string
	for i := range 300 {
		f := twin(i)
		if i%7 == 3 { // fewer skills in common: below the twins
			f.Skills = []string{"nettoyage"}
		}
		x.Upsert(f)
		live[f.PersonID], order = f, append(order, f.PersonID)
	}
	// One of the first twins changes, then comes back: she is still
	// indexed before the others.
	f := twin(1)
	f.Skills = []string{"vitrerie"}
	x.Upsert(f)
	x.Upsert(twin(1))
	checkLists(t, x)
	// In the twins' commune, every twin reaches the best score there is;
	// in another commune of the département, they tie below it.
	for _, commune := range []string{"69266", "69123"} {
		o := offer("K2204", commune, "nettoyage", "tri")
		checkRank(t, x, order, live, o, Filter{OrganisationID: "org"}, 1, 10, 20, 200)
		got, err := x.Rank(o, Filter{OrganisationID: "org"}, 10)
		if err != nil {
			t.Fatal(err)
		}
		if got[1].PersonID != "p001" {
			t.Errorf("offer in %s: rank 2 is %s, want p001, indexed second", commune, got[1].PersonID)
		}
	}
	o := offer("K2204", "69266", "nettoyage", "tri")
	for _, k := range []int{10, 200} {
		if _, n, _ := x.rank(o, Filter{OrganisationID: "org"}, k); n.scored != k {
			t.Errorf("k=%d scored %d persons of a run of equal best scores, want the first %d", k, n.scored, k)
		}
	}
}

// TestRankOnRealGeography: persons in the communes of the built-in COG
// (every kind of code: Corsica, overseas, Paris) looking for codes of the
// full ROME 4.0, ranked as the scan ranks them for offers in those
// communes.
func TestRankOnRealGeography(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	communes := geo.Builtin().Communes
	var codes []string
	for _, c := range rome.Full().Codes {
		if fam := rome.Family(c.Code); fam == "K22" || fam == "N11" || fam == "H29" {
			codes = append(codes, c.Code)
		}
	}
	vocabulary := []string{"manutention", "cariste", "nettoyage", "soudure", "tri", "inventaire", "accueil", "conduite"}
	pick := func(n int) []string {
		var s []string
		for range n {
			s = append(s, vocabulary[rng.IntN(len(vocabulary))])
		}
		return s
	}
	orgs := []string{"org-a", "org-b", "org-c"}
	x := New(rome.Full())
	live := map[string]Features{}
	var order []string
	for i := range 6_000 {
		f := Features{PersonID: fmt.Sprintf("p%05d", i), CommuneCode: communes[rng.IntN(len(communes))].Code,
			ContractWanted: []string{"CDI", "CDD", "interim", ""}[rng.IntN(4)], HoursWanted: []int{0, 20, 35}[rng.IntN(3)],
			Available: rng.IntN(5) > 0, Skills: pick(rng.IntN(4)), Organisations: []string{orgs[rng.IntN(len(orgs))]}}
		for range 1 + rng.IntN(3) {
			f.ROMECodes = append(f.ROMECodes, codes[rng.IntN(len(codes))])
		}
		x.Upsert(f)
		live[f.PersonID], order = f, append(order, f.PersonID)
	}
	for id, f := range live { // some move to another commune
		if rng.IntN(10) == 0 {
			f.CommuneCode = communes[rng.IntN(len(communes))].Code
			x.Upsert(f)
			live[id] = f
		}
	}
	checkLists(t, x)
	for i := range 30 {
		o := &socle.Offer{ID: fmt.Sprint("off", i), ROMECode: codes[rng.IntN(len(codes))], Open: true, Skills: pick(rng.IntN(4)),
			CommuneCode: communes[rng.IntN(len(communes))].Code, Contract: "CDD", HoursPerWeek: 35}
		checkRank(t, x, order, live, o, Filter{OrganisationID: orgs[i%len(orgs)]}, 1, 20, 200)
	}
}
