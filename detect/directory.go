package detect

import "slices"

// Role is what a principal does, the first key of its peer group.
type Role uint8

// Roles, from the staff directory (any other string is RoleOther).
const (
	RoleUnknown Role = iota
	RoleAdviser
	RoleCompanyAdviser
	RoleBackOffice
	RolePhonePlatform
	RoleManager
	RolePartnerSystem
	RoleOther
)

var roleNames = [...]string{"", "adviser", "company_adviser", "back_office", "phone_platform", "manager", "partner_system", "other"}

func (r Role) String() string { return enumName(roleNames[:], r, "other") }

// ParseRole returns the role of that name: RoleUnknown for "", RoleOther
// for a name it does not know.
func ParseRole(s string) Role { return enumParse(roleNames[:], s, RoleOther) }

// Protection is why a person is in the register of protected persons.
type Protection uint8

// Protections (any other non-empty string is ProtOther).
const (
	ProtNone Protection = iota
	ProtPublicFigure
	ProtElected
	ProtStaffRelative
	ProtVIP
	ProtOther
)

var protectionNames = [...]string{"", "public_figure", "elected", "staff_relative", "vip", "other"}

func (p Protection) String() string { return enumName(protectionNames[:], p, "other") }

// ParseProtection returns the protection of that name.
func ParseProtection(s string) Protection { return enumParse(protectionNames[:], s, ProtOther) }

// enumName returns the name of an enumerated value, other when out of
// range.
func enumName[T ~uint8](names []string, v T, other string) string {
	if int(v) < len(names) {
		return names[v]
	}
	return other
}

// enumParse returns the value named s, other when no name matches.
func enumParse[T ~uint8](names []string, s string, other T) T {
	for i, n := range names {
		if n == s {
			return T(i)
		}
	}
	return other
}

// PrincipalInfo is what detection knows of an agent or a partner system.
// Identity, Household, Address and Street are interned keyed hashes (never
// clear values): the detector only compares them for equality. Zero fields
// are unknown and never match.
type PrincipalInfo struct {
	Org       uint32
	OrgKind   uint32 // interned organisation kind (france_travail, mission_locale, partner…)
	Role      Role
	Territory uint32 // interned département of the organisation
	Identity  uint32 // the staff member's own person record (NIR + birth date hash)
	Household uint32
	Address   uint32
	Street    uint32
	End       int64 // Unix seconds after which she no longer works there (0: still does)
	Client    bool  // a partner system, not a person
}

// peer returns the peer-group key: role and organisation kind.
func (p PrincipalInfo) peer() uint64 {
	r := p.Role
	if p.Client && r == RoleUnknown {
		r = RolePartnerSystem
	}
	return uint64(r)<<32 | uint64(p.OrgKind)
}

// PersonInfo is what detection knows of a person. Staff links the person
// to the principal she is (a staff member's own record), which gives the
// colleague and former-employee patterns.
type PersonInfo struct {
	Territory uint32
	Identity  uint32
	Household uint32
	Address   uint32
	Street    uint32
	Protected Protection
	Staff     uint32 // the principal who is this person (0: not staff)
	// Conflicted says that some staff member declared a conflict of
	// interest with this person: only then is Directory.Conflict asked.
	Conflicted bool
}

// Task is a declared bulk task: a principal reads a population for a
// purpose during a window. Approved tasks explain their accesses up to
// Grace seconds after To and are exempt from the volume limits.
type Task struct {
	ID        uint32
	Principal uint32
	Purpose   uint8
	From, To  int64 // Unix seconds
	Grace     int64 // seconds after To still covered
	Approved  bool
	Persons   map[uint32]struct{} // nil: the whole population of the purpose
}

// Covers reports whether the task explains the access of principal to
// person for purpose at t (an access or a task without a purpose matches
// any).
func (t *Task) Covers(principal, person uint32, purpose uint8, at int64) bool {
	if t == nil || !t.Approved || t.Principal != principal || at < t.From || at > t.To+t.Grace {
		return false
	}
	if t.Purpose != 0 && purpose != 0 && t.Purpose != purpose {
		return false
	}
	if t.Persons == nil {
		return true
	}
	_, ok := t.Persons[person]
	return ok
}

// Directory gives detection the facts behind ids. The contract:
//   - Principal and Person are called for most events: they must be cheap
//     (an array or a map, no I/O on the hot path) and return the zero value
//     for an unknown id.
//   - Relation returns the most specific relationship the directory knows
//     between the principal and the person at time at, beyond what the gate
//     recorded: a follow-up (ExplReferent when she is the référent,
//     ExplFollowup when her organisation follows), a cover of a colleague's
//     portfolio (ExplDelegation), a reception check-in or the attendance of
//     a collective event of her organisation (ExplAppointment); ExplNone
//     when nothing. It is asked only for accesses the gate left unexplained
//     or explained by the organisation alone.
//   - Conflict reports a conflict of interest the principal declared.
//   - Tasks returns the declared bulk tasks of the principal (usually none).
//
// The simulated World implements it; MemDirectory holds one in memory (the
// labelled event files, the live directory); AuditSource knows what the
// audit events say.
type Directory interface {
	Principal(id uint32) PrincipalInfo
	Person(id uint32) PersonInfo
	Relation(principal, person uint32, at int64) Explanation
	Conflict(principal, person uint32) bool
	Tasks(principal uint32) []*Task
}

// window is a span of time [From, To] in Unix seconds; To 0 is open.
type window struct{ From, To int64 }

func (w window) contains(t int64) bool { return t >= w.From && (w.To == 0 || t <= w.To) }

type followup struct {
	Org, Referent uint32
	window
}

type delegation struct {
	Of uint32
	window
}

// Explanation margins of the reception and of collective events: a walk-in
// is read during her visit, attendees on the days around the event.
const (
	checkinBefore = 30 * 60
	checkinAfter  = 8 * 3600
	eventMargin   = 24 * 3600
)

// MemDirectory is a Directory held in memory, filled with the Add methods
// and the interners (ids are shared with the events it explains). The zero
// value is not usable: call NewMemDirectory. Not safe for concurrent use.
type MemDirectory struct {
	Principals *Interner // agent or client ids
	Persons    *Interner // pseudonymous person references
	Orgs       *Interner
	Names      *Interner // kinds, territories, keyed hashes: compared for equality only
	Purposes   *Interner

	principals        []PrincipalInfo
	persons           []PersonInfo
	byIdentity        map[uint32]uint32       // identity → principal
	personsByIdentity map[uint32][]uint32     // identity → persons
	followups         map[uint32][]followup   // person → follow-ups
	delegations       map[uint32][]delegation // principal → covers
	visits            map[uint64][]window     // org<<32|person → check-ins and events
	conflicts         map[uint64]bool         // principal<<32|person
	conflicted        map[uint32]bool         // persons with a declared conflict
	tasks             map[uint32][]*Task      // principal → tasks
	ntasks            uint32
}

// NewMemDirectory returns an empty directory.
func NewMemDirectory() *MemDirectory {
	return &MemDirectory{Principals: NewInterner(), Persons: NewInterner(), Orgs: NewInterner(), Names: NewInterner(), Purposes: NewInterner(),
		principals: []PrincipalInfo{{}}, persons: []PersonInfo{{}}, byIdentity: map[uint32]uint32{}, personsByIdentity: map[uint32][]uint32{}, followups: map[uint32][]followup{},
		delegations: map[uint32][]delegation{}, visits: map[uint64][]window{}, conflicts: map[uint64]bool{}, conflicted: map[uint32]bool{}, tasks: map[uint32][]*Task{}}
}

// SetPrincipal records what is known of principal id (an interned id).
func (m *MemDirectory) SetPrincipal(id uint32, p PrincipalInfo) {
	for int(id) >= len(m.principals) {
		m.principals = append(m.principals, PrincipalInfo{})
	}
	m.principals[id] = p
	if p.Identity != 0 {
		m.byIdentity[p.Identity] = id
		for _, q := range m.personsByIdentity[p.Identity] {
			m.persons[q].Staff = id
		}
	}
}

// SetPerson records what is known of person id; Staff is derived from the
// principals' identities.
func (m *MemDirectory) SetPerson(id uint32, p PersonInfo) {
	for int(id) >= len(m.persons) {
		m.persons = append(m.persons, PersonInfo{})
	}
	p.Conflicted = p.Conflicted || m.conflicted[id]
	if p.Identity != 0 {
		if p.Staff == 0 {
			p.Staff = m.byIdentity[p.Identity]
		}
		m.personsByIdentity[p.Identity] = append(m.personsByIdentity[p.Identity], id)
	}
	m.persons[id] = p
}

// AddFollowup records that org follows person (referent may be 0) from
// from to to (Unix seconds; to 0 is open).
func (m *MemDirectory) AddFollowup(org, person, referent uint32, from, to int64) {
	m.followups[person] = append(m.followups[person], followup{Org: org, Referent: referent, window: window{from, to}})
}

// AddDelegation records that principal covers of's portfolio from from to
// to.
func (m *MemDirectory) AddDelegation(principal, of uint32, from, to int64) {
	m.delegations[principal] = append(m.delegations[principal], delegation{Of: of, window: window{from, to}})
}

// AddCheckin records a walk-in of person at the reception of org at t.
func (m *MemDirectory) AddCheckin(org, person uint32, t int64) {
	k := uint64(org)<<32 | uint64(person)
	m.visits[k] = append(m.visits[k], window{t - checkinBefore, t + checkinAfter})
}

// AddAttendance records person registered to a collective event of org
// held from from to to.
func (m *MemDirectory) AddAttendance(org, person uint32, from, to int64) {
	k := uint64(org)<<32 | uint64(person)
	m.visits[k] = append(m.visits[k], window{from - eventMargin, to + eventMargin})
}

// AddConflict records a declared conflict of interest.
func (m *MemDirectory) AddConflict(principal, person uint32) {
	m.conflicts[uint64(principal)<<32|uint64(person)] = true
	m.conflicted[person] = true
	if int(person) < len(m.persons) {
		m.persons[person].Conflicted = true
	}
}

// AddTask records a declared bulk task and returns its id.
func (m *MemDirectory) AddTask(t *Task) uint32 {
	m.ntasks++
	t.ID = m.ntasks
	m.tasks[t.Principal] = append(m.tasks[t.Principal], t)
	return t.ID
}

// Principal implements Directory.
func (m *MemDirectory) Principal(id uint32) PrincipalInfo {
	if int(id) < len(m.principals) {
		return m.principals[id]
	}
	return PrincipalInfo{}
}

// Person implements Directory.
func (m *MemDirectory) Person(id uint32) PersonInfo {
	if int(id) < len(m.persons) {
		return m.persons[id]
	}
	return PersonInfo{}
}

// Relation implements Directory.
func (m *MemDirectory) Relation(principal, person uint32, at int64) Explanation {
	org := m.Principal(principal).Org
	best := ExplNone
	covers := m.delegations[principal]
	for _, f := range m.followups[person] {
		if !f.contains(at) {
			continue
		}
		switch {
		case f.Referent != 0 && f.Referent == principal:
			return ExplReferent
		case f.Referent != 0 && slices.ContainsFunc(covers, func(d delegation) bool { return d.Of == f.Referent && d.contains(at) }):
			best = max(best, ExplDelegation)
		case org != 0 && f.Org == org:
			best = max(best, ExplFollowup)
		}
	}
	if best < ExplAppointment && org != 0 {
		for _, w := range m.visits[uint64(org)<<32|uint64(person)] {
			if w.contains(at) {
				best = ExplAppointment
				break
			}
		}
	}
	return best
}

// Conflict implements Directory.
func (m *MemDirectory) Conflict(principal, person uint32) bool {
	return m.conflicts[uint64(principal)<<32|uint64(person)]
}

// Tasks implements Directory.
func (m *MemDirectory) Tasks(principal uint32) []*Task { return m.tasks[principal] }

// Spans are the dated facts of a MemDirectory, by interned id, for a
// replay that loads them elsewhere (the live directory): covers of a
// colleague's portfolio, check-ins and events of organisations (windows
// margins included), declared conflicts, bulk tasks.
type Spans struct {
	Delegations []SpanOf // Principal covers Of
	Visits      []SpanOf // Org welcomed Person
	Conflicts   [][2]uint32
	Tasks       []*Task
}

// SpanOf is one dated fact of Spans.
type SpanOf struct {
	Principal, Of, Org, Person uint32
	From, To                   int64 // Unix seconds; To 0 is open
}

// Spans returns the dated facts of the directory.
func (m *MemDirectory) Spans() Spans {
	var s Spans
	for p, ds := range m.delegations {
		for _, d := range ds {
			s.Delegations = append(s.Delegations, SpanOf{Principal: p, Of: d.Of, From: d.From, To: d.To})
		}
	}
	for k, ws := range m.visits {
		for _, w := range ws {
			s.Visits = append(s.Visits, SpanOf{Org: uint32(k >> 32), Person: uint32(k), From: w.From, To: w.To})
		}
	}
	for k := range m.conflicts {
		s.Conflicts = append(s.Conflicts, [2]uint32{uint32(k >> 32), uint32(k)})
	}
	for _, ts := range m.tasks {
		s.Tasks = append(s.Tasks, ts...)
	}
	return s
}

// Followup returns what the gate knows of a principal's relationship with
// a person at t from the follow-ups alone: ExplReferent when she is the
// référent, ExplFollowup when her organisation follows, with the référents
// of the person (whose cover a declaration may claim).
func (m *MemDirectory) Followup(principal, person uint32, at int64) (Explanation, []uint32) {
	org := m.Principal(principal).Org
	best := ExplNone
	var referents []uint32
	for _, f := range m.followups[person] {
		if !f.contains(at) {
			continue
		}
		if f.Referent != 0 {
			referents = append(referents, f.Referent)
		}
		switch {
		case f.Referent != 0 && f.Referent == principal:
			best = ExplReferent
		case org != 0 && f.Org == org:
			best = max(best, ExplFollowup)
		}
	}
	return best, referents
}

// PrincipalCount and PersonCount are the numbers of ids the directory
// describes.
func (m *MemDirectory) PrincipalCount() int { return len(m.principals) - 1 }

// PersonCount is the number of persons the directory describes.
func (m *MemDirectory) PersonCount() int { return len(m.persons) - 1 }
