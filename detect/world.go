package detect

import (
	"math/rand/v2"
	"slices"
	"time"
)

// SimConfig sizes a simulation. The same config always gives the same
// world and the same stream.
type SimConfig struct {
	Agents int       // staff accounts; partner systems and persons scale with it
	Days   int       // days of traffic
	Seed   uint64    // PCG seed
	Start  time.Time // first day, midnight (default Monday 3 March 2025, UTC)
}

func (c SimConfig) withDefaults() SimConfig {
	if c.Agents < 50 {
		c.Agents = 50
	}
	if c.Days < 1 {
		c.Days = 1
	}
	if c.Start.IsZero() {
		c.Start = time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC)
	}
	return c
}

// role is what a simulated principal does all day, which shapes her
// legitimate traffic.
type role uint8

const (
	roleAdviser     role = iota // follows a portfolio of persons
	roleCompany                 // company adviser: views candidates proposed on offers
	roleOrientation             // orientation: views persons oriented to the organisation
	roleNight                   // night-shift team (emergency housing, helpline)
	roleClient                  // a partner system syncing the persons its organisation follows
	rolePhone                   // phone platform: callers from the whole country
	roleBackOffice              // back office: declared bulk work on whole populations
	roleFormer                  // a former staff member: no traffic
)

// Purposes of the simulated stream, as interned purpose indexes.
const (
	purposeAccompagnement uint8 = 1 + iota
	purposeOrientation
	purposeMiseEnRelation
	purposeStatistique
	purposeIndemnisation
)

// PurposeNames are the purpose codes behind the simulated purpose indexes.
var PurposeNames = []string{"", "accompagnement", "orientation", "mise_en_relation", "statistique", "indemnisation"}

// OrgKindNames are the organisation kinds behind the simulated OrgKind ids.
var OrgKindNames = []string{"", "france_travail", "mission_locale", "departement", "partner", "cap_emploi", "emergency"}

const (
	kindFranceTravail uint32 = 1 + iota
	kindMissionLocale
	kindDepartement
	kindPartner
	kindCapEmploi
	kindEmergency
)

// personsPerStreet and personsPerAddress shape the simulated geography:
// persons are numbered so that consecutive ones share an address and a
// street; an address holds one or two households.
const (
	personsPerStreet  = 40
	personsPerAddress = 4
	personsPerAgent   = 40
)

type simOrg struct {
	dept   uint32
	kind   uint32
	night  bool
	agents []uint32
	staff  []uint32 // persons who are active agents of this organisation
	former []uint32 // persons who used to be
	follow []uint32 // protected persons the organisation follows
}

type simPrincipal struct {
	info      PrincipalInfo
	role      role
	overtime  bool
	rate      float64  // events per working hour
	portfolio []uint32 // sorted: she is their référent
	family    []uint32 // her household, herself excluded
}

// Incident is one planted misuse: a principal, a scenario, the day it
// starts and the events it produced.
type Incident struct {
	Scenario  Scenario
	Principal uint32
	Day       int
	Events    int
}

type simDelegation struct {
	of       uint32
	from, to int64
}

// World is a simulated network: organisations, agents and partner systems,
// persons with homes, households and sensitive sets, relationships,
// covers, check-ins, collective events, bulk tasks and the planted misuse.
// It implements Directory.
type World struct {
	cfg         SimConfig
	start       int64
	depts       int
	orgs        []simOrg       // index = org id; 0 unused
	principals  []simPrincipal // index = principal id; 0 unused
	persons     []PersonInfo   // index = person id; 0 unused
	deptStart   []uint32       // persons of dept d are [deptStart[d], deptStart[d+1])
	tasks       [][]*Task      // by principal
	ntasks      uint32
	taskByDay   map[int][]*Task
	taskLists   map[uint32][]uint32      // a statistics task's persons, in a stable order
	walkIns     map[uint64][]uint32      // org<<32|hour since start → persons checked in at the reception then
	covers      map[uint32]simDelegation // principal → the colleague she covers
	visits      map[uint64][2]int64      // org<<32|person → window of a check-in or an event
	jobDatings  map[int][]simEvent       // day → evening events
	conflicts   map[uint64]bool          // principal<<32|person
	incidents   []Incident
	planted     []Event // misuse events, sorted by time, without ids
	plantedInc  []uint32
	activeUntil int
}

// simEvent is an evening job-dating: the advisers of an organisation read
// the attendees' files.
type simEvent struct {
	org       uint32
	from, to  int64
	attendees []uint32
}

// Principal implements Directory.
func (w *World) Principal(id uint32) PrincipalInfo {
	if int(id) < len(w.principals) {
		return w.principals[id].info
	}
	return PrincipalInfo{}
}

// Person implements Directory.
func (w *World) Person(id uint32) PersonInfo {
	if int(id) < len(w.persons) {
		return w.persons[id]
	}
	return PersonInfo{}
}

// Relation implements Directory: the covers, check-ins and collective
// events the simulation declared (follow-ups are in the events' own
// explanations, as the gate records them).
func (w *World) Relation(principal, person uint32, at int64) Explanation {
	if d, ok := w.covers[principal]; ok && at >= d.from && at <= d.to && w.follows(d.of, person) {
		return ExplDelegation
	}
	if v, ok := w.visits[uint64(w.principals[principal].info.Org)<<32|uint64(person)]; ok && at >= v[0] && at <= v[1] {
		return ExplAppointment
	}
	return ExplNone
}

// Conflict implements Directory.
func (w *World) Conflict(principal, person uint32) bool {
	return w.conflicts[uint64(principal)<<32|uint64(person)]
}

// Tasks implements Directory.
func (w *World) Tasks(principal uint32) []*Task {
	if int(principal) < len(w.tasks) {
		return w.tasks[principal]
	}
	return nil
}

func (w *World) follows(principal, person uint32) bool {
	_, ok := slices.BinarySearch(w.principals[principal].portfolio, person)
	return ok
}

// Incidents returns the planted misuse.
func (w *World) Incidents() []Incident { return w.incidents }

// Principals returns the number of principals (agents and partner systems).
func (w *World) Principals() int { return len(w.principals) - 1 }

// Persons returns the number of persons.
func (w *World) Persons() int { return len(w.persons) - 1 }

// household returns the household id of person p: an address holds one or
// two households, split at a point its number decides.
func household(p uint32) uint32 {
	addr := (p-1)/personsPerAddress + 1
	split := uint32(1 + mix(addr)%personsPerAddress)
	k := uint32(0)
	if (p-1)%personsPerAddress >= split {
		k = 1
	}
	return addr*2 + k
}

// NewWorld builds the world of cfg, deterministically.
func NewWorld(cfg SimConfig) *World {
	cfg = cfg.withDefaults()
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x50c1e))
	w := &World{cfg: cfg, start: cfg.Start.Unix(), taskByDay: map[int][]*Task{}, taskLists: map[uint32][]uint32{}, walkIns: map[uint64][]uint32{}, covers: map[uint32]simDelegation{},
		visits: map[uint64][2]int64{}, jobDatings: map[int][]simEvent{}, conflicts: map[uint64]bool{}}
	n := cfg.Agents

	// Persons, département by département, consecutive ones sharing an
	// address and a street; an identity each (the keyed hash of NIR and
	// birth date, here the id itself).
	w.depts = min(96, max(4, n/200))
	perDept := (n*personsPerAgent/w.depts + personsPerStreet - 1) / personsPerStreet * personsPerStreet
	w.persons = make([]PersonInfo, 1, w.depts*perDept+1)
	w.deptStart = make([]uint32, w.depts+2)
	for d := 1; d <= w.depts; d++ {
		w.deptStart[d] = uint32(len(w.persons))
		for range perDept {
			p := uint32(len(w.persons))
			w.persons = append(w.persons, PersonInfo{Territory: uint32(d), Identity: p, Household: household(p),
				Address: (p-1)/personsPerAddress + 1, Street: (p-1)/personsPerStreet + 1})
		}
	}
	w.deptStart[w.depts+1] = uint32(len(w.persons))

	// Organisations: a few work at night, a few are phone platforms.
	nOrgs := max(6, n/40)
	w.orgs = make([]simOrg, nOrgs+1)
	for o := 1; o <= nOrgs; o++ {
		kind := []uint32{kindFranceTravail, kindMissionLocale, kindDepartement, kindPartner, kindPartner, kindCapEmploi}[rng.IntN(6)]
		night := o%33 == 1
		if night {
			kind = kindEmergency
		}
		w.orgs[o] = simOrg{dept: uint32(1 + rng.IntN(w.depts)), kind: kind, night: night}
	}
	phoneOrg := func(o int) bool { return o%29 == 2 }

	// Agents, each with her own person record and household.
	w.principals = make([]simPrincipal, 1, n+n/400+n/8+3)
	for range n {
		id := uint32(len(w.principals))
		o := uint32(1 + rng.IntN(nOrgs))
		org := &w.orgs[o]
		p := simPrincipal{rate: 7 + rng.Float64()*2, overtime: rng.Float64() < 0.1}
		r := rng.Float64()
		switch {
		case org.night:
			p.role = roleNight
		case phoneOrg(int(o)):
			p.role = rolePhone
		case r < 0.15:
			p.role = roleCompany
		case r < 0.25:
			p.role = roleOrientation
		case r < 0.30 && org.kind != kindPartner:
			p.role = roleBackOffice
		}
		home := w.randomPerson(rng, org.dept)
		for w.persons[home].Staff != 0 {
			home = w.randomPerson(rng, org.dept)
		}
		pe := &w.persons[home]
		pe.Staff = id
		p.info = PrincipalInfo{Org: o, OrgKind: org.kind, Role: simRoleOf(p.role), Territory: org.dept, Identity: pe.Identity,
			Household: pe.Household, Address: pe.Address, Street: pe.Street}
		first := (pe.Address-1)*personsPerAddress + 1
		for q := first; q < first+personsPerAddress; q++ {
			if q != home && household(q) == pe.Household {
				p.family = append(p.family, q)
			}
		}
		org.staff = append(org.staff, home)
		org.agents = append(org.agents, id)
		w.principals = append(w.principals, p)
	}
	sensitive := func(q uint32) bool {
		pe := &w.persons[q]
		return pe.Staff != 0 || pe.Protected != ProtNone
	}
	// Former staff: accounts that ended before the simulation.
	for o := 1; o <= nOrgs; o++ {
		org := &w.orgs[o]
		for range 1 + len(org.agents)/8 {
			q := w.randomPerson(rng, org.dept)
			if sensitive(q) {
				continue
			}
			id := uint32(len(w.principals))
			w.persons[q].Staff = id
			pe := w.persons[q]
			w.principals = append(w.principals, simPrincipal{role: roleFormer, info: PrincipalInfo{Org: uint32(o), OrgKind: org.kind, Role: RoleAdviser,
				Territory: org.dept, Identity: pe.Identity, Household: pe.Household, Address: pe.Address, Street: pe.Street,
				End: w.start - int64(30+rng.IntN(700))*86400}})
			org.former = append(org.former, q)
		}
	}
	// The register of protected persons.
	for range max(10, len(w.persons)/2000) {
		q := uint32(1 + rng.IntN(len(w.persons)-1))
		if !sensitive(q) {
			w.persons[q].Protected = []Protection{ProtPublicFigure, ProtElected, ProtVIP}[rng.IntN(3)]
		}
	}

	// Portfolios: the persons each agent is référent of; a few protected
	// persons and former colleagues are followed too, as anyone else.
	for a := 1; a <= n; a++ {
		p := &w.principals[a]
		org := &w.orgs[p.info.Org]
		size := 60 + rng.IntN(60)
		switch p.role {
		case roleCompany:
			size = 100 + rng.IntN(200)
		case roleOrientation:
			size = 50 + rng.IntN(50)
		}
		p.portfolio = make([]uint32, 0, size+4)
		for range size {
			d := org.dept
			if rng.Float64() < 0.03 { // moved away, still followed
				d = uint32(1 + rng.IntN(w.depts))
			}
			if q := w.randomPerson(rng, d); !sensitive(q) && w.persons[q].Household != p.info.Household {
				p.portfolio = append(p.portfolio, q)
			}
		}
		if p.role == roleAdviser && rng.Float64() < 0.1 { // a small town: neighbours are followed too
			for range 2 {
				q := (p.info.Street-1)*personsPerStreet + 1 + uint32(rng.IntN(personsPerStreet))
				if w.persons[q].Address != p.info.Address && !sensitive(q) {
					p.portfolio = append(p.portfolio, q)
				}
			}
		}
	}
	advisers := func(o uint32) []uint32 {
		var out []uint32
		for _, a := range w.orgs[o].agents {
			if w.principals[a].role == roleAdviser {
				out = append(out, a)
			}
		}
		return out
	}
	for o := 1; o <= nOrgs; o++ {
		org := &w.orgs[o]
		ads := advisers(uint32(o))
		if len(ads) == 0 {
			continue
		}
		for _, q := range org.former {
			if rng.Float64() < 0.3 { // a former colleague, now a jobseeker followed here
				a := ads[rng.IntN(len(ads))]
				w.principals[a].portfolio = append(w.principals[a].portfolio, q)
				org.follow = append(org.follow, q)
			}
		}
	}
	for q := uint32(1); q < uint32(len(w.persons)); q++ {
		if w.persons[q].Protected == ProtNone || rng.Float64() >= 0.3 {
			continue
		}
		// A protected person followed by an organisation of her territory.
		for range 20 {
			o := uint32(1 + rng.IntN(nOrgs))
			if w.orgs[o].dept != w.persons[q].Territory {
				continue
			}
			if ads := advisers(o); len(ads) > 0 {
				a := ads[rng.IntN(len(ads))]
				w.principals[a].portfolio = append(w.principals[a].portfolio, q)
				w.orgs[o].follow = append(w.orgs[o].follow, q)
				break
			}
		}
	}
	for a := 1; a <= n; a++ {
		p := &w.principals[a]
		slices.Sort(p.portfolio)
		p.portfolio = slices.Compact(p.portfolio)
	}

	// Partner systems.
	for range max(2, n/400) {
		o := uint32(1 + rng.IntN(nOrgs))
		org := &w.orgs[o]
		p := simPrincipal{role: roleClient, rate: 20 + rng.Float64()*80, info: PrincipalInfo{Org: o, OrgKind: org.kind, Role: RolePartnerSystem, Territory: org.dept, Client: true}}
		for range 500 + rng.IntN(2500) {
			if q := w.randomPerson(rng, org.dept); !sensitive(q) {
				p.portfolio = append(p.portfolio, q)
			}
		}
		slices.Sort(p.portfolio)
		p.portfolio = slices.Compact(p.portfolio)
		w.principals = append(w.principals, p)
	}
	w.tasks = make([][]*Task, len(w.principals))

	used := make(map[uint32]bool)
	w.plantIncidents(rng, used)
	w.declare(rng, used)
	return w
}

// declare makes the days' legitimate explanations: bulk tasks of the back
// offices (overrunning their window within the grace), advisers' tasks
// for statistics, covers of sick colleagues, evening job-datings.
func (w *World) declare(rng *rand.Rand, used map[uint32]bool) {
	n := w.cfg.Agents
	addTask := func(t *Task) {
		w.ntasks++
		t.ID = w.ntasks
		w.tasks[t.Principal] = append(w.tasks[t.Principal], t)
	}
	for day := range w.cfg.Days {
		if w.weekend(day) {
			continue
		}
		ds := w.start + int64(day)*86400
		for a := 1; a <= n; a++ {
			if w.principals[a].role == roleBackOffice && !used[uint32(a)] {
				from := ds + int64(13+rng.IntN(2))*3600
				t := &Task{Principal: uint32(a), Purpose: purposeIndemnisation, From: from, To: from + 2*3600, Grace: 3600, Approved: true}
				addTask(t)
				w.taskByDay[day] = append(w.taskByDay[day], t)
			}
		}
		for range max(1, n/500) {
			a := uint32(1 + rng.IntN(n))
			if used[a] || w.principals[a].role != roleAdviser {
				continue
			}
			used[a] = true
			t := &Task{Principal: a, Purpose: purposeStatistique, Approved: true, From: ds + 9*3600, To: ds + 12*3600, Grace: 1800,
				Persons: map[uint32]struct{}{}}
			var list []uint32
			for range 500 + rng.IntN(2500) {
				q := w.randomPerson(rng, w.principals[a].info.Territory)
				if _, dup := t.Persons[q]; !dup {
					t.Persons[q] = struct{}{}
					list = append(list, q)
				}
			}
			addTask(t)
			w.taskLists[t.ID] = list
			w.taskByDay[day] = append(w.taskByDay[day], t)
		}
		// Covers: an adviser reads a sick colleague's portfolio for a few
		// days; the gate sees only the territory, the directory the cover.
		for range max(1, n/300) {
			a := uint32(1 + rng.IntN(n))
			p := &w.principals[a]
			if used[a] || p.role != roleAdviser {
				continue
			}
			if _, busy := w.covers[a]; busy {
				continue
			}
			for _, b := range w.orgs[p.info.Org].agents {
				if b != a && w.principals[b].role == roleAdviser {
					w.covers[a] = simDelegation{of: b, from: ds, to: ds + int64(1+rng.IntN(4))*86400}
					break
				}
			}
		}
		// Walk-ins checked in at the reception, hour by hour.
		for o := 1; o < len(w.orgs); o++ {
			org := &w.orgs[o]
			if org.night || org.kind == kindPartner {
				continue
			}
			for h := 8; h < 17; h++ {
				hour := uint64(day*24 + h)
				for range poisson(rng, 0.15*float64(len(org.agents))) {
					q := w.randomPerson(rng, org.dept)
					k := uint64(o)<<32 | uint64(q)
					if _, dup := w.visits[k]; dup {
						continue
					}
					at := ds + int64(h)*3600
					w.visits[k] = [2]int64{at - checkinBefore, at + checkinAfter}
					w.walkIns[uint64(o)<<32|hour] = append(w.walkIns[uint64(o)<<32|hour], q)
				}
			}
		}
		// Evening job-datings: attendees registered, read from 17:00 to 21:00.
		for range max(1, n/400) {
			o := uint32(1 + rng.IntN(len(w.orgs)-1))
			org := &w.orgs[o]
			if org.night || org.kind == kindPartner {
				continue
			}
			ev := simEvent{org: o, from: ds + 18*3600, to: ds + 21*3600}
			for range 20 + rng.IntN(20) {
				q := w.randomPerson(rng, org.dept)
				ev.attendees = append(ev.attendees, q)
				w.visits[uint64(o)<<32|uint64(q)] = [2]int64{ev.from - eventMargin, ev.to + eventMargin}
			}
			w.jobDatings[day] = append(w.jobDatings[day], ev)
		}
	}
}

func simRoleOf(r role) Role {
	switch r {
	case roleCompany:
		return RoleCompanyAdviser
	case roleClient:
		return RolePartnerSystem
	case rolePhone:
		return RolePhonePlatform
	case roleBackOffice:
		return RoleBackOffice
	}
	return RoleAdviser
}

func (w *World) randomPerson(rng *rand.Rand, dept uint32) uint32 {
	lo, hi := w.deptStart[dept], w.deptStart[dept+1]
	return lo + uint32(rng.IntN(int(hi-lo)))
}

func (w *World) weekend(day int) bool {
	wd := time.Unix(w.start+int64(day)*86400, 0).UTC().Weekday()
	return wd == time.Saturday || wd == time.Sunday
}

// workday returns a weekday index in [0, Days), preferring one at or after
// want.
func (w *World) workday(want int) int {
	for d := want; d < w.cfg.Days; d++ {
		if !w.weekend(d) {
			return d
		}
	}
	for d := want - 1; d >= 0; d-- {
		if !w.weekend(d) {
			return d
		}
	}
	return want
}
