// Package matching ranks persons for an offer and offers for a person (mise
// en relation), with an explanation of every score.
//
// An Index keeps in memory the searchable features of every person (target
// ROME codes, skills, commune, contract and hours wanted, availability, the
// organisations that follow her) and of every open offer. Persons are found
// through an inverted index by ROME family, so ranking an offer scores only
// the persons who look for a job of the same family, never the whole
// population; the best k are kept in a heap. The index holds personal data:
// only the gate may hand its results out (see gate.MatchCandidates), and it
// filters by the organisations that follow each person before anything
// leaves it.
package matching

import (
	"slices"
	"strings"
	"sync"
	"time"

	"socle"
	"socle/rome"
)

// Features are what the index knows of a person.
type Features struct {
	PersonID       string
	ROMECodes      []string
	Skills         []string
	CommuneCode    string
	ContractWanted string
	HoursWanted    int
	// Available is false for a person already in employment.
	Available bool
	// Organisations are the organisations that follow the person today.
	Organisations []string
	UpdatedAt     time.Time
}

// FeaturesOf returns the features of a person as read (the skills, contact
// and parcours sections; the missing ones leave their features empty).
func FeaturesOf(p *socle.Person) Features {
	f := Features{PersonID: p.ID, Available: true, UpdatedAt: p.UpdatedAt}
	if s := p.Skills; s != nil {
		f.ROMECodes, f.Skills = s.ROMECodes, s.Skills
		f.ContractWanted, f.HoursWanted = s.ContractWanted, s.HoursWanted
	}
	if c := p.Contact; c != nil {
		f.CommuneCode = c.CommuneCode
	}
	if pa := p.Parcours; pa != nil && pa.Situation == socle.SituationEmployed {
		f.Available = false
	}
	return f
}

// symbols interns strings (skills, communes, organisations) as small ints.
type symbols struct {
	ids   map[string]uint32
	names []string
}

func newSymbols() symbols { return symbols{ids: map[string]uint32{}, names: []string{""}} }

func (s *symbols) intern(v string) uint32 {
	if v == "" {
		return 0
	}
	if id, ok := s.ids[v]; ok {
		return id
	}
	id := uint32(len(s.names))
	s.ids[v] = id
	s.names = append(s.names, v)
	return id
}

// lookup returns the id of v, 0 when unknown.
func (s *symbols) lookup(v string) uint32 { return s.ids[v] }

// side is one side of a match (a person or an offer) as scored.
type side struct {
	codes    []string // ROME codes
	skills   []uint32 // sorted interned skills
	extra    int      // skills unknown to the index (offers only)
	commune  uint32
	dep      int16 // index in deps, -1 when unknown
	contract string
	hours    int
}

type personEntry struct {
	id        string
	side      side
	available bool
	orgs      []uint32
	live      bool
}

type offerEntry struct {
	offer  *socle.Offer
	family string
	side   side
	// at is when the entry was written, so that a reload does not drop an
	// offer upserted while it ran.
	at time.Time
}

// Index is the in-memory matching index. Its methods are safe for
// concurrent use; the zero value is not usable, call New.
type Index struct {
	mu       sync.RWMutex
	ref      rome.Referential
	skills   symbols
	communes symbols
	orgs     symbols
	deps     []string // département codes
	depIndex map[string]int16
	depKm    [][]float32 // distance of the chefs-lieux of two départements

	persons  []personEntry
	slots    map[string]int32
	byFamily map[string][]int32 // person slots by ROME family of their codes

	offers         []offerEntry
	offerSlots     map[string]int32
	offersByFamily map[string][]int32

	// refreshed is the update time of the newest person loaded, where
	// Refresh resumes.
	refreshed time.Time
}

// New returns an empty index; ref names the ROME codes in explanations.
func New(ref rome.Referential) *Index {
	x := &Index{
		ref: ref, skills: newSymbols(), communes: newSymbols(), orgs: newSymbols(),
		depIndex: map[string]int16{}, slots: map[string]int32{}, byFamily: map[string][]int32{},
		offerSlots: map[string]int32{}, offersByFamily: map[string][]int32{},
	}
	for d := range departementCentres {
		x.deps = append(x.deps, d)
	}
	slices.Sort(x.deps)
	x.depKm = make([][]float32, len(x.deps))
	for i, a := range x.deps {
		x.depIndex[a] = int16(i)
		x.depKm[i] = make([]float32, len(x.deps))
		for j, b := range x.deps {
			if i != j {
				x.depKm[i][j] = float32(haversineKm(departementCentres[a], departementCentres[b]))
			}
		}
	}
	return x
}

func (x *Index) dep(commune string) int16 {
	if i, ok := x.depIndex[departementOf(commune)]; ok {
		return i
	}
	return -1
}

// sortedSkills interns (when add) or looks up skills, sorted and without
// duplicates; extra counts those not interned.
func (x *Index) sortedSkills(skills []string, add bool) (ids []uint32, extra int) {
	for _, s := range skills {
		s = strings.ToLower(strings.TrimSpace(s))
		if s == "" {
			continue
		}
		var id uint32
		if add {
			id = x.skills.intern(s)
		} else {
			id = x.skills.lookup(s)
		}
		if id == 0 {
			extra++
			continue
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return slices.Compact(ids), extra
}

func families(codes []string) []string {
	var fs []string
	for _, c := range codes {
		if f := rome.Family(c); f != "" && !slices.Contains(fs, f) {
			fs = append(fs, f)
		}
	}
	return fs
}

// Upsert adds or replaces the features of a person.
func (x *Index) Upsert(f Features) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.upsert(f)
}

// UpsertAll adds or replaces many persons under one lock, the fast path of
// loads.
func (x *Index) UpsertAll(fs []Features) {
	x.mu.Lock()
	defer x.mu.Unlock()
	for i := range fs {
		x.upsert(fs[i])
	}
}

func (x *Index) upsert(f Features) {
	skills, _ := x.sortedSkills(f.Skills, true)
	e := personEntry{id: f.PersonID, available: f.Available, live: true, side: side{
		codes: slices.Clone(f.ROMECodes), skills: skills, commune: x.communes.intern(f.CommuneCode),
		dep: x.dep(f.CommuneCode), contract: f.ContractWanted, hours: f.HoursWanted,
	}}
	for _, o := range f.Organisations {
		e.orgs = append(e.orgs, x.orgs.intern(o))
	}
	slot, ok := x.slots[f.PersonID]
	var old []string
	if ok {
		old = families(x.persons[slot].side.codes)
		x.persons[slot] = e
	} else {
		slot = int32(len(x.persons))
		x.slots[f.PersonID] = slot
		x.persons = append(x.persons, e)
	}
	// A posting list may keep a slot whose person left the family; the
	// ranking checks the family again, so only new families are added.
	for _, fam := range families(e.side.codes) {
		if !slices.Contains(old, fam) {
			x.byFamily[fam] = append(x.byFamily[fam], slot)
		}
	}
	if f.UpdatedAt.After(x.refreshed) {
		x.refreshed = f.UpdatedAt
	}
}

// Remove forgets a person.
func (x *Index) Remove(personID string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if slot, ok := x.slots[personID]; ok {
		x.persons[slot].live = false
	}
}

// Persons is the number of persons indexed.
func (x *Index) Persons() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.slots)
}

// Offers is the number of open offers indexed.
func (x *Index) Offers() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.offerSlots)
}

// UpsertOffer adds or replaces an offer; a closed offer is removed.
func (x *Index) UpsertOffer(o *socle.Offer) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.upsertOffer(o)
}

func (x *Index) upsertOffer(o *socle.Offer) {
	slot, ok := x.offerSlots[o.ID]
	if !o.Open {
		if ok {
			x.offers[slot].offer = nil
			delete(x.offerSlots, o.ID)
		}
		return
	}
	cp := *o
	skills, _ := x.sortedSkills(o.Skills, true)
	e := offerEntry{offer: &cp, family: rome.Family(o.ROMECode), at: time.Now(), side: side{codes: []string{o.ROMECode}, skills: skills,
		commune: x.communes.intern(o.CommuneCode), dep: x.dep(o.CommuneCode), contract: o.Contract, hours: o.HoursPerWeek}}
	fam := rome.Family(o.ROMECode)
	if ok {
		oldFam := ""
		if prev := x.offers[slot].offer; prev != nil {
			oldFam = rome.Family(prev.ROMECode)
		}
		x.offers[slot] = e
		if oldFam == fam {
			return
		}
	} else {
		slot = int32(len(x.offers))
		x.offerSlots[o.ID] = slot
		x.offers = append(x.offers, e)
	}
	x.offersByFamily[fam] = append(x.offersByFamily[fam], slot)
}

// Referential returns the ROME referential the index was built with; it
// does not change after New.
func (x *Index) Referential() *rome.Referential { return &x.ref }
