package matching

import (
	"context"
	"fmt"
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
	return side{codes: []string{o.ROMECode}, skills: skills, extra: extra, commune: x.communes.lookup(o.CommuneCode),
		dep: x.dep(o.CommuneCode), contract: o.Contract, hours: o.HoursPerWeek}
}

// Rank returns the k persons (at most 200) who best fit offer o among those
// that f allows, best first, each with the reasons of her score. Only the
// persons looking for a job of the offer's ROME family are scored.
func (x *Index) Rank(o *socle.Offer, f Filter, k int) ([]Scored, error) {
	if o == nil || !socle.ValidROME(o.ROMECode) {
		return nil, socle.Errorf(socle.EINVALID, "ranking needs an offer with a ROME code")
	}
	if f.OrganisationID == "" {
		return nil, socle.Errorf(socle.EINVALID, "ranking needs the organisation whose persons are ranked")
	}
	k = min(max(k, 1), 200)
	x.mu.RLock()
	defer x.mu.RUnlock()
	org := x.orgs.lookup(f.OrganisationID)
	if org == 0 {
		return nil, nil
	}
	os := x.offerSide(o)
	top := topK{k: k}
	var buf [maxListed]string
	// Candidates are the persons of the offer's ROME family whom the
	// organisation follows: the shorter of the two lists is walked and the
	// other condition checked on interned ids, before anything is scored.
	// The cost follows the organisation's caseload or the family, the
	// smaller, not the network.
	fam := uint16(x.fams.lookup(rome.Family(o.ROMECode)))
	if fam == 0 {
		return nil, nil
	}
	cands := x.byFamily[fam]
	if byOrg := x.byOrg[org]; len(byOrg) < len(cands) {
		cands = byOrg
	}
	for _, slot := range cands {
		p := &x.persons[slot]
		if p.flags&flagLive == 0 || !x.hasFamily(p, fam) || !follows(x.orgPool[p.orgsAt:p.orgsAt+uint32(p.nOrgs)], org) {
			continue
		}
		if len(f.Exclude) > 0 && f.Exclude[x.idOf(slot)] {
			continue
		}
		ps := x.personSide(p, &buf)
		s, _ := x.score(&ps, p.flags&flagAvailable != 0, &os, false)
		top.push(hit{s, slot})
	}
	out := make([]Scored, 0, len(top.h))
	for _, h := range top.sorted() {
		p := &x.persons[h.slot]
		ps := x.personSide(p, &buf)
		s, reasons := x.score(&ps, p.flags&flagAvailable != 0, &os, true)
		out = append(out, Scored{PersonID: x.idOf(h.slot), Score: s, Reasons: reasons})
	}
	return out, nil
}

// personSide rebuilds the scored side of a person from her entry; its
// codes live in buf until the next call.
func (x *Index) personSide(p *personEntry, buf *[maxListed]string) side {
	codes := buf[:0]
	for _, c := range x.codePool[p.codesAt : p.codesAt+uint32(p.nCodes)] {
		codes = append(codes, x.codes.names[c])
	}
	return side{codes: codes, skills: x.skillPool[p.skillsAt : p.skillsAt+uint32(p.nSkills)], commune: p.commune,
		dep: x.communeDep(p.commune), contract: x.contracts.names[p.contract], hours: int(p.hours)}
}

// communeDep returns the département index of an interned commune.
func (x *Index) communeDep(commune uint32) int16 {
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
	ps := side{codes: p.ROMECodes, skills: skills, commune: x.communes.lookup(p.CommuneCode), dep: x.dep(p.CommuneCode),
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
	var buf [maxListed]string
	ps := x.personSide(p, &buf)
	s, reasons := x.score(&ps, p.flags&flagAvailable != 0, &os, true)
	return Scored{PersonID: personID, Score: s, Reasons: reasons}, true
}
