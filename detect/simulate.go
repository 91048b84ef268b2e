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
// of an alert is unambiguous. Some misuse hides inside a real
// relationship: a référent reading a relative's file, curiosity about a
// protected person her organisation follows, a declared conflict.
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
					return (i%2 == 0 && p.role == roleClient) || (i%2 == 1 && p.role == roleAdviser && p.info.OrgKind == kindPartner)
				})
			case MassSlow:
				a = pick(func(p *simPrincipal) bool { return p.role == roleAdviser && p.info.OrgKind == kindPartner })
			case Colleague:
				a = pick(func(p *simPrincipal) bool { return dayAdviser(p) && len(w.orgs[p.info.Org].staff) > 1 })
			case FormerEmployee:
				a = pick(func(p *simPrincipal) bool { return dayAdviser(p) && len(w.orgs[p.info.Org].former) > 0 })
			default:
				a = pick(dayAdviser)
			}
			if a == 0 {
				continue
			}
			d := day(s)
			if s == MassSlow || s == Curiosity {
				d = rng.IntN(max(1, w.cfg.Days/2))
			}
			k := len(w.planted)
			w.incidents = append(w.incidents, Incident{Scenario: s, Principal: a, Day: d})
			w.plantEvents(rng, s, a, d, i%2 == 1)
			w.incidents[len(w.incidents)-1].Events = len(w.planted) - k
		}
	}
	// Declared conflicts of agents who keep away from the file.
	for range max(2, n/200) {
		a := uint32(1 + rng.IntN(n))
		if !used[a] && w.principals[a].role == roleAdviser {
			// A declared conflict is a file she does not handle: not in
			// her portfolio.
			q := w.stranger(rng, &w.principals[a], w.principals[a].info.Territory)
			if w.follows(a, q) {
				continue
			}
			w.conflicts[uint64(a)<<32|uint64(q)] = true
			w.persons[q].Conflicted = true
		}
	}
	idx := make([]int, len(w.planted))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(w.planted[a].Time, w.planted[b].Time) })
	evs, incs := make([]Event, len(idx)), make([]uint32, len(idx))
	for i, j := range idx {
		evs[i], incs[i] = w.planted[j], w.plantedInc[j]
	}
	w.planted, w.plantedInc = evs, incs
}

// plantEvents appends the events of one incident; hidden asks for the
// shape that hides inside a relationship, where the scenario has one.
func (w *World) plantEvents(rng *rand.Rand, s Scenario, a uint32, d int, hidden bool) {
	p := &w.principals[a]
	org := &w.orgs[p.info.Org]
	inc := uint32(len(w.incidents))
	dayStart := w.start + int64(d)*86400
	workTime := func(day int64) int64 { return day + 9*3600 + rng.Int64N(8*3600) }
	add := func(t int64, person uint32, expl Explanation) {
		flags := FlagAllowed
		if p.info.Client {
			flags |= FlagClient
		}
		w.planted = append(w.planted, Event{Time: t, Principal: a, Org: p.info.Org, Person: person, Records: 1,
			Action: ActRead, Explanation: expl, Purpose: purposeAccompagnement, Flags: flags})
		w.plantedInc = append(w.plantedInc, inc)
	}
	// reads spreads n reads of the targets over working hours, the first
	// one of each target an exact lookup.
	reads := func(targets []uint32, n int, expl Explanation) {
		for i := range max(n, len(targets)) {
			e := expl
			if i < len(targets) && expl < ExplOrientation {
				e = ExplLookup
			}
			add(workTime(dayStart), targets[i%len(targets)], e)
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
		others := slices.DeleteFunc(slices.Clone(org.staff), func(q uint32) bool { return w.persons[q].Staff == a })
		reads(choose(others, 1+rng.IntN(3)), 2+rng.IntN(5), ExplTerritory)
	case FormerEmployee:
		reads(choose(org.former, 1+rng.IntN(2)), 2+rng.IntN(4), ExplTerritory)
	case PublicFigure:
		if hidden && len(org.follow) > 0 {
			// Curiosity about a protected person her organisation follows.
			var followed []uint32
			for _, q := range org.follow {
				if w.persons[q].Protected != ProtNone && !w.follows(a, q) {
					followed = append(followed, q)
				}
			}
			if len(followed) > 0 {
				q := followed[rng.IntN(len(followed))]
				for h := range 2 + rng.IntN(3) {
					add(dayStart+int64(9+2*h)*3600+rng.Int64N(3600), q, ExplFollowup)
				}
				return
			}
		}
		var figures []uint32
		for len(figures) < 1+rng.IntN(2) {
			if q := uint32(1 + rng.IntN(len(w.persons)-1)); w.persons[q].Protected != ProtNone {
				figures = append(figures, q)
			}
		}
		reads(figures, 2+rng.IntN(4), ExplTerritory)
	case Family:
		if hidden {
			// Her relative is in her portfolio: the gate says référent.
			reads(p.family[:1], 1+rng.IntN(4), ExplReferent)
			return
		}
		reads(p.family, 1+rng.IntN(4), ExplTerritory)
	case Neighbour:
		var near []uint32
		first := (p.info.Street-1)*personsPerStreet + 1
		for q := first; q < first+personsPerStreet && int(q) < len(w.persons); q++ {
			pe := &w.persons[q]
			if pe.Address != p.info.Address && pe.Staff == 0 && pe.Protected == ProtNone && !w.follows(a, q) {
				near = append(near, q)
			}
		}
		reads(choose(near, 2+rng.IntN(2)), 2+rng.IntN(5), ExplTerritory)
	case Conflict:
		q := w.randomPerson(rng, p.info.Territory)
		w.conflicts[uint64(a)<<32|uint64(q)] = true
		w.persons[q].Conflicted = true
		reads([]uint32{q}, 1+rng.IntN(3), ExplFollowup)
	case OffHours:
		for range 6 + rng.IntN(10) {
			h := []int64{0, 1, 2, 3, 4, 5, 21, 22, 23}[rng.IntN(9)]
			add(dayStart+h*3600+rng.Int64N(3600), w.randomPerson(rng, p.info.Territory), ExplTerritory)
		}
	case OutOfTerritory:
		for range 10 + rng.IntN(31) {
			dd := uint32(1 + rng.IntN(w.depts))
			if dd == p.info.Territory {
				dd = dd%uint32(w.depts) + 1
			}
			add(workTime(dayStart), w.randomPerson(rng, dd), ExplLookup)
		}
	case Curiosity:
		// A few unrelated files of her territory every day, for a week.
		for day := d; day < min(w.cfg.Days, d+7); day++ {
			if w.weekend(day) {
				continue
			}
			ds := w.start + int64(day)*86400
			for range 4 + rng.IntN(5) {
				add(workTime(ds), w.randomPerson(rng, p.info.Territory), ExplTerritory)
			}
		}
	case MassFast:
		total := min(3000+rng.IntN(12000), (len(w.persons)-1)/4)
		from := dayStart + int64(rng.IntN(22))*3600
		span := int64(3600 + rng.IntN(3600))
		for range total {
			add(from+rng.Int64N(span), uint32(1+rng.IntN(len(w.persons)-1)), ExplLookup)
		}
	case MassSlow:
		for day := d; day < w.cfg.Days; day++ {
			if w.weekend(day) {
				continue
			}
			ds := w.start + int64(day)*86400
			for range 250 + rng.IntN(250) {
				dept := p.info.Territory
				if rng.Float64() < 0.5 {
					dept = uint32(1 + rng.IntN(w.depts))
				}
				add(workTime(ds), w.randomPerson(rng, dept), ExplTerritory)
			}
		}
	}
}

// Simulate generates the world's traffic hour by hour, calling fn with each
// hour's events in time order (ids assigned from 1) and, for each, the
// planted incident it belongs to (1-based index in Incidents, 0 for
// legitimate work). The slices are fresh for each call, so fn may keep
// them. Memory stays at one hour of traffic whatever the number of days.
func (w *World) Simulate(ctx context.Context, fn func(events []Event, incidents []uint32) error) error {
	rng := rand.New(rand.NewPCG(w.cfg.Seed, 0x7a1f1c))
	var id uint64
	next := 0 // next planted event
	type tagged struct {
		ev  Event
		inc uint32
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
					w.legitEvent(rng, uint32(a), p, hourStart, day, emit)
				}
			}
			for _, t := range tasks {
				w.taskEvents(rng, t, hourStart, emit)
			}
			if h >= 17 && h < 21 {
				for _, je := range w.jobDatings[day] {
					for _, a := range w.orgs[je.org].agents {
						if w.principals[a].role != roleAdviser || mix(a^uint32(day))%3 != 0 {
							continue
						}
						for range poisson(rng, 6) {
							emit(Event{Time: hourStart + rng.Int64N(3600), Principal: a, Org: je.org, Person: je.attendees[rng.IntN(len(je.attendees))],
								Records: 1, Action: ActRead, Explanation: ExplTerritory, Purpose: purposeMiseEnRelation, Flags: FlagAllowed})
						}
					}
				}
			}
			for ; next < len(w.planted) && w.planted[next].Time < hourStart+3600; next++ {
				batch = append(batch, tagged{ev: w.planted[next], inc: w.plantedInc[next]})
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
			evs, incs := make([]Event, len(batch)), make([]uint32, len(batch))
			for i := range batch {
				j := &counts[batch[i].ev.Time-hourStart]
				evs[*j], incs[*j] = batch[i].ev, batch[i].inc
				*j++
			}
			for i := range evs {
				id++
				evs[i].ID = id
			}
			if err := fn(evs, incs); err != nil {
				return err
			}
		}
	}
	return nil
}

// taskEvents emits a bulk task's reads of the hour: a statistics task
// reads its listed persons once over its window; a back office works on
// its whole population at a steady pace and overruns its window by up to
// fifty minutes, within its grace.
func (w *World) taskEvents(rng *rand.Rand, t *Task, hourStart int64, emit func(Event)) {
	org := w.principals[t.Principal].info.Org
	if t.Persons == nil {
		end := t.To + int64(mix(t.ID)%50)*60
		for range poisson(rng, 80) {
			at := hourStart + rng.Int64N(3600)
			if at >= t.From && at < end {
				emit(Event{Time: at, Principal: t.Principal, Org: org, Person: w.randomPerson(rng, w.principals[t.Principal].info.Territory),
					Records: 1, Action: ActRead, Explanation: ExplTerritory, Purpose: t.Purpose, Flags: FlagAllowed, Task: t.ID})
			}
		}
		return
	}
	if hourStart < t.From || hourStart >= t.To {
		return
	}
	hours := uint64((t.To - t.From) / 3600)
	for _, q := range w.taskLists[t.ID] {
		if mix(q)%hours != uint64((hourStart-t.From)/3600) {
			continue
		}
		emit(Event{Time: hourStart + int64(mix(q^uint32(t.ID))%3600), Principal: t.Principal, Org: org,
			Person: q, Task: t.ID, Records: 1, Action: ActRead, Explanation: ExplTerritory, Purpose: t.Purpose, Flags: FlagAllowed})
	}
}

// rate is a principal's expected number of events in hour h.
func (w *World) rate(p *simPrincipal, h int, weekend bool) float64 {
	switch p.role {
	case roleFormer:
		return 0
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
func (w *World) legitEvent(rng *rand.Rand, a uint32, p *simPrincipal, hourStart int64, day int, emit func(Event)) {
	t := hourStart + rng.Int64N(3600)
	ev := Event{Time: t, Principal: a, Org: p.info.Org, Records: 1, Action: ActRead, Purpose: purposeAccompagnement, Flags: FlagAllowed}
	if p.info.Client {
		ev.Flags |= FlagClient
	}
	fromPortfolio := func() uint32 { return p.portfolio[rng.IntN(len(p.portfolio))] }
	stranger := func(dept uint32) uint32 { return w.stranger(rng, p, dept) }
	u := rng.Float64()
	switch p.role {
	case roleClient:
		ev.Person, ev.Explanation = fromPortfolio(), ExplFollowup
		if u < 0.002 {
			ev.Person, ev.Explanation = stranger(p.info.Territory), ExplTerritory
		}
		emit(ev)
		return
	case rolePhone:
		// Callers from anywhere; almost every access is made during a call.
		ev.Person, ev.Explanation = stranger(uint32(1+rng.IntN(w.depts))), ExplLookup
		if u < 0.98 {
			ev.Flags |= FlagCall
		}
		emit(ev)
		return
	case roleCompany:
		if u < 0.85 {
			ev.Person, ev.Explanation, ev.Purpose = fromPortfolio(), ExplProposal, purposeMiseEnRelation
			emit(ev)
			return
		}
		u = rng.Float64()
	case roleOrientation:
		if u < 0.85 {
			ev.Person, ev.Explanation, ev.Purpose = fromPortfolio(), ExplOrientation, purposeOrientation
			emit(ev)
			return
		}
		u = rng.Float64()
	}
	if c, ok := w.covers[a]; ok && t >= c.from && t <= c.to && u < 0.3 {
		// Covering a sick colleague: the gate sees only the territory.
		q := w.principals[c.of].portfolio
		ev.Person, ev.Explanation = q[rng.IntN(len(q))], ExplTerritory
		emit(ev)
		return
	}
	switch {
	case u < 0.62:
		ev.Person, ev.Explanation = fromPortfolio(), ExplReferent
		if rng.IntN(10) == 0 {
			ev.Action = ActUpdate
		}
	case u < 0.72:
		// A colleague's follower at the desk: her organisation follows.
		o := w.orgs[p.info.Org].agents
		b := &w.principals[o[rng.IntN(len(o))]]
		if len(b.portfolio) == 0 {
			b = p
		}
		ev.Person, ev.Explanation = b.portfolio[rng.IntN(len(b.portfolio))], ExplFollowup
		if w.persons[ev.Person].Household == p.info.Household {
			// Her own relative: a colleague deals with it (reading it
			// would be a review item, explained or not).
			ev.Person, ev.Explanation = fromPortfolio(), ExplReferent
		}
	case u < 0.80:
		ev.Person, ev.Explanation = fromPortfolio(), ExplAppointment
		if rng.IntN(4) == 0 { // a first appointment with someone not yet followed
			ev.Person = stranger(p.info.Territory)
		}
	case u < 0.86:
		// A registration: the adviser looks the person up by identifier
		// (unexplained at that moment), then creates the follow-up.
		ev.Person, ev.Explanation, ev.Action = stranger(p.info.Territory), ExplLookup, ActLookup
		emit(ev)
		ev.Time = min(t+60+rng.Int64N(9*60), hourStart+3599)
		ev.Action, ev.Explanation = ActCreate, ExplFollowup
	case u < 0.88:
		// A walk-in at the reception: checked in, then read.
		ev.Person, ev.Explanation = fromPortfolio(), ExplReferent
		if ins := w.walkIns[uint64(p.info.Org)<<32|uint64((hourStart-w.start)/3600)]; len(ins) > 0 {
			ev.Person, ev.Explanation = ins[rng.IntN(len(ins))], ExplTerritory
		}
	case u < 0.885:
		// Information asked at the desk: unexplained, and stays so.
		ev.Person, ev.Explanation = stranger(p.info.Territory), ExplTerritory
	case u < 0.93:
		// A search by name: a list of results, homonyms included (a
		// colleague's namesake, a protected person, a neighbour).
		ev.Action, ev.Explanation = ActSearch, ExplTerritory
		ev.Person = fromPortfolio()
		for range 4 + rng.IntN(16) {
			q := stranger(p.info.Territory)
			if rng.IntN(8) == 0 {
				switch staff := w.orgs[p.info.Org].staff; rng.IntN(3) {
				case 0:
					q = staff[rng.IntN(len(staff))]
				case 1:
					q = (p.info.Street-1)*personsPerStreet + 1 + uint32(rng.IntN(personsPerStreet))
				}
			}
			ev.More = append(ev.More, q)
		}
	default:
		ev.Person, ev.Explanation, ev.Action = fromPortfolio(), ExplReferent, ActSearch
	}
	emit(ev)
}

// stranger returns a person of dept who is not in the principal's
// household nor her organisation's staff, former staff or street: in a
// real département of tens of thousands of persons, a random encounter
// is a stranger, and an agent registering her own relative is misuse.
func (w *World) stranger(rng *rand.Rand, p *simPrincipal, dept uint32) uint32 {
	for {
		q := w.randomPerson(rng, dept)
		pe := &w.persons[q]
		if pe.Household == p.info.Household || pe.Street == p.info.Street || pe.Protected != ProtNone {
			continue
		}
		if pe.Staff != 0 && w.principals[pe.Staff].info.Org == p.info.Org {
			continue
		}
		return q
	}
}

// poisson draws from a Poisson distribution of mean l (Knuth's method for
// small means, a normal approximation beyond).
func poisson(rng *rand.Rand, l float64) int {
	if l > 30 {
		return max(0, int(math.Round(l+math.Sqrt(l)*rng.NormFloat64())))
	}
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
