// Package detect finds misuse of access to personal data in the audit
// stream: explanation-based auditing first (an access that a relationship,
// a declared cover, a check-in, an event, a call or an approved bulk task
// explains is normal), then rules and robust baselines, per principal and
// per peer group, for what stays unexplained and for the known patterns
// (colleagues, former employees, protected persons, family, neighbours,
// declared conflicts, off-hours reads, out-of-territory browsing,
// curiosity, fast and slow mass extraction). Person patterns are alerted
// within minutes of the access; volume patterns when the day closes. It
// also simulates realistic traffic with confounders and planted misuse, and
// evaluates itself against that ground truth or against a labelled event
// file written by someone else (docs/detect-events.md).
package detect

import (
	"fmt"
	"strings"
)

// Action is what a principal did, compacted to a byte.
type Action uint8

// Actions of the stream.
const (
	ActRead   Action = iota // a person's file was read
	ActSearch               // a search returned the persons
	ActExport               // an export included the persons
	ActCreate               // a relation was created (registration, follow-up)
	ActOther                // anything detection does not score
	ActLookup               // a person found by an exact identifier
	ActMatch                // matching results listed the persons
	ActUpdate               // a person's file was written
)

var actionNames = [...]string{"read", "search", "export", "create", "other", "lookup", "match", "update"}

func (a Action) String() string { return enumName(actionNames[:], a, "other") }

// ParseAction returns the action of that name (ActOther when unknown).
func ParseAction(s string) Action { return enumParse(actionNames[:], s, ActOther) }

// discloses reports whether the action disclosed persons' data.
func (a Action) discloses() bool {
	switch a {
	case ActRead, ActSearch, ActExport, ActLookup, ActMatch, ActUpdate:
		return true
	}
	return false
}

// list reports whether the action discloses a list (search results,
// export, matching results) rather than one file opened on purpose.
func (a Action) list() bool { return a == ActSearch || a == ActExport || a == ActMatch }

// Explanation is the most specific fact that allowed an access, ordered by
// specificity: a greater value is a closer relationship between the
// principal and the person. ExplOrientation and above explain an access;
// below, the access was allowed by a wider rule and stays unexplained.
type Explanation uint8

// Explanations, least specific first.
const (
	ExplNone        Explanation = iota
	ExplBreakGlass              // access outside the rules, with a justification
	ExplLookup                  // exact-identifier lookup
	ExplTerritory               // the person lives in the organisation's territory
	ExplOrientation             // oriented to the organisation
	ExplProposal                // proposed on an offer the organisation follows
	ExplAppointment             // an appointment, a check-in, an event attended, a call
	ExplFollowup                // the organisation follows the person
	ExplPortfolio               // in the principal's portfolio
	ExplDelegation              // the principal covers the référent's portfolio
	ExplReferent                // the principal is the person's référent
)

var explanationNames = [...]string{"none", "break_glass", "lookup", "territory", "orientation", "proposal", "appointment", "followup", "portfolio", "delegation", "referent"}

func (e Explanation) String() string { return enumName(explanationNames[:], e, "none") }

// ParseExplanation returns the explanation of that name, or of a policy
// fact kind; ok is false when the name is none of them.
func ParseExplanation(s string) (Explanation, bool) {
	e := enumParse(explanationNames[:], s, Explanation(len(explanationNames)))
	if int(e) == len(explanationNames) {
		return ExplNone, false
	}
	return e, true
}

// explains reports whether the explanation makes the access normal.
func (e Explanation) explains() bool { return e >= ExplOrientation }

// personal reports whether the principal herself, not only her
// organisation, is in a relationship with the person.
func (e Explanation) personal() bool {
	return e == ExplAppointment || e >= ExplPortfolio
}

// Event flags.
const (
	FlagAllowed    uint8 = 1 << iota // the gate allowed the access (else a refused attempt)
	FlagBreakGlass                   // access outside the rules, with a justification
	FlagClient                       // the principal is a partner system, not a person
	FlagCall                         // made during a phone call (a call reference is recorded)
)

// Event is one access as detection sees it: every id interned to a uint32
// so that ten million events fit in a few hundred megabytes. Person 0 means
// no person (a company, a search that found nobody).
type Event struct {
	ID          uint64   // position in the stream, from 1
	Time        int64    // Unix seconds
	Principal   uint32   // the agent or client, interned
	Org         uint32   // its organisation, interned (0: unknown)
	Person      uint32   // the (first) person disclosed (0: none)
	More        []uint32 // the other persons a search, export or match disclosed; nil for one person
	Task        uint32   // the declared bulk task the access claims (0: none; informative, coverage is the directory's)
	Session     uint32   // session or device, interned (0: unknown)
	Remote      uint32   // remote address, interned keyed hash (0: unknown)
	Categories  uint16   // bit set of the categories read (CategoryBit)
	Records     uint16
	Action      Action
	Explanation Explanation // the most specific fact the gate allowed it on
	Purpose     uint8       // index in the purposes (0: none)
	Flags       uint8
}

// Persons returns the number of persons the event disclosed.
func (ev *Event) Persons() int {
	if ev.Person == 0 {
		return 0
	}
	return 1 + len(ev.More)
}

// person returns the i-th person of the event.
func (ev *Event) person(i int) uint32 {
	if i == 0 {
		return ev.Person
	}
	return ev.More[i-1]
}

// categoryNames are the data categories of the gate, one bit each.
var categoryNames = [...]string{"identity", "contact", "parcours", "skills", "health", "justice", "bank"}

// CategoryBit returns the bit of a category name (0 when unknown).
func CategoryBit(name string) uint16 {
	for i, n := range categoryNames {
		if n == name {
			return 1 << i
		}
	}
	return 0
}

// Scenario is a kind of misuse, and the rule that looks for it: the
// detector's rules use the same names as the planted scenarios so that
// precision can be computed per rule. Legit is the zero value.
type Scenario uint8

// Scenarios. Legit is the zero value.
const (
	Legit Scenario = iota
	Colleague
	FormerEmployee
	PublicFigure
	Family
	Neighbour
	OffHours
	OutOfTerritory
	MassFast
	MassSlow
	Curiosity
	Conflict
	numScenarios
)

var scenarioNames = [...]string{"legit", "colleague", "former_employee", "public_figure", "family", "neighbour", "off_hours", "out_of_territory", "mass_fast", "mass_slow", "curiosity", "conflict"}

func (s Scenario) String() string {
	if int(s) < len(scenarioNames) {
		return scenarioNames[s]
	}
	return fmt.Sprintf("scenario(%d)", s)
}

// Scenarios lists the misuse scenarios (every one but Legit).
func Scenarios() []Scenario {
	s := make([]Scenario, 0, numScenarios-1)
	for i := Colleague; i < numScenarios; i++ {
		s = append(s, i)
	}
	return s
}

// ParseScenario returns the scenario with that name.
func ParseScenario(name string) (Scenario, error) {
	for i, n := range scenarioNames {
		if strings.EqualFold(n, name) {
			return Scenario(i), nil
		}
	}
	return 0, fmt.Errorf("unknown scenario %q", name)
}

// Interner turns string ids into dense uint32s, 1-based so that 0 means
// absent. Not safe for concurrent use.
type Interner struct {
	ids   map[string]uint32
	names []string
}

// NewInterner returns an empty interner.
func NewInterner() *Interner {
	return &Interner{ids: map[string]uint32{}, names: []string{""}}
}

// ID returns the id of s, assigning the next one when s is new; "" is 0.
func (in *Interner) ID(s string) uint32 {
	if s == "" {
		return 0
	}
	if id, ok := in.ids[s]; ok {
		return id
	}
	id := uint32(len(in.names))
	in.ids[s] = id
	in.names = append(in.names, s)
	return id
}

// Lookup returns the id of s without assigning one.
func (in *Interner) Lookup(s string) (uint32, bool) {
	id, ok := in.ids[s]
	return id, ok
}

// Name returns the string behind id ("" when unknown).
func (in *Interner) Name(id uint32) string {
	if int(id) < len(in.names) {
		return in.names[id]
	}
	return ""
}

// Len returns the number of ids assigned.
func (in *Interner) Len() int { return len(in.names) - 1 }
