package workload

import (
	"fmt"
	"time"
)

// scenario plants one incident for a principal; it reports false when the
// principal does not fit (no colleague with a person record, no household…).
type scenario struct {
	label  string
	weight int
	plant  func(g *gen, p *principal, inc string) bool
}

var scenarios = []scenario{
	{"colleague", 3, plantColleague},
	{"former_employee", 2, plantFormerEmployee},
	{"public_figure", 2, plantPublicFigure},
	{"family", 3, plantFamily},
	{"neighbour", 2, plantNeighbour},
	{"off_hours", 2, plantOffHours},
	{"out_of_territory", 2, plantOutOfTerritory},
	{"mass_fast", 1, plantMassFast},
	{"mass_slow", 2, plantMassSlow},
	{"conflict", 1, plantConflict},
}

func (g *gen) plantMisuse() {
	var active, systems []*principal
	for _, p := range g.staff {
		switch {
		case p.former:
		case p.role == "partner_system":
			systems = append(systems, p)
		default:
			active = append(active, p)
		}
	}
	total := 0
	for _, s := range scenarios {
		total += s.weight
	}
	want := int(float64(len(g.staff))*g.cfg.Misuse + 0.5)
	if want < len(scenarios) {
		want = len(scenarios)
	}
	used := map[*principal]bool{}
	for planted, tries := 0, 0; planted < want && tries < want*200; tries++ {
		inc := fmt.Sprintf("inc_%d", planted+1)
		// A partner system extracting beyond its population, now and then.
		if g.chance(0.05) && len(systems) > 0 {
			p := systems[g.pick(len(systems))]
			before := len(g.accesses)
			if !used[p] && plantPartnerExtraction(g, p, inc) && len(g.accesses) > before {
				used[p] = true
				g.stats.Incidents["mass_slow"]++
				planted++
			}
			continue
		}
		w := g.pick(total)
		var s scenario
		for _, s = range scenarios {
			if w < s.weight {
				break
			}
			w -= s.weight
		}
		p := active[g.pick(len(active))]
		before := len(g.accesses)
		if used[p] || !s.plant(g, p, inc) || len(g.accesses) == before {
			continue
		}
		used[p] = true
		g.stats.Incidents[s.label]++
		planted++
	}
}

// misuse returns an access labelled as part of incident inc.
func misuse(a access, label, inc string) access {
	a.label, a.incident = label, inc
	return a
}

// workdays returns n workdays starting at a random one.
func (g *gen) workdays(n int) []int {
	var out []int
	for d := g.pick(g.cfg.Days); len(out) < n && d < g.cfg.Days+14; d++ {
		if d < g.cfg.Days && g.workday(d) {
			out = append(out, d)
		}
	}
	return out
}

// explanationFor is what the gate would have said for p reading per: the
// relationship if there is one, else a lookup or the territory.
func (g *gen) explanationFor(p *principal, per *person) string {
	for _, f := range p.folio {
		if f == per {
			return "referent"
		}
	}
	for _, f := range p.org.followed {
		if f == per {
			return "followup"
		}
	}
	if per.dept != p.org.dept {
		return "lookup"
	}
	if g.chance(0.5) {
		return "lookup"
	}
	return "territory"
}

// pry reads target a few times over a few days, sometimes after finding
// her with a name search and sometimes after a refused first attempt.
func (g *gen) pry(p *principal, target *person, label, inc string, reads int) {
	days := g.workdays(1 + g.pick(3))
	if len(days) == 0 {
		return
	}
	for i := 0; i < reads; i++ {
		d := days[i%len(days)]
		t := g.officeTime(p, d)
		expl := g.explanationFor(p, target)
		if i == 0 && g.chance(0.3) {
			g.add(misuse(access{t: t.Add(-30 * time.Second), principal: p, action: "search", persons: g.homonymsOf(target, 1+g.pick(6)), expl: "followup", allowed: true}, label, inc))
		}
		if i == 0 && g.chance(0.15) {
			g.add(misuse(access{t: t.Add(-10 * time.Second), principal: p, action: "read", persons: []*person{target}, expl: "none", allowed: false}, label, inc))
		}
		action := "read"
		if expl == "lookup" {
			g.add(misuse(access{t: t, principal: p, action: "lookup", persons: []*person{target}, expl: "lookup", allowed: true}, label, inc))
			t = t.Add(20 * time.Second)
		}
		g.add(misuse(access{t: t, principal: p, action: action, persons: []*person{target}, expl: expl, allowed: true}, label, inc))
	}
}

func plantColleague(g *gen, p *principal, inc string) bool {
	var targets []*person
	for _, c := range p.org.staff {
		if c != p && !c.former && c.self != nil {
			targets = append(targets, c.self)
		}
	}
	if len(targets) == 0 {
		return false
	}
	g.pry(p, targets[g.pick(len(targets))], "colleague", inc, 1+g.pick(3))
	return true
}

func plantFormerEmployee(g *gen, p *principal, inc string) bool {
	var targets []*person
	for _, c := range p.org.staff {
		if c.former && c.self != nil {
			targets = append(targets, c.self)
		}
	}
	if len(targets) == 0 {
		return false
	}
	g.pry(p, targets[g.pick(len(targets))], "former_employee", inc, 1+g.pick(3))
	return true
}

func plantPublicFigure(g *gen, p *principal, inc string) bool {
	var targets []*person
	for _, per := range g.persons {
		if per.protected == "public_figure" || per.protected == "elected" || per.protected == "vip" {
			if per.dept == p.org.dept || g.chance(0.1) {
				targets = append(targets, per)
			}
		}
	}
	if len(targets) == 0 {
		return false
	}
	g.pry(p, targets[g.pick(len(targets))], "public_figure", inc, 1+g.pick(2))
	return true
}

// plantFamily reads a member of her own household: often one her own
// organisation follows, so that the access has a real explanation.
func plantFamily(g *gen, p *principal, inc string) bool {
	if p.self == nil || len(p.self.household.members) < 2 {
		return false
	}
	var target *person
	for _, m := range p.self.household.members {
		if m != p.self {
			target = m
			break
		}
	}
	if g.chance(0.5) && p.role == "adviser" {
		p.folio = append(p.folio, target) // she made herself its référent
		p.org.followed = append(p.org.followed, target)
	}
	g.pry(p, target, "family", inc, 2+g.pick(4))
	return true
}

func plantNeighbour(g *gen, p *principal, inc string) bool {
	if p.self == nil {
		return false
	}
	var targets []*person
	for _, per := range g.personsBy[p.self.dept] {
		if per.household.street == p.self.household.street && per.household != p.self.household {
			targets = append(targets, per)
		}
	}
	if len(targets) == 0 {
		return false
	}
	g.pry(p, targets[g.pick(len(targets))], "neighbour", inc, 1+g.pick(3))
	return true
}

func plantOffHours(g *gen, p *principal, inc string) bool {
	days := g.workdays(2 + g.pick(2))
	pool := g.personsBy[p.org.dept]
	if p.role == "phone_platform" || len(days) == 0 {
		return false
	}
	home := g.hash("home")
	for _, d := range days {
		start := g.at(d, 22, 0, 150*time.Minute)
		for i := 4 + g.pick(10); i > 0; i-- {
			per := pool[g.pick(len(pool))]
			if len(p.folio) > 0 && g.chance(0.4) {
				per = p.folio[g.pick(len(p.folio))]
			}
			a := access{t: start.Add(time.Duration(g.pick(2400)) * time.Second), principal: p, action: "read", persons: []*person{per}, expl: g.explanationFor(p, per), allowed: true, remote: home}
			g.add(misuse(a, "off_hours", inc))
		}
	}
	return true
}

func plantOutOfTerritory(g *gen, p *principal, inc string) bool {
	if p.role == "phone_platform" {
		return false
	}
	days := g.workdays(2 + g.pick(3))
	for _, d := range days {
		for i := 3 + g.pick(8); i > 0; i-- {
			dept := g.cfg.Depts[g.pick(len(g.cfg.Depts))]
			if dept == p.org.dept {
				continue
			}
			pool := g.personsBy[dept]
			per := pool[g.pick(len(pool))]
			t := g.officeTime(p, d)
			g.add(misuse(access{t: t, principal: p, action: "lookup", persons: []*person{per}, expl: "lookup", allowed: true}, "out_of_territory", inc))
			g.add(misuse(access{t: t.Add(15 * time.Second), principal: p, action: "read", persons: []*person{per}, expl: "lookup", allowed: true}, "out_of_territory", inc))
		}
	}
	return len(days) > 0
}

func plantMassFast(g *gen, p *principal, inc string) bool {
	days := g.workdays(1)
	if len(days) == 0 {
		return false
	}
	pool := g.personsBy[p.org.dept]
	start := g.officeTime(p, days[0])
	n := 300 + g.pick(900)
	for i := 0; i < n; {
		var list []*person
		for j := 0; j < 50 && i < n; j++ {
			list = append(list, pool[g.pick(len(pool))])
			i++
		}
		t := start.Add(time.Duration(i) * 3 * time.Second)
		g.add(misuse(access{t: t, principal: p, action: "export", persons: list, expl: "territory", allowed: true}, "mass_fast", inc))
	}
	return true
}

func plantMassSlow(g *gen, p *principal, inc string) bool {
	days := g.workdays(6 + g.pick(4))
	pool := g.personsBy[p.org.dept]
	if len(days) < 4 {
		return false
	}
	for _, d := range days {
		for i := 25 + g.pick(30); i > 0; i-- {
			per := pool[g.pick(len(pool))]
			g.add(misuse(access{t: g.officeTime(p, d), principal: p, action: "read", persons: []*person{per}, expl: "territory", allowed: true}, "mass_slow", inc))
		}
	}
	return true
}

// plantPartnerExtraction: a partner's software, at night, pulls files of
// persons its organisation does not follow, a few hundred a night.
func plantPartnerExtraction(g *gen, p *principal, inc string) bool {
	pool := g.personsBy[p.org.dept]
	nights := 4 + g.pick(4)
	first := g.pick(g.cfg.Days)
	for d := first; d < first+nights && d < g.cfg.Days; d++ {
		start := g.at(d, 3, 0, 30*time.Minute)
		for i := 150 + g.pick(150); i > 0; i-- {
			a := access{t: start.Add(time.Duration(g.pick(3600)) * time.Second), principal: p, action: "read",
				persons: []*person{pool[g.pick(len(pool))]}, expl: "territory", allowed: true, remote: "h:partner-" + p.org.id}
			g.add(misuse(a, "mass_slow", inc))
		}
	}
	return true
}

// plantConflict: she declared a conflict of interest with a person her
// organisation follows, then opens the file anyway.
func plantConflict(g *gen, p *principal, inc string) bool {
	if len(p.org.followed) == 0 || p.role == "partner_system" {
		return false
	}
	target := p.org.followed[g.pick(len(p.org.followed))]
	g.lines = append(g.lines, map[string]any{"type": "conflict", "principal": p.id, "person": target.id, "declared": g.cfg.Start.AddDate(0, -2, 0).Format(time.DateOnly)})
	g.pry(p, target, "conflict", inc, 1+g.pick(3))
	return true
}
