// Package detect finds misuse of access to personal data in the audit
// stream: explanation-based auditing first (an access that a relationship or
// an approved bulk task explains is normal), then rules and per-principal
// robust baselines for what stays unexplained and for the known patterns
// (colleagues, former employees, public figures, family, neighbours,
// off-hours reads, out-of-territory browsing, fast and slow mass
// extraction). It also simulates realistic traffic with planted misuse and
// evaluates itself against that ground truth.
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
	ActSearch               // a search returned the person
	ActExport               // an export included the person
	ActCreate               // a relation was created (registration, follow-up)
	ActOther                // anything detection does not score
)

var actionNames = [...]string{"read", "search", "export", "create", "other"}

func (a Action) String() string {
	if int(a) < len(actionNames) {
		return actionNames[a]
	}
	return "other"
}

// reads reports whether the action disclosed a person's data.
func (a Action) reads() bool { return a <= ActExport }

// Relation is the relationship the policy found between the principal and
// the person when it allowed the access: the explanation facts of the audit
// event, compacted. RelNone means the access was allowed by a wider rule
// (territory, exact-identifier lookup, break the glass) and stays
// unexplained.
type Relation uint8

// Relations, from the policy's fact kinds.
const (
	RelNone        Relation = iota
	RelFollowup             // the organisation follows the person
	RelReferent             // the agent is the person's référent
	RelAppointment          // an appointment today
	RelProposal             // proposed on an offer the organisation follows
	RelOrientation          // oriented to the organisation
)

var relationNames = [...]string{"none", "followup", "referent", "appointment", "proposal", "orientation"}

func (r Relation) String() string {
	if int(r) < len(relationNames) {
		return relationNames[r]
	}
	return "none"
}

// relationFromFact maps a policy fact kind to a relation.
func relationFromFact(kind string) Relation {
	for i, n := range relationNames {
		if i > 0 && n == kind {
			return Relation(i)
		}
	}
	return RelNone
}

// Event flags.
const (
	FlagAllowed    uint8 = 1 << iota // the gate allowed the access
	FlagBreakGlass                   // access outside the rules, with a justification
	FlagClient                       // the principal is a partner system, not a person
)

// Event is one access as detection sees it: every id interned to a uint32
// so that ten million events fit in a few hundred megabytes. Person 0 means
// no person (a company, a failed search).
type Event struct {
	ID        uint64 // position in the stream, from 1
	Time      int64  // Unix seconds
	Principal uint32 // the agent or client, interned
	Org       uint32 // its organisation, interned (0: unknown)
	Person    uint32 // the person concerned, interned (0: none)
	Task      uint32 // the declared bulk task the access claims (0: none)
	Records   uint16
	Action    Action
	Relation  Relation
	Purpose   uint8 // index in the Interner's purposes (0: none)
	Flags     uint8
}

// Scenario is the ground truth of a simulated event: legitimate work or one
// kind of planted misuse. The detector's patterns use the same names, one
// per scenario, so that precision can be computed per scenario.
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
	numScenarios
)

var scenarioNames = [...]string{"legit", "colleague", "former_employee", "public_figure", "family", "neighbour", "off_hours", "out_of_territory", "mass_fast", "mass_slow"}

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
