package detect

import (
	"fmt"
	"slices"
	"time"
)

// Config tunes a Detector. The zero value is the explanation-based
// detector with its default limits.
type Config struct {
	// RulesOnly turns the detector into the pilot it replaces: no
	// explanation step (every read is scored, bulk tasks are not exempt),
	// fixed office hours instead of each principal's own, fixed volume
	// limits instead of robust baselines. It exists to measure what the
	// explanations and baselines bring.
	RulesOnly bool
	// Location gives hours of day and day boundaries (default UTC).
	Location *time.Location
	// FastFloor is the least number of distinct persons per hour that can
	// raise a mass-extraction alert (default 300; rules-only 100).
	FastFloor int
	// SlowFloor is the least number of unexplained distinct persons per
	// day that can raise a slow-extraction alert (default 60; rules-only:
	// 150 distinct persons, explained or not).
	SlowFloor int
	// Threshold is the score from which a pattern becomes an alert
	// (default 2).
	Threshold float64
}

// weights score one read of each pattern: a single read of a relative's
// file is enough; colleagues, former colleagues, public figures and
// neighbours need a repeated read (one stray lookup is not an alert); off-
// hours and out-of-territory reads need several.
var weights = [numScenarios]float64{
	Family: 2, Colleague: 1, FormerEmployee: 1, PublicFigure: 1, Neighbour: 1,
	OffHours: 0.34, OutOfTerritory: 0.2,
}

// reasons say in French why an alert was raised (%d reads, %d persons).
var reasons = [numScenarios]string{
	Colleague:      "Consultation sans lien d'accompagnement de dossiers de collègues de la même structure : %d lectures, %d personnes.",
	FormerEmployee: "Consultation sans lien d'accompagnement de dossiers d'anciens agents de la structure : %d lectures, %d personnes.",
	PublicFigure:   "Consultation sans lien d'accompagnement de dossiers de personnalités publiques : %d lectures, %d personnes.",
	Family:         "Consultation de dossiers de personnes portant le même nom et vivant à la même adresse que l'agent : %d lectures, %d personnes.",
	Neighbour:      "Consultation sans lien d'accompagnement de dossiers de voisins de l'agent (même rue) : %d lectures, %d personnes.",
	OffHours:       "Lectures inexpliquées en dehors des horaires habituels de l'agent : %d lectures, %d personnes.",
	OutOfTerritory: "Lectures inexpliquées de dossiers hors du territoire de la structure : %d lectures, %d personnes.",
	MassFast:       "Extraction massive : %d lectures, %d personnes distinctes en une heure, très au-delà de l'activité habituelle.",
	MassSlow:       "Extraction lente : %d lectures, %d personnes distinctes sans lien dans la journée, au-delà de l'activité habituelle.",
}

// Alert is a suspected misuse: one rule, one principal, the events behind
// it. Critical alerts (mass extraction) call for an immediate reaction.
type Alert struct {
	Rule      Scenario `json:"-"`
	RuleName  string   `json:"rule"`
	Principal uint32   `json:"principal"`
	Org       uint32   `json:"org"`
	Day       int64    `json:"day"` // days since the Unix epoch, in the detector's location
	Time      int64    `json:"time"`
	Score     float64  `json:"score"`
	Critical  bool     `json:"critical,omitempty"`
	Reads     int      `json:"reads"`
	Persons   int      `json:"persons"`
	Reason    string   `json:"reason"`
	Evidence  []uint64 `json:"evidence"` // event ids
}

// hit is an unexplained read kept until its principal's day closes.
type hit struct {
	id      uint64
	time    int64
	person  uint32
	pattern Scenario // Legit: no person pattern; judged off-hours or not at close
	hour    uint8
}

// personSet is a set of persons with the event that first read each: a
// slice while small (most principals read a few persons an hour), a map
// beyond.
type personSet struct {
	persons []uint32
	ids     []uint64
	m       map[uint32]struct{}
}

func (s *personSet) add(p uint32, id uint64) bool {
	if s.m != nil {
		if _, ok := s.m[p]; ok {
			return false
		}
		s.m[p] = struct{}{}
	} else {
		if slices.Contains(s.persons, p) {
			return false
		}
		if len(s.persons) >= 48 {
			s.m = make(map[uint32]struct{}, 128)
			for _, q := range s.persons {
				s.m[q] = struct{}{}
			}
			s.m[p] = struct{}{}
		}
	}
	s.persons = append(s.persons, p)
	s.ids = append(s.ids, id)
	return true
}

func (s *personSet) len() int { return len(s.persons) }

func (s *personSet) reset() {
	s.persons, s.ids, s.m = s.persons[:0], s.ids[:0], nil
}

// ring keeps the last values of a count for robust baselines.
type ring struct {
	v [16]uint32
	n uint8
}

func (r *ring) push(x int) {
	r.v[r.n%16] = uint32(min(x, 1<<31))
	r.n++
	if r.n == 32 {
		r.n = 16
	}
}

// limit is median + k·MAD (scaled to a standard deviation), at least m
// times the median and at least floor.
func (r *ring) limit(k, m float64, floor int) int {
	n := int(min(r.n, 16))
	if n < 3 {
		return floor
	}
	vals := make([]float64, n)
	for i := range n {
		vals[i] = float64(r.v[i])
	}
	med := median(vals)
	for i := range vals {
		vals[i] = abs(vals[i] - med)
	}
	mad := median(vals) * 1.4826
	return max(floor, int(med+k*mad), int(m*med))
}

func median(v []float64) float64 {
	slices.Sort(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// pstate is what the detector remembers of one principal.
type pstate struct {
	hist      [24]uint32 // explained activity per hour of day: the principal's own working hours
	histN     uint32
	hourKey   int64
	hourSet   personSet // distinct persons read this hour, outside bulk tasks
	pastHours ring      // distinct persons per active hour, past
	pastDays  ring      // unexplained distinct persons per active day, past
	fastDay   int64     // day of the last mass-extraction alert
	day       int64     // the day hits, retro and daySet belong to (-1: none)
	hits      []hit
	carried   []hit // yesterday's hits that did not make an alert
	retro     []uint32
	daySet    personSet // rules-only: distinct persons read today
}

// Detector scores a stream of events. Observe it event by event in time
// order (the live audit stream, or a batch); Flush at the end. Not safe for
// concurrent use: run one per stream.
type Detector struct {
	cfg      Config
	dir      Directory
	utc      bool
	states   []pstate
	touched  []uint32
	curDay   int64
	suppress map[uint64]int64 // principal<<8|rule → until (Unix seconds)
	stats    Stats
}

// Stats count what the detector saw.
type Stats struct {
	Events      int64 `json:"events"`
	Reads       int64 `json:"reads"`
	Explained   int64 `json:"explained"`   // by a relationship at the time of access
	BulkTask    int64 `json:"bulk_task"`   // by an approved bulk task
	Retroactive int64 `json:"retroactive"` // by a relationship created later the same day
	Unexplained int64 `json:"unexplained"` // left to the rules
	Alerts      int64 `json:"alerts"`
	Suppressed  int64 `json:"suppressed"`
}

// New returns a detector over the facts of dir.
func New(dir Directory, cfg Config) *Detector {
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.FastFloor == 0 {
		cfg.FastFloor = 300
		if cfg.RulesOnly {
			cfg.FastFloor = 100
		}
	}
	if cfg.SlowFloor == 0 {
		cfg.SlowFloor = 60
		if cfg.RulesOnly {
			cfg.SlowFloor = 150
		}
	}
	if cfg.Threshold == 0 {
		cfg.Threshold = 2
	}
	return &Detector{cfg: cfg, dir: dir, utc: cfg.Location == time.UTC, curDay: -1, suppress: map[uint64]int64{}}
}

// Stats returns the counters so far.
func (d *Detector) Stats() Stats { return d.stats }

// Suppress silences rule for principal until the given time: a verdict of
// "justified" or "false positive" must not bring the same alert back.
func (d *Detector) Suppress(principal uint32, rule Scenario, until time.Time) {
	d.suppress[uint64(principal)<<8|uint64(rule)] = until.Unix()
}

func (d *Detector) suppressed(principal uint32, rule Scenario, t int64) bool {
	until, ok := d.suppress[uint64(principal)<<8|uint64(rule)]
	if ok && t < until {
		d.stats.Suppressed++
		return true
	}
	return false
}

// clock returns the day number and hour of day of t in the location.
func (d *Detector) clock(t int64) (day int64, hour int) {
	if d.utc {
		return t / 86400, int(t % 86400 / 3600)
	}
	lt := time.Unix(t, 0).In(d.cfg.Location)
	_, off := lt.Zone()
	return (t + int64(off)) / 86400, lt.Hour()
}

func (d *Detector) state(p uint32) *pstate {
	if int(p) >= len(d.states) {
		n := max(int(p)+1, 2*len(d.states))
		grown := make([]pstate, n)
		copy(grown, d.states)
		for i := len(d.states); i < n; i++ {
			grown[i].day, grown[i].fastDay = -1, -1
		}
		d.states = grown
	}
	return &d.states[p]
}

// Observe scores one event and returns the alerts it completes: a
// mass-extraction alert as soon as the volume is crossed, the others when
// the principal's day closes (the first event of the next day, or Flush),
// because a pattern is judged on the day's reads and on relationships
// created after the access.
func (d *Detector) Observe(ev *Event) []Alert {
	d.stats.Events++
	day, hour := d.clock(ev.Time)
	var out []Alert
	if day > d.curDay {
		if d.curDay >= 0 {
			out = d.closeDay(out)
		}
		d.curDay = day
	}
	if ev.Principal == 0 || ev.Person == 0 {
		return out
	}
	st := d.state(ev.Principal)
	if st.day != day {
		if st.day >= 0 && st.day < day-1 {
			st.carried = st.carried[:0]
		}
		st.day = day
		d.touched = append(d.touched, ev.Principal)
	}
	if ev.Action == ActCreate {
		if ev.Relation != RelNone && !d.cfg.RulesOnly {
			st.retro = append(st.retro, ev.Person)
		}
		return out
	}
	if !ev.Action.reads() || ev.Flags&FlagAllowed == 0 {
		return out
	}
	d.stats.Reads++

	bulk := false
	if ev.Task != 0 && !d.cfg.RulesOnly {
		bulk = d.dir.Task(ev.Task).covers(ev)
	}
	explained := !d.cfg.RulesOnly && ev.Relation != RelNone
	switch {
	case bulk:
		d.stats.BulkTask++
	case explained:
		d.stats.Explained++
		st.hist[hour]++
		st.histN++
	}

	// Volume: distinct persons this hour, outside declared bulk tasks.
	if !bulk {
		hk := ev.Time / 3600
		if hk != st.hourKey {
			if n := st.hourSet.len(); n > 0 && st.fastDay != st.hourKey/24 {
				st.pastHours.push(n)
			}
			st.hourSet.reset()
			st.hourKey = hk
		}
		if st.hourSet.add(ev.Person, ev.ID) && st.hourSet.len() >= d.cfg.FastFloor && st.fastDay != day {
			if a, ok := d.fast(ev, st, day); ok {
				out = append(out, a)
			}
		}
		if d.cfg.RulesOnly {
			st.daySet.add(ev.Person, ev.ID)
		}
	}
	if bulk || explained {
		return out
	}

	// Unexplained: which pattern, if any, does it match?
	d.stats.Unexplained++
	pat := d.pattern(ev)
	if pat == Legit && d.cfg.RulesOnly {
		if !officeHours(ev.Time, hour, d.cfg.Location) {
			pat = OffHours
		} else {
			return out
		}
	}
	st.hits = append(st.hits, hit{id: ev.ID, time: ev.Time, person: ev.Person, pattern: pat, hour: uint8(hour)})
	return out
}

// fast raises a mass-extraction alert when the hour's distinct persons
// exceed the principal's own robust limit.
func (d *Detector) fast(ev *Event, st *pstate, day int64) (Alert, bool) {
	limit := d.cfg.FastFloor
	if !d.cfg.RulesOnly {
		limit = st.pastHours.limit(8, 4, d.cfg.FastFloor)
	}
	n := st.hourSet.len()
	if n < limit || d.suppressed(ev.Principal, MassFast, ev.Time) {
		return Alert{}, false
	}
	st.fastDay = day
	d.stats.Alerts++
	return Alert{Rule: MassFast, RuleName: MassFast.String(), Principal: ev.Principal, Org: ev.Org, Day: day, Time: ev.Time,
		Score: float64(n) / float64(limit) * d.cfg.Threshold, Critical: true, Reads: n, Persons: n,
		Reason: fmt.Sprintf(reasons[MassFast], n, n), Evidence: slices.Clone(st.hourSet.ids)}, true
}

// pattern returns the most specific person pattern an unexplained read
// matches.
func (d *Detector) pattern(ev *Event) Scenario {
	pr := d.dir.Principal(ev.Principal)
	pe := d.dir.Person(ev.Person)
	switch {
	case pr.Address != 0 && pe.Address == pr.Address && pe.Surname == pr.Surname:
		return Family
	case pe.StaffOrg != 0 && pe.StaffOrg == pr.Org:
		return Colleague
	case pe.FormerOrg != 0 && pe.FormerOrg == pr.Org:
		return FormerEmployee
	case pe.Public:
		return PublicFigure
	case pr.Street != 0 && pe.Street == pr.Street && pe.Address != pr.Address:
		return Neighbour
	case pr.Dept != 0 && pe.Dept != 0 && pe.Dept != pr.Dept:
		return OutOfTerritory
	}
	return Legit
}

// officeHours is the pilot's fixed notion of working time.
func officeHours(t int64, hour int, loc *time.Location) bool {
	wd := time.Unix(t, 0).In(loc).Weekday()
	return wd != time.Saturday && wd != time.Sunday && hour >= 8 && hour < 19
}

// offHours judges an hour against the principal's own working hours: the
// share of her explained activity within an hour of it. Without enough
// history, the office hours of the network stand in.
func (st *pstate) offHours(h int) bool {
	if st.histN < 20 {
		return h < 7 || h >= 20
	}
	near := st.hist[h] + st.hist[(h+1)%24] + st.hist[(h+23)%24]
	return float64(near) < 0.03*float64(st.histN)
}

// Flush closes the current day and returns its alerts. Call it at the end
// of a batch; a live stream closes days as time passes.
func (d *Detector) Flush() []Alert {
	out := d.closeDay(nil)
	d.curDay = -1
	return out
}

// closeDay judges the day of every principal active in it.
func (d *Detector) closeDay(out []Alert) []Alert {
	for _, p := range d.touched {
		out = d.closePrincipal(p, &d.states[p], out)
	}
	d.touched = d.touched[:0]
	return out
}

func (d *Detector) closePrincipal(p uint32, st *pstate, out []Alert) []Alert {
	day := st.day
	defer func() {
		st.hits = st.hits[:0]
		st.retro = st.retro[:0]
		st.daySet.reset()
	}()
	// Explanation after the fact: a relationship created later that day
	// (a registration after a lookup) explains the earlier reads.
	if len(st.retro) > 0 {
		keep := func(hs []hit) []hit {
			return slices.DeleteFunc(hs, func(h hit) bool {
				if slices.Contains(st.retro, h.person) {
					d.stats.Retroactive++
					d.stats.Unexplained--
					return true
				}
				return false
			})
		}
		st.hits, st.carried = keep(st.hits), keep(st.carried)
	}
	if st.fastDay == day {
		st.carried = st.carried[:0] // the day's reads belong to the extraction already raised
		return out
	}

	// Slow extraction: distinct unexplained persons over the day.
	var distinct int
	var evidence []uint64
	if d.cfg.RulesOnly {
		distinct, evidence = st.daySet.len(), st.daySet.ids
	} else {
		seen := personSet{}
		for _, h := range st.hits {
			seen.add(h.person, h.id)
		}
		distinct, evidence = seen.len(), seen.ids
	}
	limit := d.cfg.SlowFloor
	if !d.cfg.RulesOnly {
		limit = st.pastDays.limit(6, 3, d.cfg.SlowFloor)
	}
	if distinct >= limit && distinct > 0 {
		t := st.lastTime()
		if !d.suppressed(p, MassSlow, t) {
			d.stats.Alerts++
			st.carried = st.carried[:0]
			return append(out, Alert{Rule: MassSlow, RuleName: MassSlow.String(), Principal: p, Org: d.dir.Principal(p).Org, Day: day, Time: t,
				Score: float64(distinct) / float64(limit) * d.cfg.Threshold, Critical: true, Reads: len(st.hits), Persons: distinct,
				Reason: fmt.Sprintf(reasons[MassSlow], len(st.hits), distinct), Evidence: slices.Clone(evidence)})
		}
	}
	if distinct > 0 {
		st.pastDays.push(distinct)
	}

	// Person patterns over yesterday's leftovers and today.
	if !d.cfg.RulesOnly {
		for i := range st.hits {
			if st.hits[i].pattern == Legit && st.offHours(int(st.hits[i].hour)) {
				st.hits[i].pattern = OffHours
			}
		}
	}
	all := append(slices.Clip(st.carried), st.hits...)
	var raised [numScenarios]bool
	for s := Colleague; s <= OutOfTerritory; s++ {
		var reads int
		var persons personSet
		var ev []uint64
		var last int64
		for _, h := range all {
			if h.pattern == s {
				reads++
				persons.add(h.person, h.id)
				ev = append(ev, h.id)
				last = max(last, h.time)
			}
		}
		score := weights[s] * float64(reads)
		if reads == 0 || score < d.cfg.Threshold || d.suppressed(p, s, last) {
			continue
		}
		raised[s] = true
		d.stats.Alerts++
		out = append(out, Alert{Rule: s, RuleName: s.String(), Principal: p, Org: d.dir.Principal(p).Org, Day: day, Time: last,
			Score: score, Reads: reads, Persons: persons.len(), Reason: fmt.Sprintf(reasons[s], reads, persons.len()), Evidence: ev})
	}
	// What did not make an alert today may with tomorrow's reads.
	st.carried = st.carried[:0]
	for _, h := range st.hits {
		if h.pattern != Legit && !raised[h.pattern] {
			st.carried = append(st.carried, h)
		}
	}
	return out
}

func (st *pstate) lastTime() int64 {
	var t int64
	for _, h := range st.hits {
		t = max(t, h.time)
	}
	return t
}
