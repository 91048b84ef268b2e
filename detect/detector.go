package detect

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// Config tunes a Detector. The zero value is the explanation-based
// detector with its default limits.
type Config struct {
	// RulesOnly turns the detector into the pilot it replaces: no
	// explanation step (every read is scored, bulk tasks are not exempt,
	// lists count as reads), fixed office hours instead of each
	// principal's own, fixed volume limits instead of robust baselines. It
	// exists to measure what the explanations and baselines bring.
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
	// Delay is how long a person-pattern read waits for a relationship
	// created just after it (a registration after a lookup) before it is
	// judged (default 15 minutes).
	Delay time.Duration
	// Principals is the expected number of principals, to size the
	// per-principal state once (optional).
	Principals int
	// Calibration turns past verdicts into each rule's precision, which
	// scales the alerts' scores (default: the priors alone).
	Calibration *Calibration
}

// Thresholds of the rules, in distinct persons.
const (
	outFloor       = 5  // unexplained out-of-territory persons a day
	offFloor       = 3  // unexplained persons read off-hours a day
	curiosityFloor = 12 // unexplained persons over seven days
	keepDays       = 30 // how long person-pattern reads are carried
)

// thresholds are the person-pattern units (persons × hours) that make an
// alert: one read of her household's or a declared conflict's file, two of
// anyone else's (a stray lookup is not an alert).
var thresholds = [numScenarios]float32{Family: 1, Conflict: 1, Colleague: 1, FormerEmployee: 1, PublicFigure: 1, Neighbour: 2}

// reasons say in French why an alert was raised (%d reads, %d persons).
var reasons = [numScenarios]string{
	Colleague:      "Consultation de dossiers de collègues de la même structure : %d lectures, %d personnes.",
	FormerEmployee: "Consultation de dossiers d'anciens agents de la structure : %d lectures, %d personnes.",
	PublicFigure:   "Consultation de dossiers de personnes protégées (personnalités publiques, élus) : %d lectures, %d personnes.",
	Family:         "Consultation de dossiers de membres du foyer de l'agent : %d lectures, %d personnes.",
	Neighbour:      "Consultation sans lien d'accompagnement de dossiers de voisins de l'agent (même rue) : %d lectures, %d personnes.",
	OffHours:       "Lectures inexpliquées en dehors des horaires habituels de l'agent et de ses pairs : %d lectures, %d personnes.",
	OutOfTerritory: "Lectures inexpliquées de dossiers hors du territoire de la structure : %d lectures, %d personnes.",
	MassFast:       "Extraction massive : %d lectures, %d personnes distinctes en une heure, très au-delà de l'activité habituelle.",
	MassSlow:       "Extraction lente : %d lectures, %d personnes distinctes sans lien dans la journée, au-delà de l'activité habituelle.",
	Curiosity:      "Consultations sans lien accumulées sur plusieurs jours, au-delà de celles des pairs : %d lectures, %d personnes.",
	Conflict:       "Consultation d'un dossier pour lequel l'agent a déclaré un conflit d'intérêts : %d lectures, %d personnes.",
}

// Level is how urgently an alert calls for a reaction.
type Level uint8

// Levels, least urgent first. Critical alerts notify the privacy officers
// at once.
const (
	LevelLow Level = iota
	LevelMedium
	LevelHigh
	LevelCritical
)

var levelNames = [...]string{"low", "medium", "high", "critical"}

func (l Level) String() string { return levelNames[min(int(l), len(levelNames)-1)] }

// Alert is a suspected misuse: one rule, one principal, the events behind
// it. Score, in [0, 1], is the rule's precision calibrated on past
// verdicts times the strength of this alert: the console sorts by it.
type Alert struct {
	Rule      Scenario `json:"-"`
	RuleName  string   `json:"rule"`
	Principal uint32   `json:"principal"`
	Org       uint32   `json:"org"`
	Day       int64    `json:"day"` // days since the Unix epoch, in the detector's location
	Time      int64    `json:"time"`
	Score     float64  `json:"score"`
	Level     string   `json:"level"`
	Critical  bool     `json:"critical,omitempty"`
	Explained bool     `json:"explained,omitempty"` // a relationship explains some of the reads: ranked lower
	// Review marks a review item rather than an alert: a sensitive-person
	// read that a relationship explains (see tier). Filed ranked low, not
	// counted among the alerts by the evaluation.
	Review   bool     `json:"review,omitempty"`
	Reads    int      `json:"reads"`
	Persons  int      `json:"persons"`
	Reason   string   `json:"reason"`
	Evidence []uint64 `json:"evidence"` // event ids
}

// hit is a read kept for a rule: an unexplained one, or a person-pattern
// one with the weight its explanation leaves.
type hit struct {
	ID     uint64
	Time   int64
	Person uint32
	Rule   Scenario
	Units  float32
	Expl   Explanation // the most specific relationship known
}

// pending is a person-pattern or off-hours read waiting for Delay.
type pending struct {
	Principal uint32
	Hit       hit
}

// pstate is what the detector remembers of one principal.
type pstate struct {
	// Touched by every access: kept together at the front.
	Day     int64 // the day of the sets below (-1: none)
	Last    int64 // time of her last access
	HourKey int64
	FastDay int64 // day of the last mass-extraction alert
	Pending int32 // her reads among the detector's pending ones
	peerKey uint64
	peerRef *peerState // her peer group, cached (not encoded: found again)
	HourSet personSet  // distinct persons this hour, outside bulk tasks
	Today   [48]uint16
	Unexpl  personSet // unexplained persons today
	DayAll  []uint32  // rules-only: persons read today, counted at close
	DayIDs  []uint64

	UnexplIDs []hit     // their reads
	Out       personSet // unexplained persons of another territory today
	OutIDs    []hit
	Off       personSet // unexplained persons read off-hours today
	OffIDs    []hit
	Recent    []hit    // unexplained reads of the six previous days
	Retro     []uint32 // persons explained later today
	Sens      []hit    // person-pattern reads of the last 30 days not yet alerted
	Reviewed  []hit    // review items of the last 30 days, one per person and rule
	Alerted   [numScenarios]int32
	Own       activity // her activity on earlier days, per hour of the week kind
	PastHours ring     // distinct persons per active hour
	PastDays  ring     // unexplained distinct persons per active day
	PastOut   ring     // unexplained out-of-territory persons per active day
	Daily     [32]uint32
	DailyDay  [32]int32
	Tainted   int64 // confirmed misuse: days up to this one are not learnt
}

// peerState is what the detector knows of a peer group (role and
// organisation kind): distributions over its principal-days.
type peerState struct {
	Act   activity
	Today activity // the day under way, before it joins Act
	// TodayDays and TodayOut are the day's counts of the group, while it
	// closes: the norm of a group that has no earlier day yet.
	TodayDays hist
	TodayOut  hist
	Hours     hist // distinct persons per principal-hour
	Days      hist // unexplained distinct persons per principal-day
	Out       hist // unexplained out-of-territory persons per principal-day
	Week      hist // unexplained distinct persons over seven days, per principal-day
	Month     hist // over thirty days
}

// Detector scores a stream of events. Observe it event by event in time
// order (the live audit stream, or a batch); Flush at the end. Not safe for
// concurrent use: run one per stream.
type Detector struct {
	cfg      Config
	dir      Directory
	utc      bool
	states   []pstate
	peers    map[uint64]*peerState
	orgs     map[uint32]*activity
	touched  []uint32
	curDay   int64
	pending  []pending // reads waiting for Delay, in time order, from pendHead
	pendHead int
	suppress map[uint64]int64 // principal<<8|rule → until (Unix seconds)
	stats    Stats
}

// Stats count what the detector saw.
type Stats struct {
	Events      int64 `json:"events"`
	Reads       int64 `json:"reads"`     // person disclosures
	Refused     int64 `json:"refused"`   // refused attempts
	Explained   int64 `json:"explained"` // by the gate's explanation or the directory at the time of access
	BulkTask    int64 `json:"bulk_task"` // by an approved bulk task
	Retroactive int64 `json:"retroactive"`
	Unexplained int64 `json:"unexplained"` // left to the rules
	Alerts      int64 `json:"alerts"`
	Reviews     int64 `json:"reviews"` // review items (see Alert.Review)
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
	if cfg.Delay == 0 {
		cfg.Delay = 15 * time.Minute
	}
	if cfg.Calibration == nil {
		cfg.Calibration = NewCalibration()
	}
	d := &Detector{cfg: cfg, dir: dir, utc: cfg.Location == time.UTC, curDay: -1, suppress: map[uint64]int64{},
		peers: map[uint64]*peerState{}, orgs: map[uint32]*activity{}}
	if cfg.Principals > 0 {
		d.state(uint32(cfg.Principals))
	}
	return d
}

// Stats returns the counters so far.
func (d *Detector) Stats() Stats { return d.stats }

// Suppress silences rule for principal until the given time: a verdict of
// "justified" or "false positive" must not bring the same alert back.
func (d *Detector) Suppress(principal uint32, rule Scenario, until time.Time) {
	d.suppress[uint64(principal)<<8|uint64(rule)] = until.Unix()
}

// Confirm records a verdict of confirmed misuse by principal between from
// and to: those days leave her baselines and are not learnt any more.
func (d *Detector) Confirm(principal uint32, from, to time.Time) {
	st := d.state(principal)
	f, _, _ := d.clock(from.Unix())
	t, _, _ := d.clock(to.Unix())
	st.PastHours.forget(f, t)
	st.PastDays.forget(f, t)
	st.PastOut.forget(f, t)
	for i := range st.Daily {
		if dd := int64(st.DailyDay[i]); dd >= f && dd <= t {
			st.Daily[i] = 0
		}
	}
	st.Tainted = max(st.Tainted, t)
}

func (d *Detector) suppressed(principal uint32, rule Scenario, t int64) bool {
	until, ok := d.suppress[uint64(principal)<<8|uint64(rule)]
	if ok && t < until {
		d.stats.Suppressed++
		return true
	}
	return false
}

// clock returns the day number, hour of day and week-end flag of t.
func (d *Detector) clock(t int64) (day int64, hour int, weekend bool) {
	if d.utc {
		day = t / 86400
		wd := (day + 4) % 7 // 1 January 1970 was a Thursday
		return day, int(t % 86400 / 3600), wd == 0 || wd == 6
	}
	lt := time.Unix(t, 0).In(d.cfg.Location)
	_, off := lt.Zone()
	wd := lt.Weekday()
	return (t + int64(off)) / 86400, lt.Hour(), wd == time.Saturday || wd == time.Sunday
}

func (d *Detector) state(p uint32) *pstate {
	if int(p) >= len(d.states) {
		n := max(int(p)+1, len(d.states)+len(d.states)/4, 1024)
		grown := make([]pstate, n)
		copy(grown, d.states)
		for i := len(d.states); i < n; i++ {
			grown[i].Day, grown[i].FastDay = -1, -1
			for r := range grown[i].Alerted {
				grown[i].Alerted[r] = -1
			}
		}
		d.states = grown
	}
	return &d.states[p]
}

func (d *Detector) peer(info PrincipalInfo) *peerState {
	return d.peerOf(nil, info)
}

// peerOf returns the peer group of a principal, cached in her state.
func (d *Detector) peerOf(st *pstate, info PrincipalInfo) *peerState {
	k := info.peer()
	if st != nil && st.peerRef != nil && st.peerKey == k {
		return st.peerRef
	}
	defer func() {
		if st != nil {
			st.peerKey, st.peerRef = k, d.peers[k]
		}
	}()
	ps, ok := d.peers[k]
	if !ok {
		ps = &peerState{}
		d.peers[k] = ps
	}
	return ps
}

// Observe scores one event and returns the alerts it completes: a
// mass-extraction alert as soon as the volume is crossed, person-pattern
// and off-hours alerts once their reads have waited Delay (within minutes
// of the access), the volume and baseline patterns when the day closes
// (the first event of the next day, or Flush).
func (d *Detector) Observe(ev *Event) []Alert {
	d.stats.Events++
	day, hour, weekend := d.clock(ev.Time)
	var out []Alert
	if day > d.curDay {
		if d.curDay >= 0 {
			out = d.closeDay(out)
		}
		d.curDay = day
	}
	out = d.due(ev.Time, out)
	if ev.Principal == 0 || ev.Person == 0 {
		return out
	}
	st := d.state(ev.Principal)
	if st.Day != day {
		st.Day = day
		d.touched = append(d.touched, ev.Principal)
	}
	st.Last = ev.Time
	if ev.Action == ActCreate {
		if ev.Explanation != ExplNone && !d.cfg.RulesOnly {
			d.explainLater(ev.Principal, st, ev.Person, max(ev.Explanation, ExplFollowup))
		}
		return out
	}
	if !ev.Action.discloses() {
		return out
	}
	allowed := ev.Flags&FlagAllowed != 0
	if !allowed {
		d.stats.Refused++
	}
	info := d.dir.Principal(ev.Principal)
	if allowed {
		b := bin(weekend, hour)
		st.Today[b]++
		pt := &d.peerOf(st, info).Today
		pt.Bins[b]++
		pt.N++
	}
	var tasks []*Task
	if !d.cfg.RulesOnly && allowed {
		tasks = d.dir.Tasks(ev.Principal)
	}
	// A list (search results, an export, matching results), even of one
	// person, discloses cards, not files: opening a file is a read.
	list := ev.Action.list()
	for i := range ev.Persons() {
		person := ev.person(i)
		if allowed {
			d.stats.Reads++
		}
		bulk := false
		for _, t := range tasks {
			if t.Covers(ev.Principal, person, ev.Purpose, ev.Time) {
				bulk = true
				break
			}
		}
		expl := ExplNone
		if !d.cfg.RulesOnly {
			expl = ev.Explanation
			if !expl.personal() {
				expl = max(expl, d.dir.Relation(ev.Principal, person, ev.Time))
			}
			// A call reference is a contact with the person at that
			// moment, as the live directory's declared call is: the
			// principal's own relationship, like an appointment.
			if ev.Flags&FlagCall != 0 && !expl.personal() {
				expl = ExplAppointment
			}
		}
		switch {
		case !allowed:
		case bulk:
			d.stats.BulkTask++
		case expl.explains():
			d.stats.Explained++
		default:
			d.stats.Unexplained++
		}
		// Mass extraction counts the persons nothing explains: a partner
		// system syncing the persons its organisation follows is not one.
		if allowed && !bulk && !expl.explains() {
			out = d.volume(ev, st, info, person, day, out)
		}
		if bulk {
			continue
		}
		// Person patterns: an explanation lowers the weight, never vetoes.
		if rule := d.pattern(ev.Principal, info, person, ev.Time); rule != Legit && (!list || d.cfg.RulesOnly) {
			h := hit{ID: ev.ID, Time: ev.Time, Person: person, Rule: rule, Units: 1, Expl: expl}
			d.pending = append(d.pending, pending{Principal: ev.Principal, Hit: h})
			st.Pending++
		}
		if expl.explains() {
			if allowed && !list {
				d.explainLater(ev.Principal, st, person, expl)
			}
			continue
		}
		if !allowed || list && !d.cfg.RulesOnly {
			continue // a refused attempt or a list is a signal for person patterns only
		}
		if d.cfg.RulesOnly {
			if d.offHours(st, info, weekend, hour, ev.Time) {
				d.pending = append(d.pending, pending{Principal: ev.Principal, Hit: hit{ID: ev.ID, Time: ev.Time, Person: person, Rule: OffHours}})
				st.Pending++
			}
			continue // the pilot counts the day's persons, explained or not
		}
		h := hit{ID: ev.ID, Time: ev.Time, Person: person}
		if st.Unexpl.add(person, ev.ID) {
			st.UnexplIDs = append(st.UnexplIDs, h)
		}
		if pt := d.dir.Person(person).Territory; info.Territory != 0 && pt != 0 && pt != info.Territory && st.Out.add(person, ev.ID) {
			st.OutIDs = append(st.OutIDs, h)
		}
		if d.offHours(st, info, weekend, hour, ev.Time) {
			h.Rule = OffHours
			d.pending = append(d.pending, pending{Principal: ev.Principal, Hit: h})
			st.Pending++
		}
	}
	return out
}

// explainLater records that the principal has a relationship with the
// event's person now: her unexplained reads of the person earlier today
// were the first step of it (a lookup before a registration).
func (d *Detector) explainLater(principal uint32, st *pstate, person uint32, expl Explanation) {
	if st.Unexpl.has(person) && !slices.Contains(st.Retro, person) {
		st.Retro = append(st.Retro, person)
	}
	if st.Pending == 0 {
		return
	}
	for i := d.pendHead; i < len(d.pending); i++ {
		if p := &d.pending[i]; p.Principal == principal && p.Hit.Person == person {
			p.Hit.Expl = max(p.Hit.Expl, expl)
		}
	}
}

// volume counts the distinct persons of the hour and raises a
// mass-extraction alert as soon as they exceed the limit.
func (d *Detector) volume(ev *Event, st *pstate, info PrincipalInfo, person uint32, day int64, out []Alert) []Alert {
	hk := ev.Time / 3600
	if hk != st.HourKey {
		if n := st.HourSet.len(); n > 0 && st.FastDay != day && st.Tainted < day {
			st.PastHours.push(day, n)
			d.peerOf(st, info).Hours.add(n)
		}
		st.HourSet.reset()
		st.HourKey = hk
	}
	if d.cfg.RulesOnly {
		st.DayAll = append(st.DayAll, person)
		st.DayIDs = append(st.DayIDs, ev.ID)
	}
	if !st.HourSet.add(person, ev.ID) || st.HourSet.len() < d.cfg.FastFloor || st.FastDay == day {
		return out
	}
	limit := d.cfg.FastFloor
	if !d.cfg.RulesOnly {
		if own, ok := st.PastHours.limit(8, 4, d.cfg.FastFloor); ok {
			limit = own
		} else if ps := d.peerOf(st, info); ps.Hours.N >= 50 {
			limit = max(limit, int(4*ps.Hours.quantile(0.99)))
		}
	}
	n := st.HourSet.len()
	if n < limit || d.suppressed(ev.Principal, MassFast, ev.Time) {
		return out
	}
	st.FastDay = day
	return append(out, d.alert(MassFast, ev.Principal, info, day, ev.Time, float64(n)/float64(limit), false, n, n, slices.Clone(st.HourSet.IDs)))
}

// pattern returns the most specific person pattern of a principal's access
// to a person: a declared conflict, her household, a colleague, a former
// colleague, a protected person, a neighbour.
func (d *Detector) pattern(principal uint32, pr PrincipalInfo, person uint32, at int64) Scenario {
	if pr.Client {
		return Legit
	}
	pe := d.dir.Person(person)
	switch {
	case pe.Conflicted && d.dir.Conflict(principal, person):
		return Conflict
	case pr.Identity != 0 && pe.Identity == pr.Identity:
		return Legit // her own file
	case pr.Household != 0 && pe.Household == pr.Household,
		(pr.Household == 0 || pe.Household == 0) && pr.Address != 0 && pe.Address == pr.Address:
		return Family
	}
	if pe.Staff != 0 && pe.Staff != principal {
		st := d.dir.Principal(pe.Staff)
		if st.Org != 0 && st.Org == pr.Org {
			if st.End != 0 && st.End < at {
				return FormerEmployee
			}
			return Colleague
		}
	}
	switch {
	case pe.Protected != ProtNone:
		return PublicFigure
	case pr.Street != 0 && pe.Street == pr.Street && pe.Address != pr.Address:
		return Neighbour
	}
	return Legit
}

// offHours judges an hour against the activity of earlier days: the
// principal's own when she has enough history, else her organisation's,
// else her peers', else the network's office hours.
func (d *Detector) offHours(st *pstate, info PrincipalInfo, weekend bool, hour int, t int64) bool {
	if d.cfg.RulesOnly {
		return weekend || hour < 8 || hour >= 19
	}
	b := bin(weekend, hour)
	switch {
	case st.Own.N >= 60:
		return st.Own.share(b) < 0.02
	case d.orgs[info.Org] != nil && d.orgs[info.Org].N >= 300:
		return d.orgs[info.Org].share(b) < 0.01
	case d.peerOf(st, info).Act.N >= 1000:
		return d.peerOf(st, info).Act.share(b) < 0.005
	case d.peerOf(st, info).Today.N >= 200:
		// No earlier day yet: her peers' activity so far today.
		return d.peerOf(st, info).Today.share(b) < 0.005
	}
	return weekend || hour < 7 || hour >= 20
}

// due judges the pending reads that have waited Delay by now.
func (d *Detector) due(now int64, out []Alert) []Alert {
	delay := int64(d.cfg.Delay / time.Second)
	for d.pendHead < len(d.pending) && d.pending[d.pendHead].Hit.Time+delay <= now {
		p := d.pending[d.pendHead]
		d.pendHead++
		d.states[p.Principal].Pending--
		out = d.judge(p, out)
	}
	if d.pendHead > 1024 && d.pendHead > len(d.pending)/2 {
		d.pending = append(d.pending[:0], d.pending[d.pendHead:]...)
		d.pendHead = 0
	}
	return out
}

// judge adds a pending read to its rule and raises the alert when the
// rule's threshold is crossed.
func (d *Detector) judge(p pending, out []Alert) []Alert {
	st := &d.states[p.Principal]
	h := p.Hit
	day, _, _ := d.clock(h.Time)
	info := d.dir.Principal(p.Principal)
	if h.Rule == OffHours {
		if slices.Contains(st.Retro, h.Person) || !st.Off.add(h.Person, h.ID) {
			if st.Off.has(h.Person) {
				st.OffIDs = append(st.OffIDs, h)
			}
			return out
		}
		st.OffIDs = append(st.OffIDs, h)
		if st.Off.len() < offFloor || int64(st.Alerted[OffHours]) == day || d.suppressed(p.Principal, OffHours, h.Time) {
			return out
		}
		st.Alerted[OffHours] = int32(day)
		a := d.alert(OffHours, p.Principal, info, day, h.Time, float64(st.Off.len())/offFloor, false, len(st.OffIDs), st.Off.len(), hitIDs(st.OffIDs))
		st.OffIDs = st.OffIDs[:0]
		return append(out, a)
	}
	// Person patterns, by what explains the read (see tier).
	h.Units = 1
	switch tier(h.Rule, h.Expl, d.cfg.RulesOnly) {
	case tierNone:
		return out
	case tierReview:
		return d.review(p.Principal, st, info, h, day, out)
	}
	if int64(st.Alerted[h.Rule]) == day {
		return out // the rule already alerted today
	}
	// One unit per person and hour: reloading a page is not a new read.
	for _, o := range st.Sens {
		if o.Person == h.Person && o.Time/3600 == h.Time/3600 {
			return out
		}
	}
	st.Sens = slices.DeleteFunc(st.Sens, func(o hit) bool { return o.Time < h.Time-keepDays*86400 })
	st.Sens = append(st.Sens, h)
	var total float32
	var reads int
	var ids []uint64
	persons := personSet{}
	explained := false
	for _, o := range st.Sens {
		if o.Rule == h.Rule {
			total += o.Units
			reads++
			ids = append(ids, o.ID)
			persons.add(o.Person, o.ID)
			explained = explained || o.Expl.explains()
		}
	}
	if total < thresholds[h.Rule] || d.suppressed(p.Principal, h.Rule, h.Time) {
		return out
	}
	st.Alerted[h.Rule] = int32(day)
	st.Sens = slices.DeleteFunc(st.Sens, func(o hit) bool { return o.Rule == h.Rule })
	return append(out, d.alert(h.Rule, p.Principal, info, day, h.Time, float64(total)/float64(thresholds[h.Rule]), explained, reads, persons.len(), ids))
}

// Tiers of a person-pattern read: what its explanation says of it.
const (
	tierNone   = iota // her own work: nothing to file
	tierReview        // a review item, filed ranked low, not counted as an alert
	tierAlert         // an alert, filed for review with a deadline
)

// tier decides what a person-pattern read is worth, by the most specific
// explanation of the access (référent > delegation > portfolio >
// organisation follow-up > appointment or call > … > territory):
//   - a declared conflict is an alert whatever explains it: she declared
//     that she must not read that file;
//   - an unexplained read (territory, an exact-identifier lookup, nothing)
//     of a sensitive person is an alert: no relationship makes it her
//     business;
//   - her household's file, however explained, is a review item: the
//     relationship may be real, but she should not be the one handling it
//     (the review asks for a declared conflict or a reassignment);
//   - a colleague's, a former colleague's, a protected person's or a
//     neighbour's file explained only by her organisation (a follow-up by
//     someone else, an orientation, a proposal) is a review item: the
//     organisation's relationship is real, hers is not shown;
//   - the same explained by her own relationship (référent, delegation,
//     portfolio, an appointment or a call with the person) is her work, and
//     so is an explained read of a neighbour (living in the same street is
//     not sensitive in itself: only curiosity without a reason is).
//
// The pilot (rules-only) alerts on every read.
func tier(rule Scenario, expl Explanation, rulesOnly bool) int {
	switch {
	case rulesOnly, rule == Conflict, !expl.explains():
		return tierAlert
	case rule == Family:
		return tierReview
	case expl.personal(), rule == Neighbour:
		return tierNone
	}
	return tierReview
}

// review files a review item for a person-pattern read that a
// relationship explains: once per principal, person and rule over
// keepDays (the same relationship read every day is one item, carried
// across days).
func (d *Detector) review(principal uint32, st *pstate, info PrincipalInfo, h hit, day int64, out []Alert) []Alert {
	st.Reviewed = slices.DeleteFunc(st.Reviewed, func(o hit) bool { return o.Time < h.Time-keepDays*86400 })
	for _, o := range st.Reviewed {
		if o.Person == h.Person && o.Rule == h.Rule {
			return out
		}
	}
	if d.suppressed(principal, h.Rule, h.Time) {
		return out
	}
	st.Reviewed = append(st.Reviewed, h)
	a := d.alert(h.Rule, principal, info, day, h.Time, 1, true, 1, 1, []uint64{h.ID})
	a.Review = true
	a.Level = LevelLow.String()
	a.Critical = false
	a.Score = round(a.Score/2, 4)
	d.stats.Alerts--
	d.stats.Reviews++
	return append(out, a)
}

func hitIDs(hs []hit) []uint64 {
	ids := make([]uint64, len(hs))
	for i, h := range hs {
		ids[i] = h.ID
	}
	return ids
}

// alert builds an alert: its level from the rule, its score from the
// rule's calibrated precision and how far the threshold was crossed.
func (d *Detector) alert(rule Scenario, principal uint32, info PrincipalInfo, day, t int64, ratio float64, explained bool, reads, persons int, evidence []uint64) Alert {
	d.stats.Alerts++
	level := LevelMedium
	switch rule {
	case MassFast, MassSlow, Conflict:
		level = LevelCritical
	case Family, Colleague, FormerEmployee, PublicFigure:
		level = LevelHigh
	}
	strength := min(1, 0.6+0.2*(ratio-1))
	if explained {
		strength /= 2
		level = min(level, LevelMedium)
	}
	return Alert{Rule: rule, RuleName: rule.String(), Principal: principal, Org: info.Org, Day: day, Time: t,
		Score: round(d.cfg.Calibration.Precision(rule.String())*strength, 4), Level: level.String(), Critical: level == LevelCritical,
		Explained: explained, Reads: reads, Persons: persons, Reason: fmt.Sprintf(reasons[rule], reads, persons), Evidence: evidence}
}

// Tick is Observe without an event: when the stream is quiet, the live
// loop calls it with the current time so that the reads that have waited
// the delay are judged and a day that has ended is closed.
func (d *Detector) Tick(now time.Time) []Alert {
	t := now.Unix()
	var out []Alert
	if day, _, _ := d.clock(t); d.curDay >= 0 && day > d.curDay {
		out = d.closeDay(out)
		d.curDay = day
	}
	return d.due(t, out)
}

// Flush judges every pending read and closes the current day: call it at
// the end of a batch. A live detector that stops saves its state instead
// (MarshalBinary) and goes on after a restart.
func (d *Detector) Flush() []Alert {
	out := d.closeDay(nil)
	d.curDay = -1
	return out
}

// closeDay judges the pending reads and the day of every principal active
// in it.
func (d *Detector) closeDay(out []Alert) []Alert {
	for _, p := range d.pending[d.pendHead:] {
		d.states[p.Principal].Pending--
		out = d.judge(p, out)
	}
	d.pending, d.pendHead = d.pending[:0], 0
	// First the day's counts of every principal, so that a peer group
	// without earlier days is judged against its own day.
	for _, p := range d.touched {
		st := &d.states[p]
		d.explainRetro(st)
		ps := d.peerOf(st, d.dir.Principal(p))
		ps.TodayDays.add(len(st.UnexplIDs))
		ps.TodayOut.add(len(st.OutIDs))
	}
	for _, p := range d.touched {
		out = d.closePrincipal(p, &d.states[p], out)
	}
	d.touched = d.touched[:0]
	for _, ps := range d.peers {
		ps.Today, ps.TodayDays, ps.TodayOut = activity{}, hist{}, hist{}
	}
	return out
}

// explainRetro drops the unexplained reads of the day that a relationship
// created later that day explains (a registration after a lookup).
func (d *Detector) explainRetro(st *pstate) {
	if len(st.Retro) == 0 {
		return
	}
	drop := func(hs []hit) []hit {
		return slices.DeleteFunc(hs, func(h hit) bool { return slices.Contains(st.Retro, h.Person) })
	}
	n := len(st.UnexplIDs)
	st.UnexplIDs, st.OutIDs = drop(st.UnexplIDs), drop(st.OutIDs)
	st.Retro = st.Retro[:0]
	d.stats.Retroactive += int64(n - len(st.UnexplIDs))
	d.stats.Unexplained -= int64(n - len(st.UnexplIDs))
}

func (d *Detector) closePrincipal(p uint32, st *pstate, out []Alert) []Alert {
	day := st.Day
	info := d.dir.Principal(p)
	ps := d.peerOf(st, info)
	learn := st.Tainted < day
	defer func() {
		if learn {
			st.Own.merge(&st.Today)
			ps.Act.merge(&st.Today)
			if info.Org != 0 {
				oa := d.orgs[info.Org]
				if oa == nil {
					oa = &activity{}
					d.orgs[info.Org] = oa
				}
				oa.merge(&st.Today)
			}
		}
		st.Today = [48]uint16{}
		st.Recent = slices.DeleteFunc(append(st.Recent, st.UnexplIDs...), func(h hit) bool { return h.Time < (day-5)*86400 })
		if len(st.Recent) > 400 {
			st.Recent = st.Recent[len(st.Recent)-400:]
		}
		st.Unexpl.reset()
		st.Out.reset()
		st.Off.reset()
		st.UnexplIDs, st.OutIDs, st.OffIDs, st.Retro = st.UnexplIDs[:0], st.OutIDs[:0], st.OffIDs[:0], st.Retro[:0]
		st.DayAll, st.DayIDs = st.DayAll[:0], st.DayIDs[:0]
	}()
	distinct := len(st.UnexplIDs)
	outside := len(st.OutIDs)
	var dayIDs []uint64
	if d.cfg.RulesOnly {
		distinct, dayIDs = st.distinctToday()
	}
	st.Daily[day%32], st.DailyDay[day%32] = uint32(distinct), int32(day)
	var week, month int
	for i, v := range st.Daily {
		if dd := int64(st.DailyDay[i]); dd > day-7 {
			week += int(v)
		}
		if dd := int64(st.DailyDay[i]); dd > day-30 {
			month += int(v)
		}
	}
	if learn {
		defer func() {
			if distinct > 0 {
				st.PastDays.push(day, distinct)
			}
			if outside > 0 {
				st.PastOut.push(day, outside)
			}
			ps.Days.add(distinct)
			ps.Out.add(outside)
			ps.Week.add(week)
			ps.Month.add(month)
		}()
	}
	if st.FastDay == day {
		return out // the day's reads belong to the extraction already raised
	}
	t := st.lastTime()

	// Slow extraction: distinct unexplained persons over the day.
	limit := d.cfg.SlowFloor
	if !d.cfg.RulesOnly {
		limit = d.dayLimit(&st.PastDays, &ps.Days, &ps.TodayDays, d.cfg.SlowFloor)
	}
	if distinct >= limit && distinct > 0 && !d.suppressed(p, MassSlow, t) {
		ids := hitIDs(st.UnexplIDs)
		if d.cfg.RulesOnly {
			ids = dayIDs
		}
		return append(out, d.alert(MassSlow, p, info, day, t, float64(distinct)/float64(limit), false, distinct, distinct, ids))
	}
	if d.cfg.RulesOnly {
		return out
	}
	// Out of territory: unexplained persons of other territories.
	if outside > 0 {
		if limit := d.dayLimit(&st.PastOut, &ps.Out, &ps.TodayOut, outFloor); outside >= limit && !d.suppressed(p, OutOfTerritory, t) {
			out = append(out, d.alert(OutOfTerritory, p, info, day, t, float64(outside)/float64(limit), false, outside, outside, hitIDs(st.OutIDs)))
		}
	}
	// Curiosity: unexplained persons accumulated over seven and thirty
	// days, against the peers.
	if distinct > 0 && ps.Week.N >= 30 {
		wl := max(curiosityFloor, int(3*ps.Week.quantile(0.95)))
		ml := max(3*curiosityFloor, int(3*ps.Month.quantile(0.95)))
		if (week >= wl || month >= ml) && int64(st.Alerted[Curiosity]) < day-6 && !d.suppressed(p, Curiosity, t) {
			st.Alerted[Curiosity] = int32(day)
			ids := append(hitIDs(st.Recent), hitIDs(st.UnexplIDs)...)
			out = append(out, d.alert(Curiosity, p, info, day, t, max(float64(week)/float64(wl), float64(month)/float64(ml)), false, len(ids), week, ids))
		}
	}
	return out
}

// dayLimit is a principal's own robust limit of a daily count when she has
// history, else three times her peers' 95th percentile on earlier days,
// or on this day when the group has no earlier day (a few misusers among
// the peers must not become the norm).
func (d *Detector) dayLimit(own *ring, peers, peersToday *hist, floor int) int {
	if l, ok := own.limit(6, 3, floor); ok {
		return l
	}
	for _, h := range []*hist{peers, peersToday} {
		if h.N >= 30 {
			return max(floor, int(3*h.quantile(0.95)))
		}
	}
	return floor
}

// distinctToday counts the distinct persons of the day (rules-only) and
// returns the first event of each.
func (st *pstate) distinctToday() (int, []uint64) {
	idx := make([]int, len(st.DayAll))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(st.DayAll[a], st.DayAll[b]) })
	var ids []uint64
	for i, j := range idx {
		if i == 0 || st.DayAll[j] != st.DayAll[idx[i-1]] {
			ids = append(ids, st.DayIDs[j])
		}
	}
	return len(ids), ids
}

func (st *pstate) lastTime() int64 {
	return st.Last
}
