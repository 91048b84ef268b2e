package matching

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"socle"
	"socle/rome"
)

// Filter restricts the persons ranked.
type Filter = socle.MatchFilter

// The gate holds the index as a socle.MatchIndex.
var _ socle.MatchIndex = (*Index)(nil)

// RankOffers ranks the open offers for a person, from her features.
func (x *Index) RankOffers(p *socle.Person, k int) []ScoredOffer {
	return x.OffersFor(socle.MatchFeaturesOf(p), k)
}

// hit is a candidate in the top-k heap.
type hit struct {
	score float64
	slot  int32
}

// worse orders hits: lower score first, then later slot, so that ties keep
// the earliest indexed person and the ranking is deterministic.
func worse(a, b hit) bool { return a.score < b.score || a.score == b.score && a.slot > b.slot }

// topK keeps the k best hits in a min-heap.
type topK struct {
	k int
	h []hit
}

func (t *topK) push(v hit) {
	if len(t.h) < t.k {
		t.h = append(t.h, v)
		for i := len(t.h) - 1; i > 0; {
			p := (i - 1) / 2
			if !worse(t.h[i], t.h[p]) {
				break
			}
			t.h[i], t.h[p] = t.h[p], t.h[i]
			i = p
		}
		return
	}
	if !worse(t.h[0], v) {
		return
	}
	t.h[0] = v
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(t.h) && worse(t.h[l], t.h[m]) {
			m = l
		}
		if r < len(t.h) && worse(t.h[r], t.h[m]) {
			m = r
		}
		if m == i {
			break
		}
		t.h[i], t.h[m] = t.h[m], t.h[i]
		i = m
	}
}

// full reports whether the heap holds k hits: its root is then the k-th
// best.
func (t *topK) full() bool { return len(t.h) == t.k }

// sorted returns the hits best first.
func (t *topK) sorted() []hit {
	out := make([]hit, len(t.h))
	copy(out, t.h)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && worse(out[j-1], out[j]); j-- {
			out[j-1], out[j] = out[j], out[j-1]
		}
	}
	return out
}

func (x *Index) offerSide(o *socle.Offer) side {
	skills, extra := x.sortedSkills(o.Skills, false)
	return side{codes: []string{o.ROMECode}, skills: skills, extra: extra, commune: x.communeID(o.CommuneCode, false),
		dep: x.dep(o.CommuneCode), contract: o.Contract, hours: o.HoursPerWeek}
}

// Rank returns the k persons (at most 200) who best fit offer o among those
// that f allows, best first, each with the reasons of her score. Only the
// persons looking for a job of the offer's ROME family are candidates, and
// of those only the runs of persons (same code, département and skills)
// whose best possible score could still reach the best k are read.
func (x *Index) Rank(o *socle.Offer, f Filter, k int) ([]Scored, error) {
	out, _, err := x.rank(o, f, k)
	return out, err
}

// rank is Rank, with the number of candidates it read and scored.
func (x *Index) rank(o *socle.Offer, f Filter, k int) ([]Scored, rankCounts, error) {
	if o == nil || !socle.ValidROME(o.ROMECode) {
		return nil, rankCounts{}, socle.Errorf(socle.EINVALID, "ranking needs an offer with a ROME code")
	}
	if f.OrganisationID == "" {
		return nil, rankCounts{}, socle.Errorf(socle.EINVALID, "ranking needs the organisation whose persons are ranked")
	}
	k = min(max(k, 1), 200)
	x.mu.RLock()
	defer x.mu.RUnlock()
	org := x.orgs.lookup(f.OrganisationID)
	fam := uint16(x.fams.lookup(rome.Family(o.ROMECode)))
	if org == 0 || fam == 0 {
		return nil, rankCounts{}, nil
	}
	r := ranking{x: x, offer: x.offerSide(o), org: org, exclude: f.Exclude, top: topK{k: k},
		code: uint16(x.codes.lookup(o.ROMECode)), fam: fam}
	// Candidates are the persons of the offer's family whom the
	// organisation follows. A small caseload is walked whole; otherwise
	// the lists of the family's codes in the départements where the
	// organisation follows someone are read run by run, best bound first,
	// until no run left can reach the k-th best score: the cost follows
	// the caseload or the best candidates, not the network.
	lists, listed := x.candidateLists(fam, org)
	if byOrg := x.byOrg[org]; len(byOrg) < listed {
		r.visited += len(byOrg)
		for _, slot := range byOrg {
			if x.hasFamily(&x.persons[slot], fam) {
				r.consider(slot)
			}
		}
	} else {
		r.readRuns(lists)
	}
	out := make([]Scored, 0, len(r.top.h))
	for _, h := range r.top.sorted() {
		p := &x.persons[h.slot]
		ps := x.personSide(p, &r.buf)
		s, reasons := x.score(&ps, p.flags&flagAvailable != 0, &r.offer, true)
		out = append(out, Scored{PersonID: x.idOf(h.slot), Score: s, Reasons: reasons})
	}
	return out, rankCounts{visited: r.visited, scored: r.scored}, nil
}

// rankCounts are the candidates a ranking read and scored.
type rankCounts struct{ visited, scored int }

// ranking is the state of one Rank.
type ranking struct {
	x       *Index
	offer   side
	org     uint32
	exclude map[string]bool
	top     topK
	buf     scratch
	// code is the offer's interned code (0 when no person looks for
	// it), fam its family.
	code, fam uint16
	// skills holds the skills of the run being cut.
	skills []uint32
	// visited and scored count the candidates read and scored, for the
	// tests and benchmarks.
	visited, scored int
}

// consider scores a candidate of the offer's family and keeps her if she
// is live, followed by the organisation, not excluded and among the best.
func (r *ranking) consider(slot int32) {
	x, p := r.x, &r.x.persons[slot]
	if p.flags&flagLive == 0 || !follows(x.orgPool[p.orgsAt:p.orgsAt+uint32(p.nOrgs)], r.org) {
		return
	}
	if len(r.exclude) > 0 && r.exclude[x.idOf(slot)] {
		return
	}
	ps := x.personSide(p, &r.buf)
	s, _ := x.score(&ps, p.flags&flagAvailable != 0, &r.offer, false)
	r.scored++
	r.top.push(hit{s, slot})
}

// candidateList is a list of byPlace that holds candidates.
type candidateList struct {
	slots []int32
	code  uint16
	dep   int16
	// bound is the best score a person of the list can reach.
	bound float64
}

// candidateLists returns the lists of byPlace of the codes of family fam
// in the départements where organisation org follows persons, and the
// number of entries they hold.
func (x *Index) candidateLists(fam uint16, org uint32) (lists []candidateList, entries int) {
	for dep := int16(-1); int(dep) < len(x.deps); dep++ {
		if !x.orgInDep(org, dep) {
			continue
		}
		for _, code := range x.famCodes[fam] {
			if slots := x.byPlace[placeKey(code, dep)]; len(slots) > 0 {
				lists = append(lists, candidateList{slots: slots, code: code, dep: dep})
				entries += len(slots)
			}
		}
	}
	return lists, entries
}

// run is a stretch of a list whose persons have the same skills, in slot
// order, with the best score any of them can reach for the offer.
type run struct {
	slots []int32
	bound float64
	// code is the code of the run's list; sameCode tells whether it is
	// the offer's.
	code     uint16
	sameCode bool
}

// readRuns reads the runs of the lists best bound first: it stops at the
// first run whose bound is below the k-th best score, and within a run (in
// slot order) at the first person who could at best tie with the k-th
// while coming after it. Persons of a run all reach at most its bound, so
// nobody left unread could enter the best k. A list is cut into runs only
// when its own bound (the best skills there can be) could beat the best
// run pending, and never once it is below the k-th best score: the lists
// of the family's other codes are often left whole.
func (r *ranking) readRuns(lists []candidateList) {
	for i := range lists {
		l := &lists[i]
		l.bound = bestScore(r.codePoints(l.code), r.bestJaccard(), r.x.bestDistancePoints(l.dep, &r.offer))
	}
	slices.SortStableFunc(lists, func(a, b candidateList) int { return cmp.Compare(b.bound, a.bound) })
	var pending []run // best bound first
	next := 0         // the first list not cut yet
	for {
		cut := false
		for ; next < len(lists) && (len(pending) == 0 || lists[next].bound > pending[0].bound); next++ {
			if r.top.full() && lists[next].bound < r.top.h[0].score {
				next = len(lists)
				break
			}
			pending, cut = r.cut(lists[next], pending), true
		}
		if cut {
			slices.SortStableFunc(pending, func(a, b run) int { return cmp.Compare(b.bound, a.bound) })
		}
		if len(pending) == 0 {
			return
		}
		rn := pending[0]
		pending = pending[1:]
		if r.top.full() && rn.bound < r.top.h[0].score {
			return // the lists not cut are no better than this run
		}
		r.readRun(rn)
	}
}

// codePoints are the points of the code of a list: the offer's, or
// another of its family.
func (r *ranking) codePoints(code uint16) float64 {
	if code == r.code {
		return PointsSameCode
	}
	return PointsSameFamily
}

// bestJaccard is the highest Jaccard index of the skills a person can
// reach for the offer: that of the offer's known skills among all its
// skills, computed as jaccard does.
func (r *ranking) bestJaccard() float64 {
	if len(r.offer.skills) == 0 {
		return 0
	}
	return float64(len(r.offer.skills)) / float64(len(r.offer.skills)+r.offer.extra)
}

// cut appends to runs the runs of list l, with their bounds.
func (r *ranking) cut(l candidateList, runs []run) []run {
	occ, dist := r.codePoints(l.code), r.x.bestDistancePoints(l.dep, &r.offer)
	for i := 0; i < len(l.slots); {
		end := r.runEnd(l.slots, i)
		r.skills = decodeSkills(r.skills[:0], r.x.skillKey(l.slots[i]))
		_, j := jaccard(r.skills, r.offer.skills, r.offer.extra)
		runs = append(runs, run{slots: l.slots[i:end], bound: bestScore(occ, j, dist), code: l.code, sameCode: l.code == r.code})
		i = end
	}
	return runs
}

// readRun considers the persons of a run in slot order, until none left
// can enter the best k.
func (r *ranking) readRun(rn run) {
	for _, slot := range rn.slots {
		if kth := r.top.h; r.top.full() && (rn.bound < kth[0].score || rn.bound == kth[0].score && slot > kth[0].slot) {
			return
		}
		r.visited++
		// A person of another code of the family is read once: in the
		// list of her first such code, unless she has the offer's code
		// too.
		if !rn.sameCode && !r.firstListOf(slot, rn.code) {
			continue
		}
		r.consider(slot)
	}
}

// firstListOf reports whether a person of the family without the offer's
// code is read in this list: she has no code of the offer and this list's
// code is the lowest of hers in the family. The runs of her other lists
// have the same bound (same skills, département and points of the code).
func (r *ranking) firstListOf(slot int32, listCode uint16) bool {
	x, p := r.x, &r.x.persons[slot]
	first := uint16(0)
	for _, c := range x.codePool[p.codesAt : p.codesAt+uint32(p.nCodes)] {
		switch {
		case c == r.code:
			return false
		case x.codeFam[c] == r.fam && (first == 0 || c < first):
			first = c
		}
	}
	return first == listCode
}

// runEnd returns the end of the run that starts at i: the first entry
// after i with other skills, found by galloping then bisecting, so that
// a long run costs the logarithm of its length.
func (r *ranking) runEnd(slots []int32, i int) int {
	key := r.x.skillKey(slots[i])
	same := func(j int) bool {
		r.visited++
		return bytes.Equal(r.x.skillKey(slots[j]), key)
	}
	last, step := i, 1 // slots[last] is in the run
	for last+step < len(slots) && same(last+step) {
		last += step
		step *= 2
	}
	hi := min(last+step, len(slots)) // slots[hi] is not, or the end
	return last + 1 + sort.Search(hi-last-1, func(j int) bool { return !same(last + 1 + j) })
}

// bestScore is the most a person can score with occ points of the code
// and the Jaccard index j of the skills, living dist points away: the
// preferences all met. It adds the points in the order score does, so
// that it is never below a score it bounds.
func bestScore(occ, j, dist float64) float64 {
	total := 0.0
	total += occ
	total += PointsSkills * j
	total += dist
	total += PointsContract
	total += PointsHours
	total += PointsAvailability
	return math.Round(total*10) / 10
}

// bestDistancePoints is the most distance points a person living in the
// département dep (-1 when unknown) can get for the offer side o.
func (x *Index) bestDistancePoints(dep int16, o *side) float64 {
	switch {
	case dep == o.dep:
		return PointsDistance // the offer's commune may be hers
	case dep < 0 || o.dep < 0:
		return 0
	}
	km := float64(x.depKm[dep][o.dep])
	if km >= UnknownKm {
		return 0
	}
	return PointsDistance * math.Exp(-km/DistanceScaleKm)
}

// scratch holds the lists of a person's side while she is scored.
type scratch struct {
	codes  [maxListed]string
	skills [maxListed]uint32
}

// personSide rebuilds the scored side of a person from her entry; its
// lists live in buf until the next call.
func (x *Index) personSide(p *personEntry, buf *scratch) side {
	codes := buf.codes[:0]
	for _, c := range x.codePool[p.codesAt : p.codesAt+uint32(p.nCodes)] {
		codes = append(codes, x.codes.names[c])
	}
	skills := decodeSkills(buf.skills[:0], x.skillPool[p.skillsAt:p.skillsAt+uint32(p.skillBytes)])
	return side{codes: codes, skills: skills, commune: p.commune,
		dep: x.communeDep(p.commune), contract: x.contracts.names[p.contract], hours: int(p.hours)}
}

// communeDep returns the département index of a commune id (communeID).
func (x *Index) communeDep(commune uint32) int16 {
	if commune&packedCommune != 0 {
		return int16(commune >> 16 &^ (packedCommune >> 16))
	}
	if commune == 0 || int(commune) >= len(x.communeDeps) {
		return -1
	}
	return x.communeDeps[commune]
}

func follows(orgs []uint32, org uint32) bool {
	for _, o := range orgs {
		if o == org {
			return true
		}
	}
	return false
}

// OffersFor returns the k open offers (at most 200) that best fit a person,
// best first, with the reasons of each score. Only the offers of the ROME
// families the person looks for are scored.
func (x *Index) OffersFor(p Features, k int) []ScoredOffer {
	k = min(max(k, 1), 200)
	x.mu.RLock()
	defer x.mu.RUnlock()
	skills, _ := x.sortedSkills(p.Skills, false)
	ps := side{codes: p.ROMECodes, skills: skills, commune: x.communeID(p.CommuneCode, false), dep: x.dep(p.CommuneCode),
		contract: p.ContractWanted, hours: p.HoursWanted}
	top := topK{k: k}
	for _, fam := range families(p.ROMECodes) {
		for _, slot := range x.offersByFamily[fam] {
			o := &x.offers[slot]
			if o.offer == nil || o.family != fam {
				continue
			}
			s, _ := x.score(&ps, p.Available, &o.side, false)
			top.push(hit{s, slot})
		}
	}
	out := make([]ScoredOffer, 0, len(top.h))
	for _, h := range top.sorted() {
		o := &x.offers[h.slot]
		s, reasons := x.score(&ps, p.Available, &o.side, true)
		cp := *o.offer
		out = append(out, ScoredOffer{Offer: &cp, Score: s, Reasons: reasons})
	}
	return out
}

// Source is where the index loads from: the store.
type Source interface {
	// MatchingFeatures calls fn with the features of the persons updated
	// at or after since (all when since is zero), in batches.
	MatchingFeatures(ctx context.Context, since time.Time, fn func([]Features) error) error
	// Offers lists offers (the index asks for the open ones).
	Offers(ctx context.Context, f socle.OfferFilter) ([]*socle.Offer, error)
}

// Load fills the index from src: every person, and the open offers (the
// store returns at most 1,000 per call, so offers are read by ROME code).
func (x *Index) Load(ctx context.Context, src Source) error {
	if err := src.MatchingFeatures(ctx, time.Time{}, func(fs []Features) error {
		x.UpsertAll(fs)
		return nil
	}); err != nil {
		return fmt.Errorf("loading the matching index: %w", err)
	}
	return x.loadOffers(ctx, src)
}

// loadOffers upserts every open offer of src and, once all are read,
// removes the indexed offers that are no longer open (closed or deleted
// since), so that a refresh sees every change of the offers.
func (x *Index) loadOffers(ctx context.Context, src Source) error {
	seen, start := map[string]bool{}, time.Now()
	for _, c := range x.ref.Codes {
		offers, err := src.Offers(ctx, socle.OfferFilter{ROMECode: c.Code, OpenOnly: true, Limit: 1000})
		if err != nil {
			return fmt.Errorf("loading offers of the matching index: %w", err)
		}
		x.mu.Lock()
		for _, o := range offers {
			seen[o.ID] = true
			x.upsertOffer(o)
		}
		x.mu.Unlock()
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	for id, slot := range x.offerSlots {
		if !seen[id] && x.offers[slot].at.Before(start) {
			closed := *x.offers[slot].offer
			closed.Open = false
			x.upsertOffer(&closed)
		}
	}
	return nil
}

// Refresh loads the persons updated since the last load or refresh, and
// the open offers again (offers are few next to persons; an offer written
// through the gate is upserted at once by its writer, see UpsertOffer).
func (x *Index) Refresh(ctx context.Context, src Source) error {
	x.mu.RLock()
	since := x.refreshed
	x.mu.RUnlock()
	if err := src.MatchingFeatures(ctx, since, func(fs []Features) error {
		x.UpsertAll(fs)
		return nil
	}); err != nil {
		return fmt.Errorf("refreshing the matching index: %w", err)
	}
	return x.loadOffers(ctx, src)
}

// Run refreshes the index every interval until ctx is done; errors go to
// report (ignored when nil).
func (x *Index) Run(ctx context.Context, src Source, every time.Duration, report func(error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := x.Refresh(ctx, src); err != nil && report != nil && ctx.Err() == nil {
				report(err)
			}
		}
	}
}

// Score returns the score of one indexed person for offer o, false when
// the person is not indexed.
func (x *Index) Score(o *socle.Offer, personID string) (Scored, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	slot, ok := x.slot(personID)
	if !ok || x.persons[slot].flags&flagLive == 0 || !socle.ValidROME(o.ROMECode) {
		return Scored{}, false
	}
	os := x.offerSide(o)
	p := &x.persons[slot]
	var buf scratch
	ps := x.personSide(p, &buf)
	s, reasons := x.score(&ps, p.flags&flagAvailable != 0, &os, true)
	return Scored{PersonID: personID, Score: s, Reasons: reasons}, true
}
