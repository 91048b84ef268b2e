package detect

import (
	"cmp"
	"context"
	"math"
	"math/rand/v2"
	"slices"
)

// plantIncidents chooses the misusing principals and pre-generates their
// events. Each principal misuses in one way only, so that the ground truth
// of an alert is unambiguous.
func (w *World) plantIncidents(rng *rand.Rand, used map[uint32]bool) {
	n := w.cfg.Agents
	per := max(3, n/1500)
	count := map[Scenario]int{MassFast: max(2, n/25000), MassSlow: max(2, n/20000)}
	day := func(s Scenario) int {
		if s == OffHours {
			return rng.IntN(w.cfg.Days)
		}
		return w.workday(rng.IntN(w.cfg.Days))
	}
	pick := func(ok func(p *simPrincipal) bool) uint32 {
		for range 10000 {
			a := uint32(1 + rng.IntN(len(w.principals)-1))
			if !used[a] && ok(&w.principals[a]) {
				used[a] = true
				return a
			}
		}
		return 0
	}
	dayAdviser := func(p *simPrincipal) bool { return p.role == roleAdviser && !p.overtime }
	for _, s := range Scenarios() {
		c, ok := count[s]
		if !ok {
			c = per
		}
		for i := range c {
			var a uint32
			switch s {
			case Family:
				a = pick(func(p *simPrincipal) bool { return dayAdviser(p) && len(p.family) > 0 })
			case MassFast:
				// Alternate partner systems and partner agents' accounts.
				a = pick(func(p *simPrincipal) bool {
					return (i%2 == 0 && p.role == roleClient) || (i%2 == 1 && p.role == roleAdviser && w.orgs[p.info.Org].partner)
				})
			case MassSlow:
				a = pick(func(p *simPrincipal) bool { return p.role == roleAdviser && w.orgs[p.info.Org].partner })
			default:
				a = pick(dayAdviser)
			}
			if a == 0 {
				continue
			}
			d := day(s)
			if s == MassSlow {
				d = rng.IntN(max(1, w.cfg.Days/2))
			}
			k := len(w.planted)
			w.plantEvents(rng, s, a, d)
			w.incidents = append(w.incidents, Incident{Scenario: s, Principal: a, Day: d, Events: len(w.planted) - k})
		}
	}
	idx := make([]int, len(w.planted))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(w.planted[a].Time, w.planted[b].Time) })
	evs, labs := make([]Event, len(idx)), make([]Scenario, len(idx))
	for i, j := range idx {
		evs[i], labs[i] = w.planted[j], w.plantedLab[j]
	}
	w.planted, w.plantedLab = evs, labs
}

// plantEvents appends the events of one incident.
func (w *World) plantEvents(rng *rand.Rand, s Scenario, a uint32, d int) {
	p := &w.principals[a]
	org := &w.orgs[p.info.Org]
	dayStart := w.start + int64(d)*86400
	workTime := func(day int64) int64 { return day + 9*3600 + rng.Int64N(8*3600) }
	add := func(t int64, person uint32) {
		flags := FlagAllowed
		if p.info.Client {
			flags |= FlagClient
		}
		w.planted = append(w.planted, Event{Time: t, Principal: a, Org: p.info.Org, Person: person, Records: 1,
			Action: ActRead, Relation: RelNone, Purpose: purposeAccompagnement, Flags: flags})
		w.plantedLab = append(w.plantedLab, s)
	}
	reads := func(targets []uint32, n int) {
		for range n {
			add(workTime(dayStart), targets[rng.IntN(len(targets))])
		}
	}
	choose := func(from []uint32, k int) []uint32 {
		k = min(k, len(from))
		out := make([]uint32, 0, k)
		for _, i := range rng.Perm(len(from))[:k] {
			out = append(out, from[i])
		}
		return out
	}
	switch s {
	case Colleague:
		reads(choose(org.staff, 1+rng.IntN(3)), 2+rng.IntN(5))
	case FormerEmployee:
		if len(org.former) == 0 {
			q := w.randomPerson(rng, org.dept)
			w.persons[q].FormerOrg = p.info.Org
			org.former = append(org.former, q)
		}
		reads(choose(org.former, 1+rng.IntN(2)), 2+rng.IntN(4))
	case PublicFigure:
		var figures []uint32
		for len(figures) < 1+rng.IntN(2) {
			if q := uint32(1 + rng.IntN(len(w.persons)-1)); w.persons[q].Public {
				figures = append(figures, q)
			}
		}
		reads(figures, 2+rng.IntN(4))
	case Family:
		reads(p.family, 1+rng.IntN(4))
	case Neighbour:
		var near []uint32
		first := (p.info.Street-1)*personsPerStreet + 1
		for q := first; q < first+personsPerStreet && int(q) < len(w.persons); q++ {
			if w.persons[q].Address != p.info.Address && !slices.Contains(p.portfolio, q) {
				near = append(near, q)
			}
		}
		reads(choose(near, 2+rng.IntN(2)), 2+rng.IntN(5))
	case OffHours:
		for range 8 + rng.IntN(13) {
			h := []int64{0, 1, 2, 3, 4, 5, 21, 22, 23}[rng.IntN(9)]
			add(dayStart+h*3600+rng.Int64N(3600), w.randomPerson(rng, p.info.Dept))
		}
	case OutOfTerritory:
		for range 10 + rng.IntN(31) {
			dd := uint16(1 + rng.IntN(w.depts))
			if dd == p.info.Dept {
				dd = dd%uint16(w.depts) + 1
			}
			add(workTime(dayStart), w.randomPerson(rng, dd))
		}
	case MassFast:
		total := min(3000+rng.IntN(12000), (len(w.persons)-1)/4)
		from := dayStart + int64(rng.IntN(22))*3600
		span := int64(3600 + rng.IntN(3600))
		for range total {
			add(from+rng.Int64N(span), uint32(1+rng.IntN(len(w.persons)-1)))
		}
	case MassSlow:
		for day := d; day < w.cfg.Days; day++ {
			if w.weekend(day) {
				continue
			}
			ds := w.start + int64(day)*86400
			for range 250 + rng.IntN(250) {
				dept := p.info.Dept
				if rng.Float64() < 0.5 {
					dept = uint16(1 + rng.IntN(w.depts))
				}
				add(workTime(ds), w.randomPerson(rng, dept))
			}
		}
	}
}

// Simulate generates the world's traffic hour by hour, calling fn with each
// hour's events in time order (ids assigned from 1) and their ground truth.
// The slices are fresh for each call, so fn may keep them. Memory stays at
// one hour of traffic whatever the number of days.
func (w *World) Simulate(ctx context.Context, fn func(events []Event, labels []Scenario) error) error {
	rng := rand.New(rand.NewPCG(w.cfg.Seed, 0x7a1f1c))
	var id uint64
	next := 0 // next planted event
	type tagged struct {
		ev  Event
		lab Scenario
	}
	var batch []tagged
	for day := range w.cfg.Days {
		weekend := w.weekend(day)
		tasks := w.taskByDay[day]
		for h := range 24 {
			if err := ctx.Err(); err != nil {
				return err
			}
			hourStart := w.start + int64(day)*86400 + int64(h)*3600
			batch = batch[:0]
			emit := func(ev Event) { batch = append(batch, tagged{ev: ev}) }
			for a := 1; a < len(w.principals); a++ {
				p := &w.principals[a]
				rate := w.rate(p, h, weekend)
				if rate == 0 {
					continue
				}
				for range poisson(rng, rate) {
					w.legitEvent(rng, uint32(a), p, hourStart, emit)
				}
			}
			for _, tid := range tasks {
				t := w.tasks[tid]
				if hourStart < t.From || hourStart >= t.To {
					continue
				}
				hours := (t.To - t.From) / 3600
				for _, q := range w.taskLists[tid] {
					if int64(mix(q)%uint64(hours)) != (hourStart-t.From)/3600 {
						continue
					}
					emit(Event{Time: hourStart + rng.Int64N(3600), Principal: t.Principal, Org: w.principals[t.Principal].info.Org,
						Person: q, Task: tid, Records: 1, Action: ActRead, Purpose: t.Purpose, Flags: FlagAllowed})
				}
			}
			for ; next < len(w.planted) && w.planted[next].Time < hourStart+3600; next++ {
				batch = append(batch, tagged{ev: w.planted[next], lab: w.plantedLab[next]})
			}
			// A counting sort by second: stable (a lookup stays before the
			// registration it leads to) and linear.
			var counts [3601]int
			for i := range batch {
				counts[batch[i].ev.Time-hourStart+1]++
			}
			for i := 1; i < len(counts); i++ {
				counts[i] += counts[i-1]
			}
			evs, labs := make([]Event, len(batch)), make([]Scenario, len(batch))
			for i := range batch {
				j := &counts[batch[i].ev.Time-hourStart]
				evs[*j], labs[*j] = batch[i].ev, batch[i].lab
				*j++
			}
			for i := range evs {
				id++
				evs[i].ID = id
			}
			if err := fn(evs, labs); err != nil {
				return err
			}
		}
	}
	return nil
}

// rate is a principal's expected number of events in hour h.
func (w *World) rate(p *simPrincipal, h int, weekend bool) float64 {
	switch p.role {
	case roleClient:
		if h >= 6 && h < 20 {
			return p.rate
		}
	case roleNight:
		if h >= 20 || h < 6 {
			return p.rate * 0.8
		}
	default:
		if weekend {
			return 0
		}
		if (h >= 8 && h < 12) || (h >= 13 && h < 17) || (h == 17 && p.overtime) || (p.overtime && h >= 18 && h < 20) {
			return p.rate
		}
	}
	return 0
}

// legitEvent emits one event of a principal doing her job.
func (w *World) legitEvent(rng *rand.Rand, a uint32, p *simPrincipal, hourStart int64, emit func(Event)) {
	t := hourStart + rng.Int64N(3600)
	ev := Event{Time: t, Principal: a, Org: p.info.Org, Records: 1, Action: ActRead, Purpose: purposeAccompagnement, Flags: FlagAllowed}
	if p.info.Client {
		ev.Flags |= FlagClient
	}
	fromPortfolio := func() uint32 { return p.portfolio[rng.IntN(len(p.portfolio))] }
	u := rng.Float64()
	switch p.role {
	case roleClient:
		ev.Person, ev.Relation = fromPortfolio(), RelFollowup
		if u < 0.002 {
			ev.Person, ev.Relation = w.randomPerson(rng, p.info.Dept), RelNone
		}
		emit(ev)
		return
	case roleCompany:
		if u < 0.85 {
			ev.Person, ev.Relation, ev.Purpose = fromPortfolio(), RelProposal, purposeMiseEnRelation
			emit(ev)
			return
		}
		u = rng.Float64()
	case roleOrientation:
		if u < 0.85 {
			ev.Person, ev.Relation, ev.Purpose = fromPortfolio(), RelOrientation, purposeOrientation
			emit(ev)
			return
		}
		u = rng.Float64()
	}
	switch {
	case u < 0.80:
		ev.Person, ev.Relation = fromPortfolio(), RelFollowup
		if rng.IntN(3) == 0 {
			ev.Relation = RelReferent
		}
	case u < 0.88:
		ev.Person, ev.Relation = fromPortfolio(), RelAppointment
		if rng.IntN(4) == 0 { // a first appointment with someone not yet followed
			ev.Person = w.randomPerson(rng, p.info.Dept)
		}
	case u < 0.95:
		// A registration: the adviser looks the person up by identifier
		// (unexplained at that moment), then creates the follow-up.
		ev.Person, ev.Relation = w.randomPerson(rng, p.info.Dept), RelNone
		emit(ev)
		ev.Time = t + rng.Int64N(hourStart+3600-t)
		ev.Action, ev.Relation = ActCreate, RelFollowup
	case u < 0.955:
		// Information asked at the desk: unexplained, and stays so.
		ev.Person, ev.Relation = w.randomPerson(rng, p.info.Dept), RelNone
	default:
		ev.Person, ev.Relation, ev.Action = fromPortfolio(), RelFollowup, ActSearch
	}
	emit(ev)
}

// poisson draws from a Poisson distribution of mean l (Knuth's method; l
// stays small here).
func poisson(rng *rand.Rand, l float64) int {
	limit, k, p := math.Exp(-l), 0, rng.Float64()
	for p > limit {
		k++
		p *= rng.Float64()
	}
	return k
}

// mix is a 64-bit finaliser (splitmix64) for deterministic hashing of ids.
func mix(x uint32) uint64 {
	z := uint64(x) + 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
