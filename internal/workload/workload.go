// Package workload writes an evaluation workload for misuse detection: a
// network of organisations, staff and persons working for a few weeks, with
// planted misuse, as the labelled JSON lines of docs/detect-events.md.
//
// It is written apart from the detector and imports nothing of it: it knows
// only the file format. Its legitimate traffic is full of what makes a naive
// detector cry wolf (households whose members have different surnames, phone
// platforms answering calls from a whole region, back-office bulk work that
// overruns its declaration, evening job-datings, homonyms in search results,
// partner systems syncing at night, colleagues covering a sick adviser,
// walk-ins at the reception), and its misuse often hides inside a real
// relationship (a référent reading a relative she follows).
package workload

import (
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"time"
)

// Config sizes a workload.
type Config struct {
	Seed   uint64
	Staff  int       // principals (agents and partner systems), at least 50
	Days   int       // calendar days, from Start
	Start  time.Time // a Monday, midnight Europe/Paris
	Depts  []string  // département codes; defaults to twenty real ones
	Misuse float64   // planted incidents per principal over the period (default 0.04)
}

// Stats counts what was written.
type Stats struct {
	Principals, Persons, Accesses int
	Incidents                     map[string]int
}

var defaultDepts = []string{"01", "06", "13", "31", "33", "34", "35", "38", "44", "57", "59", "62", "67", "69", "75", "76", "77", "92", "93", "974"}

// paris is a fixed winter offset: the default period is in February, and a
// fixed zone keeps the output identical on machines without tzdata.
var paris = time.FixedZone("CET", 3600)

// DefaultStart is Monday 2 February 2026.
var DefaultStart = time.Date(2026, 2, 2, 0, 0, 0, 0, paris)

type org struct {
	id, kind, dept string
	region         []string // departments a phone platform answers for
	staff          []*principal
	followed       []*person
	partner        *principal
}

type principal struct {
	id, role  string
	org       *org
	self      *person // her own person record, when she is one
	former    bool
	start     time.Time
	endDay    string
	early     bool // habitually starts at 7:30
	late      bool // habitually stays until 19:00
	folio     []*person
	sickFrom  int // first sick day (day index), -1 when never sick
	sickDays  int
	coveredBy *principal
}

type person struct {
	id, dept, surname string
	household         *household
	protected         string
	staffOf           *principal
}

type household struct {
	id, address, street string
	members             []*person
}

type access struct {
	t          time.Time
	principal  *principal
	action     string
	persons    []*person
	purpose    string
	expl       string
	allowed    bool
	breakGlass bool
	task       string
	callRef    string
	remote     string
	categories []string
	label      string
	incident   string
}

type gen struct {
	cfg       Config
	r         *rand.Rand
	orgs      []*org
	byDept    map[string][]*org
	persons   []*person
	personsBy map[string][]*person // by department
	staff     []*principal
	surnames  map[string][]*person
	lines     []any
	accesses  []access
	stats     Stats
	seq       int
}

// Generate writes the workload to w.
func Generate(cfg Config, w io.Writer) (Stats, error) {
	if cfg.Staff < 50 {
		return Stats{}, fmt.Errorf("workload: at least 50 staff, got %d", cfg.Staff)
	}
	if cfg.Days < 1 {
		return Stats{}, fmt.Errorf("workload: at least one day, got %d", cfg.Days)
	}
	if cfg.Start.IsZero() {
		cfg.Start = DefaultStart
	}
	cfg.Start = cfg.Start.In(paris)
	if len(cfg.Depts) == 0 {
		cfg.Depts = defaultDepts
	}
	if cfg.Misuse <= 0 {
		cfg.Misuse = 0.04
	}
	g := &gen{
		cfg: cfg, r: rand.New(rand.NewPCG(cfg.Seed, 0x5eed)),
		byDept: map[string][]*org{}, personsBy: map[string][]*person{}, surnames: map[string][]*person{},
		stats: Stats{Incidents: map[string]int{}},
	}
	g.buildNetwork()
	g.legitimateWork()
	g.plantMisuse()
	return g.stats, g.write(w)
}

func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

func (g *gen) pick(n int) int { return g.r.IntN(n) }

func (g *gen) nextID(prefix string) string {
	g.seq++
	return fmt.Sprintf("%s_%d", prefix, g.seq)
}

func (g *gen) hash(kind string) string { return fmt.Sprintf("h:%s%x", kind, g.r.Uint64()) }

// day returns midnight of day d.
func (g *gen) day(d int) time.Time { return g.cfg.Start.AddDate(0, 0, d) }

func (g *gen) workday(d int) bool {
	wd := g.day(d).Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// at returns day d at hh:mm plus a random number of seconds below spread.
func (g *gen) at(d, hh, mm int, spread time.Duration) time.Time {
	t := g.day(d).Add(time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute)
	if spread > 0 {
		t = t.Add(time.Duration(g.r.Int64N(int64(spread))))
	}
	return t
}

// officeTime returns a time within p's usual working hours on day d.
func (g *gen) officeTime(p *principal, d int) time.Time {
	startMin, endMin := 8*60+30, 17*60+30
	if p.early {
		startMin = 7*60 + 30
	}
	if p.late {
		endMin = 19 * 60
	}
	m := startMin + g.pick(endMin-startMin)
	if m >= 12*60 && m < 13*60+30 && g.chance(0.7) { // lunch is quieter
		m += 90
	}
	return g.day(d).Add(time.Duration(m)*time.Minute + time.Duration(g.pick(60))*time.Second)
}

var surnamePool = []string{"Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau", "Laurent", "Simon", "Michel", "Lefebvre", "Leroy", "Roux", "David", "Bertrand", "Morel", "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent", "Muller", "Lefevre", "Faure", "Andre", "Mercier", "Blanc", "Guerin", "Boyer", "Garnier", "Chevalier", "Francois", "Legrand", "Gauthier", "Garcia", "Perrin", "Robin", "Clement", "Morin", "Nicolas", "Henry", "Roussel", "Mathieu", "Gautier", "Masson", "Marchand", "Duval", "Denis", "Dumont", "Marie", "Lemaire", "Noel", "Meyer", "Dufour", "Meunier", "Brun", "Blanchard", "Giraud", "Joly", "Riviere", "Lucas", "Brunet", "Gaillard", "Barbier", "Arnaud", "Martinez", "Gerard", "Roche", "Renard", "Schmitt", "Roy", "Leroux", "Colin", "Vidal", "Caron", "Picard", "Roger", "Fabre", "Aubert", "Lemoine", "Renaud", "Dumas", "Lacroix", "Olivier", "Philippe", "Bourgeois", "Pierre", "Benoit", "Rey", "Leclerc", "Payet", "Rolland", "Leclercq", "Guillaume", "Lecomte", "Diallo", "Traore", "Nguyen", "Benali", "Haddad", "Kone", "Mendes", "Da Silva", "Ferreira", "Cohen"}

func (g *gen) newHousehold(dept string, streets []string) *household {
	return &household{id: g.nextID("hh"), address: g.hash("a"), street: streets[g.pick(len(streets))]}
}

func (g *gen) newPerson(dept, surname string, h *household) *person {
	p := &person{id: g.nextID("per"), dept: dept, surname: surname, household: h}
	h.members = append(h.members, p)
	g.persons = append(g.persons, p)
	g.personsBy[dept] = append(g.personsBy[dept], p)
	g.surnames[surname] = append(g.surnames[surname], p)
	return p
}

// populate creates n persons of dept in households of one to four, whose
// members have different surnames in about a third of the larger ones.
func (g *gen) populate(dept string, n int, streets []string) {
	for made := 0; made < n; {
		h := g.newHousehold(dept, streets)
		size := 1 + g.pick(4)
		base := surnamePool[g.pick(len(surnamePool))]
		for i := 0; i < size && made < n; i++ {
			s := base
			if i > 0 && g.chance(0.35) {
				s = surnamePool[g.pick(len(surnamePool))]
			}
			g.newPerson(dept, s, h)
			made++
		}
	}
}

func (g *gen) buildNetwork() {
	depts := g.cfg.Depts
	streets := map[string][]string{}
	for _, d := range depts {
		for i := 0; i < 40; i++ {
			streets[d] = append(streets[d], g.hash("s"))
		}
	}
	kinds := []string{"france_travail", "france_travail", "mission_locale", "departement", "cap_emploi", "plie", "partner"}
	for _, d := range depts {
		for _, k := range kinds {
			o := &org{id: g.nextID("org"), kind: k, dept: d}
			g.orgs = append(g.orgs, o)
			g.byDept[d] = append(g.byDept[d], o)
		}
	}
	// Two phone platforms, each answering for half of the departments.
	half := len(depts) / 2
	for _, region := range [][]string{depts[:half], depts[half:]} {
		o := &org{id: g.nextID("org"), kind: "france_travail", dept: region[0], region: region}
		g.orgs = append(g.orgs, o)
	}
	// Staff: roles by weight; partner organisations get a system each.
	for _, o := range g.orgs {
		if o.kind == "partner" || o.kind == "departement" || o.kind == "mission_locale" {
			sys := &principal{id: g.nextID("cli"), role: "partner_system", org: o, sickFrom: -1}
			o.partner = sys
			o.staff = append(o.staff, sys)
			g.staff = append(g.staff, sys)
		}
	}
	platforms := g.orgs[len(g.orgs)-2:]
	for len(g.staff) < g.cfg.Staff {
		var o *org
		role := "adviser"
		switch x := g.r.Float64(); {
		case x < 0.09:
			o, role = platforms[g.pick(2)], "phone_platform"
		case x < 0.15:
			role = "back_office"
		case x < 0.20:
			role = "company_adviser"
		case x < 0.23:
			role = "manager"
		}
		if o == nil {
			o = g.orgs[g.pick(len(g.orgs)-2)]
		}
		p := &principal{id: g.nextID("agt"), role: role, org: o, sickFrom: -1,
			early: g.chance(0.12), late: g.chance(0.1), start: g.cfg.Start.AddDate(-1-g.pick(8), -g.pick(12), 0)}
		o.staff = append(o.staff, p)
		g.staff = append(g.staff, p)
	}
	// Persons: portfolios for advisers, plus the department's unfollowed.
	for _, d := range depts {
		n := 0
		for _, o := range g.byDept[d] {
			for _, p := range o.staff {
				if p.role == "adviser" {
					n += 60 + g.pick(80)
				}
			}
		}
		g.populate(d, n*13/10+200, streets[d])
	}
	// Follow-ups: each adviser's portfolio is drawn from her department;
	// some persons are followed by two organisations.
	used := map[*person]int{}
	for _, o := range g.orgs {
		pool := g.personsBy[o.dept]
		for _, p := range o.staff {
			if p.role != "adviser" {
				continue
			}
			size := 60 + g.pick(80)
			for len(p.folio) < size {
				per := pool[g.pick(len(pool))]
				if used[per] > 1 || (used[per] == 1 && !g.chance(0.1)) {
					continue
				}
				used[per]++
				p.folio = append(p.folio, per)
				o.followed = append(o.followed, per)
			}
		}
	}
	// Some staff are persons of the network too, with their households;
	// former staff keep their person record.
	for _, p := range g.staff {
		if p.role == "partner_system" {
			continue
		}
		if g.chance(0.3) {
			pool := g.personsBy[p.org.dept]
			p.self = pool[g.pick(len(pool))]
			if p.self.staffOf != nil {
				p.self = nil
				continue
			}
			p.self.staffOf = p
		}
	}
	formers := g.cfg.Staff / 30
	for i := 0; i < formers; i++ {
		o := g.orgs[g.pick(len(g.orgs)-2)]
		pool := g.personsBy[o.dept]
		self := pool[g.pick(len(pool))]
		if self.staffOf != nil {
			continue
		}
		end := g.cfg.Start.AddDate(0, -1-g.pick(10), -g.pick(25))
		f := &principal{id: g.nextID("agt"), role: "adviser", org: o, self: self, former: true, sickFrom: -1,
			start: end.AddDate(-3, 0, 0), endDay: end.Format(time.DateOnly)}
		self.staffOf = f
		o.staff = append(o.staff, f)
		g.staff = append(g.staff, f)
	}
	// Protected persons: a few per thousand, some of them followed.
	for _, per := range g.persons {
		if per.staffOf == nil && g.chance(0.003) {
			per.protected = []string{"public_figure", "elected", "elected", "vip"}[g.pick(4)]
		}
	}
	// Staff relatives who asked for protection.
	for _, p := range g.staff {
		if p.self != nil && g.chance(0.1) {
			for _, m := range p.self.household.members {
				if m != p.self && m.protected == "" {
					m.protected = "staff_relative"
				}
			}
		}
	}
	// Sick leave: a few advisers are away three to five workdays; a
	// colleague of the same organisation covers their portfolio.
	for _, o := range g.orgs {
		var advisers []*principal
		for _, p := range o.staff {
			if p.role == "adviser" && !p.former {
				advisers = append(advisers, p)
			}
		}
		if len(advisers) < 2 {
			continue
		}
		for _, p := range advisers {
			if g.chance(0.06) && g.cfg.Days > 5 {
				p.sickFrom, p.sickDays = g.pick(g.cfg.Days-4), 3+g.pick(3)
				for p.coveredBy = advisers[g.pick(len(advisers))]; p.coveredBy == p; p.coveredBy = advisers[g.pick(len(advisers))] {
				}
				g.lines = append(g.lines, map[string]any{"type": "delegation", "principal": p.coveredBy.id, "of": p.id,
					"from": g.day(p.sickFrom).Format(time.DateOnly), "to": g.day(p.sickFrom + p.sickDays + 1).Format(time.DateOnly)})
			}
		}
	}
}

func (p *principal) sick(d int) bool {
	return p.sickFrom >= 0 && d >= p.sickFrom && d <= p.sickFrom+p.sickDays
}

func (g *gen) office(o *org) string { return "h:office-" + o.id }

func (g *gen) add(a access) {
	if a.remote == "" {
		a.remote = g.office(a.principal.org)
	}
	if a.purpose == "" {
		a.purpose = "accompagnement"
	}
	if a.label == "" {
		a.label = "legit"
	}
	if a.categories == nil {
		a.categories = []string{"identity", "contact", "parcours"}
	}
	g.accesses = append(g.accesses, a)
}

func (g *gen) read(p *principal, t time.Time, per *person, expl string) access {
	return access{t: t, principal: p, action: "read", persons: []*person{per}, expl: expl, allowed: true}
}

// homonymsOf returns up to n persons of the same surname as per, per first.
func (g *gen) homonymsOf(per *person, n int) []*person {
	out := []*person{per}
	for _, h := range g.surnames[per.surname] {
		if len(out) >= n {
			break
		}
		if h != per {
			out = append(out, h)
		}
	}
	return out
}

func (g *gen) legitimateWork() {
	for d := 0; d < g.cfg.Days; d++ {
		for _, o := range g.orgs {
			g.jobDating(o, d)
		}
		for _, p := range g.staff {
			if p.former {
				continue
			}
			switch p.role {
			case "adviser":
				g.adviserDay(p, d)
			case "phone_platform":
				g.platformDay(p, d)
			case "back_office":
				g.backOfficeDay(p, d)
			case "company_adviser":
				g.companyAdviserDay(p, d)
			case "manager":
				g.managerDay(p, d)
			case "partner_system":
				g.partnerNight(p, d)
			}
		}
	}
}

func (g *gen) adviserDay(p *principal, d int) {
	if !g.workday(d) || p.sick(d) || len(p.folio) == 0 || g.chance(0.08) {
		return
	}
	reads := 12 + g.pick(25)
	lateToday := g.chance(0.03) // an occasional long day
	for i := 0; i < reads; i++ {
		per := p.folio[g.pick(len(p.folio))]
		t := g.officeTime(p, d)
		if lateToday && i > reads-4 {
			t = g.at(d, 19, 0, 75*time.Minute)
		}
		if g.chance(0.25) { // found by a name search first: homonyms come back too
			g.add(access{t: t.Add(-20 * time.Second), principal: p, action: "search", persons: g.homonymsOf(per, 1+g.pick(8)), expl: "followup", allowed: true})
		}
		g.add(g.read(p, t, per, "referent"))
		if g.chance(0.1) && len(per.household.members) > 1 { // the household's other members, followed too
			for _, m := range per.household.members {
				if m != per && slices.Contains(p.folio, m) {
					g.add(g.read(p, t.Add(time.Minute), m, "referent"))
				}
			}
		}
	}
	// Persons of the organisation she does not follow herself.
	for i := g.pick(4); i > 0 && len(p.org.followed) > 0; i-- {
		g.add(g.read(p, g.officeTime(p, d), p.org.followed[g.pick(len(p.org.followed))], "followup"))
	}
	// Walk-ins at the reception: a check-in, then the file.
	for i := g.pick(3); i > 0; i-- {
		pool := g.personsBy[p.org.dept]
		per := pool[g.pick(len(pool))]
		t := g.officeTime(p, d)
		g.lines = append(g.lines, map[string]any{"type": "checkin", "org": p.org.id, "person": per.id, "time": t.Add(-time.Duration(2+g.pick(25)) * time.Minute).Format(time.RFC3339)})
		g.add(access{t: t, principal: p, action: "lookup", persons: []*person{per}, expl: "lookup", allowed: true, purpose: "orientation"})
		g.add(g.read(p, t.Add(30*time.Second), per, "territory"))
	}
	// A wrong click now and then: refused.
	if g.chance(0.05) {
		pool := g.personsBy[p.org.dept]
		g.add(access{t: g.officeTime(p, d), principal: p, action: "read", persons: []*person{pool[g.pick(len(pool))]}, expl: "none", allowed: false})
	}
	// Covering a sick colleague's portfolio.
	for _, c := range p.org.staff {
		if c.coveredBy == p && c.sick(d) {
			for i := 8 + g.pick(12); i > 0; i-- {
				g.add(g.read(p, g.officeTime(p, d), c.folio[g.pick(len(c.folio))], "delegation"))
			}
		}
	}
	// A rare emergency outside the rules, justified.
	if g.chance(0.002) {
		pool := g.personsBy[p.org.dept]
		g.add(access{t: g.officeTime(p, d), principal: p, action: "read", persons: []*person{pool[g.pick(len(pool))]}, expl: "break_glass", allowed: true, breakGlass: true})
	}
}

func (g *gen) platformDay(p *principal, d int) {
	if !g.workday(d) || g.chance(0.1) {
		return
	}
	region := p.org.region
	for calls := 35 + g.pick(35); calls > 0; calls-- {
		pool := g.personsBy[region[g.pick(len(region))]]
		per := pool[g.pick(len(pool))]
		t := g.officeTime(p, d)
		ref := fmt.Sprintf("call-%d", g.r.Uint32())
		g.add(access{t: t, principal: p, action: "lookup", persons: []*person{per}, expl: "lookup", allowed: true, callRef: ref, purpose: "information"})
		g.add(access{t: t.Add(40 * time.Second), principal: p, action: "read", persons: []*person{per}, expl: "territory", allowed: true, callRef: ref, purpose: "information"})
	}
}

func (g *gen) backOfficeDay(p *principal, d int) {
	if !g.workday(d) || !g.chance(0.4) {
		return
	}
	pool := g.personsBy[p.org.dept]
	n := 80 + g.pick(300)
	start := g.at(d, 9+g.pick(4), 0, 30*time.Minute)
	end := start.Add(2 * time.Hour)
	id := g.nextID("task")
	persons := map[*person]bool{}
	for len(persons) < n && len(persons) < len(pool) {
		persons[pool[g.pick(len(pool))]] = true
	}
	var ids []string
	var list []*person
	for _, per := range pool {
		if persons[per] {
			ids = append(ids, per.id)
			list = append(list, per)
		}
	}
	overrun := g.chance(0.3) // the work takes longer than declared, within the grace
	g.lines = append(g.lines, map[string]any{"type": "task", "id": id, "principal": p.id, "purpose": "indemnisation", "persons": ids,
		"from": start.Format(time.RFC3339), "to": end.Format(time.RFC3339), "grace_minutes": 60, "approved": true})
	span := end.Sub(start)
	if overrun {
		span += 40 * time.Minute
	}
	for i, per := range list {
		t := start.Add(span * time.Duration(i) / time.Duration(len(list)))
		g.add(access{t: t, principal: p, action: "read", persons: []*person{per}, expl: "territory", allowed: true, task: id, purpose: "indemnisation"})
	}
}

func (g *gen) companyAdviserDay(p *principal, d int) {
	if !g.workday(d) || g.chance(0.2) {
		return
	}
	pool := g.personsBy[p.org.dept]
	for i := 1 + g.pick(3); i > 0; i-- {
		var list []*person
		for j := 10 + g.pick(20); j > 0; j-- {
			list = append(list, pool[g.pick(len(pool))])
		}
		t := g.officeTime(p, d)
		g.add(access{t: t, principal: p, action: "match", persons: list, expl: "territory", allowed: true, purpose: "mise_en_relation", categories: []string{"identity", "skills"}})
		for _, per := range list[:2+g.pick(3)] {
			g.add(access{t: t.Add(time.Duration(1+g.pick(20)) * time.Minute), principal: p, action: "read", persons: []*person{per}, expl: "proposal", allowed: true, purpose: "mise_en_relation", categories: []string{"identity", "skills"}})
		}
	}
}

func (g *gen) managerDay(p *principal, d int) {
	if !g.workday(d) || len(p.org.followed) == 0 {
		return
	}
	for i := 5 + g.pick(20); i > 0; i-- {
		g.add(g.read(p, g.officeTime(p, d), p.org.followed[g.pick(len(p.org.followed))], "followup"))
	}
}

// partnerNight: the partner's software syncs, at night, the files of the
// persons its organisation follows that changed.
func (g *gen) partnerNight(p *principal, d int) {
	o := p.org
	if len(o.followed) == 0 {
		return
	}
	n := len(o.followed) / (8 + g.pick(10))
	start := g.at(d, 2, 0, 40*time.Minute)
	for i := 0; i < n; i++ {
		g.add(access{t: start.Add(time.Duration(i) * 700 * time.Millisecond), principal: p, action: "read",
			persons: []*person{o.followed[g.pick(len(o.followed))]}, expl: "followup", allowed: true, remote: "h:partner-" + o.id})
	}
}

// jobDating: an evening collective event; the organisers open the files of
// the persons who registered, most of whom their organisation does not follow.
func (g *gen) jobDating(o *org, d int) {
	if !g.workday(d) || !g.chance(0.02) || len(o.region) > 0 {
		return
	}
	var organisers []*principal
	for _, p := range o.staff {
		if p.role == "adviser" && !p.former && !p.sick(d) {
			organisers = append(organisers, p)
		}
	}
	if len(organisers) == 0 {
		return
	}
	pool := g.personsBy[o.dept]
	var attendees []*person
	var ids []string
	for i := 20 + g.pick(25); i > 0; i-- {
		per := pool[g.pick(len(pool))]
		attendees = append(attendees, per)
		ids = append(ids, per.id)
	}
	from, to := g.at(d, 18, 0, 0), g.at(d, 21, 0, 0)
	id := g.nextID("evt")
	g.lines = append(g.lines, map[string]any{"type": "event_attendance", "event": id, "org": o.id, "persons": ids, "from": from.Format(time.RFC3339), "to": to.Format(time.RFC3339)})
	for _, per := range attendees {
		p := organisers[g.pick(len(organisers))]
		t := from.Add(time.Duration(g.r.Int64N(int64(to.Sub(from)))))
		g.add(access{t: t, principal: p, action: "read", persons: []*person{per}, expl: "territory", allowed: true, remote: "h:event-" + id})
	}
}
