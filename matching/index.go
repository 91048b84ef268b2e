// Package matching ranks persons for an offer and offers for a person (mise
// en relation), with an explanation of every score.
//
// An Index keeps in memory the searchable features of every person (target
// ROME codes, skills, commune, contract and hours wanted, availability, the
// organisations that follow her) and of every open offer. Candidates are
// generated before anything is scored: persons are listed by ROME code and
// département, and each list is ordered by the person's skills, then by
// when she was indexed. A list is thus a row of runs of persons with the
// same skills, and every person of a run can reach at most the same score
// for an offer: the points of her code (the offer's or one of its family),
// of those skills, of the nearest commune of the département and of every
// preference met. Ranking an offer reads the runs from the best such bound
// and stops where no run left, and no later person of a run, can beat the
// k-th best found (the best k are kept in a heap): the persons read follow
// the best candidates, not the crowd of the département. The ranking is
// the one a scan of every person would give, ties included. The index
// holds personal data: only the gate may hand its results out (see
// gate.MatchCandidates), and it filters by the organisations that follow
// each person before anything leaves it.
package matching

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"socle"
	"socle/rome"
)

// Features are what the index knows of a person. The store reads them, so
// they are declared at the root (socle.MatchFeatures).
type Features = socle.MatchFeatures

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

// personEntry is one indexed person in 24 bytes: offsets into the
// index's shared pools and small interned values, instead of a struct of
// strings and slices (about 300 bytes a person with their headers and
// allocations). Scoring rebuilds a side from it (personSide).
type personEntry struct {
	codesAt, skillsAt, orgsAt uint32 // offsets in codePool, skillPool, orgPool
	commune                   uint32 // interned commune
	contract                  uint16 // interned contract wanted
	skillBytes                uint16 // length of the skills in skillPool
	nCodes, nOrgs             uint8
	hours                     uint8
	flags                     uint8
}

const (
	flagAvailable = 1 << iota
	flagLive
)

// maxListed bounds the codes, skills and organisations kept of a person.
const maxListed = 255

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
	// communeDeps are the départements (indexes in deps) of the communes
	// interned in communes, by id; a commune of the usual form is not
	// interned (communeID).
	communeDeps []int16

	// The persons: entries by slot, their ids, and the pools the entries
	// point into. An id of the usual form (per_<20 base32>) is kept as its
	// 12 bytes; another one in odd.
	persons   []personEntry
	idRaw     []byte // 12 bytes per slot
	odd       map[int32]string
	table     []int32 // open addressing: slot+1 by hash of the id, 0 empty
	codes     symbols // ROME codes
	contracts symbols
	codePool  []uint16
	// skillPool holds each person's sorted skills as varint deltas
	// (encodeSkills): two bytes a skill rather than four.
	skillPool []byte
	orgPool   []uint32
	byOrg     map[uint32][]int32 // person slots by organisation following them
	// orgDeps are the départements where the persons each organisation
	// follows live or have lived, a bit by département index + 1 (bit 0
	// for an unknown one): the lists of other départements hold none of
	// its persons.
	orgDeps map[uint32][]uint64
	fams    symbols  // ROME families
	codeFam []uint16 // family of each interned code
	// famCodes are the interned codes of each family, by family id.
	famCodes [][]uint16
	// byPlace lists person slots by ROME code and département of their
	// commune (placeKey), each slot once a list and only in the lists of
	// its current codes and département. A list is ordered by the
	// person's encoded skills, then by slot (comparePlaced): persons with
	// the same skills form a run, in the order they were indexed.
	byPlace map[uint32][]int32

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
		depIndex: map[string]int16{}, odd: map[int32]string{}, codes: newSymbols(), contracts: newSymbols(), byOrg: map[uint32][]int32{},
		orgDeps: map[uint32][]uint64{},
		fams:    newSymbols(), codeFam: []uint16{0}, famCodes: [][]uint16{nil}, byPlace: map[uint32][]int32{},
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

// internCode interns a ROME code and notes its family.
func (x *Index) internCode(code string) uint32 {
	id := x.codes.intern(code)
	for len(x.codeFam) < len(x.codes.names) {
		code := uint16(len(x.codeFam))
		fam := uint16(x.fams.intern(rome.Family(x.codes.names[code])))
		x.codeFam = append(x.codeFam, fam)
		for len(x.famCodes) < len(x.fams.names) {
			x.famCodes = append(x.famCodes, nil)
		}
		if fam != 0 {
			x.famCodes[fam] = append(x.famCodes[fam], code)
		}
	}
	return id
}

// hasFamily reports whether a person looks for a job of the family.
func (x *Index) hasFamily(p *personEntry, fam uint16) bool {
	return slices.Contains(x.personFamilies(p, nil), fam)
}

// personFamilies appends to fams the ROME families of a person's codes,
// each once.
func (x *Index) personFamilies(p *personEntry, fams []uint16) []uint16 {
	for _, c := range x.codePool[p.codesAt : p.codesAt+uint32(p.nCodes)] {
		if fam := x.codeFam[c]; fam != 0 && !slices.Contains(fams, fam) {
			fams = append(fams, fam)
		}
	}
	return fams
}

// placeKey is the key of byPlace: an interned ROME code and a département
// index (-1 for a commune of unknown département).
func placeKey(code uint16, dep int16) uint32 { return uint32(code)<<16 | uint32(uint16(dep+1)) }

// places returns the keys of byPlace that list a person: one for each of
// her codes of a known family.
func (x *Index) places(p *personEntry) []uint32 {
	dep := x.communeDep(p.commune)
	var keys []uint32
	for _, c := range x.codePool[p.codesAt : p.codesAt+uint32(p.nCodes)] {
		if k := placeKey(c, dep); x.codeFam[c] != 0 && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	return keys
}

// skillKey returns a person's skills as encoded in skillPool: equal for
// equal sets of skills.
func (x *Index) skillKey(slot int32) []byte {
	p := &x.persons[slot]
	return x.skillPool[p.skillsAt : p.skillsAt+uint32(p.skillBytes)]
}

// comparePlaced orders the persons of a byPlace list: by skills (key is
// those of slot), then by slot.
func (x *Index) comparePlaced(a int32, key []byte, slot int32) int {
	if c := bytes.Compare(x.skillKey(a), key); c != 0 {
		return c
	}
	return cmp.Compare(a, slot)
}

// enlist inserts slot in its place in the lists of keys. The person's
// skills must be those she has in the index now.
func (x *Index) enlist(keys []uint32, slot int32) {
	key := x.skillKey(slot)
	for _, k := range keys {
		l := x.byPlace[k]
		i, found := slices.BinarySearchFunc(l, slot, func(e, t int32) int { return x.comparePlaced(e, key, t) })
		if !found {
			x.byPlace[k] = slices.Insert(l, i, slot)
		}
	}
}

// unlist removes slot from the lists of keys, before her skills change:
// she is found where her current skills put her.
func (x *Index) unlist(keys []uint32, slot int32) {
	key := x.skillKey(slot)
	for _, k := range keys {
		l := x.byPlace[k]
		if i, found := slices.BinarySearchFunc(l, slot, func(e, t int32) int { return x.comparePlaced(e, key, t) }); found {
			x.byPlace[k] = slices.Delete(l, i, i+1)
		}
	}
}

// markOrgDep notes that organisation org follows a person of département
// dep (-1 when unknown).
func (x *Index) markOrgDep(org uint32, dep int16) {
	bits := x.orgDeps[org]
	if bits == nil {
		bits = make([]uint64, (len(x.deps)+1+63)/64)
		x.orgDeps[org] = bits
	}
	bits[(dep+1)/64] |= 1 << ((dep + 1) % 64)
}

// orgInDep reports whether organisation org may follow a person of
// département dep.
func (x *Index) orgInDep(org uint32, dep int16) bool {
	bits := x.orgDeps[org]
	return bits != nil && bits[(dep+1)/64]&(1<<((dep+1)%64)) != 0
}

// encodeSkills appends sorted skill ids to dst as varint deltas.
func encodeSkills(dst []byte, ids []uint32) []byte {
	prev := uint32(0)
	for _, id := range ids {
		dst = binary.AppendUvarint(dst, uint64(id-prev))
		prev = id
	}
	return dst
}

// decodeSkills appends to dst the skill ids encodeSkills wrote in b.
func decodeSkills(dst []uint32, b []byte) []uint32 {
	prev := uint32(0)
	for len(b) > 0 {
		d, n := binary.Uvarint(b)
		prev += uint32(d)
		dst = append(dst, prev)
		b = b[n:]
	}
	return dst
}

// packedCommune marks a commune id that holds its code: the index of its
// département in the bits 16 to 30, the rest of its code below.
const packedCommune = 1 << 31

// communeID returns the id of a commune, 0 for none. A code of the usual
// form (five characters: a known département, then digits) is packed into
// its id, which keeps a table of the network's 35,000 communes out of
// memory; another code is interned (when add) or looked up.
func (x *Index) communeID(code string, add bool) uint32 {
	if len(code) == 5 {
		d := departementOf(code)
		if i, ok := x.depIndex[d]; ok {
			if n, err := strconv.ParseUint(code[len(d):], 10, 16); err == nil {
				return packedCommune | uint32(i)<<16 | uint32(n)
			}
		}
	}
	if !add {
		return x.communes.lookup(code)
	}
	id := x.communes.intern(code)
	for len(x.communeDeps) < len(x.communes.names) {
		x.communeDeps = append(x.communeDeps, x.dep(x.communes.names[len(x.communeDeps)]))
	}
	return id
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
	var codes, skills, orgs int
	for i := range fs {
		codes, skills, orgs = codes+len(fs[i].ROMECodes), skills+len(fs[i].Skills), orgs+len(fs[i].Organisations)
	}
	x.persons = reserve(x.persons, len(fs))
	x.idRaw = reserve(x.idRaw, idBytes*len(fs))
	// Two bytes a skill is what encodeSkills takes of most.
	x.codePool, x.skillPool, x.orgPool = reserve(x.codePool, codes), reserve(x.skillPool, 2*skills), reserve(x.orgPool, orgs)
	for i := range fs {
		x.upsert(fs[i])
	}
}

// reserve makes room for n more elements, growing by an eighth rather
// than append's quarter: these arrays hold a value per person, and what
// they keep spare is memory of every server.
func reserve[T any](s []T, n int) []T {
	if cap(s)-len(s) >= n {
		return s
	}
	grown := make([]T, len(s), max(len(s)+n, len(s)+len(s)/8))
	copy(grown, s)
	return grown
}

func (x *Index) upsert(f Features) {
	skills, _ := x.sortedSkills(f.Skills, true)
	slot, ok := x.slot(f.PersonID)
	var e personEntry
	var oldOrgs []uint32
	if ok {
		e = x.persons[slot]
		// She leaves her lists while her old skills still say where she
		// is in them: the new ones may be written over the old.
		x.unlist(x.places(&e), slot)
		oldOrgs = slices.Clone(x.orgPool[e.orgsAt : e.orgsAt+uint32(e.nOrgs)])
	} else {
		slot = x.addSlot(f.PersonID)
	}
	codes := make([]uint16, 0, 4)
	for _, c := range f.ROMECodes[:min(len(f.ROMECodes), maxListed)] {
		codes = append(codes, uint16(x.internCode(c)))
	}
	var orgs []uint32
	for _, o := range f.Organisations[:min(len(f.Organisations), maxListed)] {
		orgs = append(orgs, x.orgs.intern(o))
	}
	skillBytes := encodeSkills(nil, skills[:min(len(skills), maxListed)])
	// A new list overwrites the old one in place when it fits, else goes
	// to the end of its pool (the old one is then lost until a restart).
	e.codesAt = placeList(&x.codePool, e.codesAt, int(e.nCodes), codes, ok)
	e.skillsAt = placeList(&x.skillPool, e.skillsAt, int(e.skillBytes), skillBytes, ok)
	e.orgsAt = placeList(&x.orgPool, e.orgsAt, int(e.nOrgs), orgs, ok)
	e.nCodes, e.skillBytes, e.nOrgs = uint8(len(codes)), uint16(len(skillBytes)), uint8(len(orgs))
	e.commune = x.communeID(f.CommuneCode, true)
	e.contract = uint16(x.contracts.intern(f.ContractWanted))
	e.hours = uint8(min(max(f.HoursWanted, 0), 255))
	e.flags = flagLive
	if f.Available {
		e.flags |= flagAvailable
	}
	x.persons[slot] = e
	// The posting lists follow the person: she leaves the lists she no
	// longer belongs to and joins the new ones, so that a list never holds
	// her twice; in the lists by place, she takes the place of her new
	// skills.
	relist(x.byOrg, oldOrgs, orgs, slot)
	for _, o := range orgs {
		x.markOrgDep(o, x.communeDep(e.commune))
	}
	x.enlist(x.places(&e), slot)
	if f.UpdatedAt.After(x.refreshed) {
		x.refreshed = f.UpdatedAt
	}
}

// relist moves slot from the lists of old keys that new lacks to those of
// new keys that old lacks.
func relist(lists map[uint32][]int32, old, new []uint32, slot int32) {
	for _, k := range old {
		if !slices.Contains(new, k) {
			if i := slices.Index(lists[k], slot); i >= 0 {
				l := lists[k]
				l[i] = l[len(l)-1]
				lists[k] = l[:len(l)-1]
			}
		}
	}
	for i, k := range new {
		if !slices.Contains(old, k) && !slices.Contains(new[:i], k) {
			lists[k] = append(lists[k], slot)
		}
	}
}

// placeList writes list into pool at the old place when it fits (old
// holds n), else at the end, and returns where it is.
func placeList[T any](pool *[]T, at uint32, n int, list []T, old bool) uint32 {
	if old && len(list) <= n {
		copy((*pool)[at:], list)
		return at
	}
	at = uint32(len(*pool))
	*pool = append(*pool, list...)
	return at
}

// Remove forgets a person.
func (x *Index) Remove(personID string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if slot, ok := x.slot(personID); ok {
		x.persons[slot].flags &^= flagLive
	}
}

// Persons is the number of persons indexed.
func (x *Index) Persons() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.persons)
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
		commune: x.communeID(o.CommuneCode, true), dep: x.dep(o.CommuneCode), contract: o.Contract, hours: o.HoursPerWeek}}
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
