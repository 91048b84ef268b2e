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

// role is what an agent does all day, which shapes her legitimate traffic.
type role uint8

const (
	roleAdviser     role = iota // follows a portfolio of persons
	roleCompany                 // company adviser: views candidates proposed on offers
	roleOrientation             // orientation: views persons oriented to the organisation
	roleNight                   // night-shift team (emergency housing, helpline)
	roleClient                  // a partner system syncing the persons its organisation follows
)

// Purposes of the simulated stream, as interned purpose indexes.
const (
	purposeAccompagnement uint8 = 1 + iota
	purposeOrientation
	purposeMiseEnRelation
	purposeStatistique
)

// PurposeNames are the purpose codes behind the simulated purpose indexes.
var PurposeNames = []string{"", "accompagnement", "orientation", "mise_en_relation", "statistique"}

// personsPerStreet and personsPerAddress shape the simulated geography:
// persons are numbered so that consecutive ones share an address and a
// street.
const (
	personsPerStreet  = 40
	personsPerAddress = 4
	personsPerAgent   = 40
	surnames          = 30000
)

type simOrg struct {
	dept    uint16
	partner bool
	night   bool
	agents  []uint32
	staff   []uint32 // persons who are agents of this organisation
	former  []uint32 // persons who used to be
}

type simPrincipal struct {
	info      PrincipalInfo
	role      role
	overtime  bool
	rate      float64 // events per working hour
	portfolio []uint32
	family    []uint32
}

// Incident is one planted misuse: a principal, a scenario, the day it
// starts and the events it produced.
type Incident struct {
	Scenario  Scenario
	Principal uint32
	Day       int
	Events    int
}

// World is a simulated network: organisations, agents and partner systems,
// persons with homes and sensitive sets, relationships, bulk tasks and the
// planted misuse. It implements Directory.
type World struct {
	cfg        SimConfig
	start      int64
	depts      int
	orgs       []simOrg       // index = org id; 0 unused
	principals []simPrincipal // index = principal id; 0 unused
	persons    []PersonInfo   // index = person id; 0 unused
	deptStart  []uint32       // persons of dept d are [deptStart[d], deptStart[d+1])
	tasks      []*Task        // index = task id; 0 unused
	taskLists  [][]uint32     // each task's persons, in a stable order
	taskByDay  map[int][]uint32
	incidents  []Incident
	planted    []Event // misuse events, sorted by time, without ids
	plantedLab []Scenario
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

// Task implements Directory.
func (w *World) Task(id uint32) *Task {
	if int(id) < len(w.tasks) {
		return w.tasks[id]
	}
	return nil
}

// Incidents returns the planted misuse.
func (w *World) Incidents() []Incident { return w.incidents }

// Principals returns the number of principals (agents and partner systems).
func (w *World) Principals() int { return len(w.principals) - 1 }

// Persons returns the number of persons.
func (w *World) Persons() int { return len(w.persons) - 1 }

// NewWorld builds the world of cfg, deterministically.
func NewWorld(cfg SimConfig) *World {
	cfg = cfg.withDefaults()
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x50c1e))
	w := &World{cfg: cfg, start: cfg.Start.Unix(), taskByDay: map[int][]uint32{}}
	n := cfg.Agents

	// Persons, département by département, consecutive ones sharing an
	// address and a street.
	w.depts = min(96, max(4, n/200))
	perDept := (n*personsPerAgent/w.depts + personsPerStreet - 1) / personsPerStreet * personsPerStreet
	w.persons = make([]PersonInfo, 1, w.depts*perDept+1)
	w.deptStart = make([]uint32, w.depts+2)
	zipf := rand.NewZipf(rng, 1.1, 1, surnames-1)
	for d := 1; d <= w.depts; d++ {
		w.deptStart[d] = uint32(len(w.persons))
		for range perDept {
			p := uint32(len(w.persons))
			w.persons = append(w.persons, PersonInfo{
				Dept:    uint16(d),
				Surname: uint32(zipf.Uint64()) + 1,
				Address: (p-1)/personsPerAddress + 1,
				Street:  (p-1)/personsPerStreet + 1,
			})
		}
	}
	w.deptStart[w.depts+1] = uint32(len(w.persons))

	// Organisations; a few work at night.
	nOrgs := max(4, n/40)
	w.orgs = make([]simOrg, nOrgs+1)
	for o := 1; o <= nOrgs; o++ {
		w.orgs[o] = simOrg{dept: uint16(1 + rng.IntN(w.depts)), partner: rng.Float64() < 0.3, night: o%33 == 1}
	}

	// Agents.
	w.principals = make([]simPrincipal, 1, n+n/500+3)
	advisersByDept := make([][]uint32, w.depts+1)
	for range n {
		id := uint32(len(w.principals))
		o := uint32(1 + rng.IntN(nOrgs))
		org := &w.orgs[o]
		p := simPrincipal{rate: 7 + rng.Float64()*2, overtime: rng.Float64() < 0.1}
		switch r := rng.Float64(); {
		case org.night:
			p.role = roleNight
		case r < 0.15:
			p.role = roleCompany
		case r < 0.25:
			p.role = roleOrientation
		}
		home := w.randomPerson(rng, org.dept)
		p.info = PrincipalInfo{Org: o, Dept: org.dept, Surname: uint32(zipf.Uint64()) + 1,
			Address: w.persons[home].Address, Street: w.persons[home].Street}
		if rng.Float64() < 0.6 { // relatives living with the agent
			first := (p.info.Address-1)*personsPerAddress + 1
			for k := range 1 + rng.IntN(2) {
				q := first + uint32(k)
				if q != home && int(q) < len(w.persons) {
					w.persons[q].Surname = p.info.Surname
					p.family = append(p.family, q)
				}
			}
		}
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
				d = uint16(1 + rng.IntN(w.depts))
			}
			p.portfolio = append(p.portfolio, w.randomPerson(rng, d))
		}
		if p.role == roleAdviser && rng.Float64() < 0.1 { // a small town: neighbours are followed too
			for range 2 {
				q := (p.info.Street-1)*personsPerStreet + 1 + uint32(rng.IntN(personsPerStreet))
				if w.persons[q].Address != p.info.Address {
					p.portfolio = append(p.portfolio, q)
				}
			}
		}
		if rng.Float64() < 0.3 { // the agent once had a file as a jobseeker
			q := w.randomPerson(rng, org.dept)
			if w.persons[q].StaffOrg == 0 && w.persons[q].Address != p.info.Address {
				w.persons[q].StaffOrg = o
				org.staff = append(org.staff, q)
			}
		}
		org.agents = append(org.agents, id)
		if p.role == roleAdviser || p.role == roleNight {
			advisersByDept[org.dept] = append(advisersByDept[org.dept], id)
		}
		w.principals = append(w.principals, p)
	}

	// Former employees, some of them now followed by their former
	// colleagues; public figures, a few of them followed.
	for o := 1; o <= nOrgs; o++ {
		org := &w.orgs[o]
		for range 1 + len(org.agents)/8 {
			q := w.randomPerson(rng, org.dept)
			if w.persons[q].StaffOrg != 0 || w.persons[q].FormerOrg != 0 {
				continue
			}
			w.persons[q].FormerOrg = uint32(o)
			org.former = append(org.former, q)
			if len(org.agents) > 0 && rng.Float64() < 0.3 {
				a := org.agents[rng.IntN(len(org.agents))]
				w.principals[a].portfolio = append(w.principals[a].portfolio, q)
			}
		}
		if len(org.staff) == 0 {
			q := w.randomPerson(rng, org.dept)
			w.persons[q].StaffOrg = uint32(o)
			org.staff = append(org.staff, q)
		}
	}
	for range max(10, len(w.persons)/2000) {
		q := uint32(1 + rng.IntN(len(w.persons)-1))
		w.persons[q].Public = true
		if ads := advisersByDept[w.persons[q].Dept]; len(ads) > 0 && rng.Float64() < 0.2 {
			a := ads[rng.IntN(len(ads))]
			w.principals[a].portfolio = append(w.principals[a].portfolio, q)
		}
	}

	// A later agent living at the same address may have renamed a relative:
	// keep only the relatives who still share the agent's surname.
	for i := 1; i < len(w.principals); i++ {
		p := &w.principals[i]
		p.family = slices.DeleteFunc(p.family, func(q uint32) bool { return w.persons[q].Surname != p.info.Surname })
	}

	// Partner systems.
	for range max(2, n/500) {
		o := uint32(1 + rng.IntN(nOrgs))
		org := &w.orgs[o]
		p := simPrincipal{role: roleClient, rate: 20 + rng.Float64()*80, info: PrincipalInfo{Org: o, Dept: org.dept, Client: true}}
		for range 500 + rng.IntN(2500) {
			p.portfolio = append(p.portfolio, w.randomPerson(rng, org.dept))
		}
		w.principals = append(w.principals, p)
	}

	used := make(map[uint32]bool)
	w.plantIncidents(rng, used)

	// Declared bulk tasks: a few advisers a day read a listed population
	// for statistics, approved beforehand.
	w.tasks = []*Task{nil}
	w.taskLists = [][]uint32{nil}
	for day := range cfg.Days {
		if w.weekend(day) {
			continue
		}
		for range max(1, n/500) {
			a := uint32(1 + rng.IntN(n))
			if used[a] || w.principals[a].role != roleAdviser {
				continue
			}
			used[a] = true
			t := &Task{ID: uint32(len(w.tasks)), Principal: a, Purpose: purposeStatistique, Approved: true,
				From: w.start + int64(day)*86400 + 9*3600, To: w.start + int64(day)*86400 + 12*3600, Persons: map[uint32]struct{}{}}
			var list []uint32
			for range 500 + rng.IntN(2500) {
				q := w.randomPerson(rng, w.principals[a].info.Dept)
				if _, dup := t.Persons[q]; !dup {
					t.Persons[q] = struct{}{}
					list = append(list, q)
				}
			}
			w.tasks = append(w.tasks, t)
			w.taskLists = append(w.taskLists, list)
			w.taskByDay[day] = append(w.taskByDay[day], t.ID)
		}
	}
	return w
}

func (w *World) randomPerson(rng *rand.Rand, dept uint16) uint32 {
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
