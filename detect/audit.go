package detect

import (
	"strings"

	"socle"
)

// AuditSource turns the events of the real audit log into detection events
// and is the Directory of what those events say: the principal's
// organisation, the relationship facts, the bulk tasks declared to it. What
// the log does not hold (homes, staff, former staff, protected persons,
// declarations) comes from directory.Live, which wraps it on the live path
// of `serve` and `detect run`.
type AuditSource struct {
	Principals *Interner // "agent:ID" or "client:ID"
	Orgs       *Interner
	Persons    *Interner // pseudonymous person references
	Purposes   *Interner
	Names      *Interner // sessions and remote addresses (keyed hashes)
	principals []PrincipalInfo
	tasks      []*Task
}

// NewAuditSource returns an empty source.
func NewAuditSource() *AuditSource {
	return &AuditSource{Principals: NewInterner(), Orgs: NewInterner(), Persons: NewInterner(), Purposes: NewInterner(), Names: NewInterner(),
		principals: []PrincipalInfo{{}}, tasks: []*Task{nil}}
}

// Principal implements Directory.
func (s *AuditSource) Principal(id uint32) PrincipalInfo {
	if int(id) < len(s.principals) {
		return s.principals[id]
	}
	return PrincipalInfo{}
}

// Person implements Directory: the log says nothing of persons.
func (s *AuditSource) Person(uint32) PersonInfo { return PersonInfo{} }

// Task implements Directory.
func (s *AuditSource) Task(id uint32) *Task {
	if int(id) < len(s.tasks) {
		return s.tasks[id]
	}
	return nil
}

// PrincipalName returns the agent or client id behind a principal.
func (s *AuditSource) PrincipalName(id uint32) string { return s.Principals.Name(id) }

// Convert returns the detection event of the audit entry at index.
func (s *AuditSource) Convert(index uint64, ev socle.AuditEvent) Event {
	out := Event{ID: index + 1, Time: ev.Time.Unix(), Records: uint16(min(max(ev.Records, 0), 1<<16-1))}
	var key string
	switch {
	case ev.AgentID != "":
		key = "agent:" + ev.AgentID
	case ev.ClientID != "":
		key = "client:" + ev.ClientID
		out.Flags |= FlagClient
	}
	out.Principal = s.Principals.ID(key)
	out.Org = s.Orgs.ID(ev.OrganisationID)
	if out.Principal != 0 {
		// A principal may have been named before its first event (a
		// restored baseline): grow to it, then learn its organisation.
		for int(out.Principal) >= len(s.principals) {
			s.principals = append(s.principals, PrincipalInfo{})
		}
		if pi := &s.principals[out.Principal]; pi.Org == 0 {
			*pi = PrincipalInfo{Org: out.Org, Client: ev.AgentID == ""}
		}
	}
	ref := ev.PersonRef
	if ref == "" && ev.ResourceKind == string(socle.ResourcePerson) {
		ref = ev.ResourceID
	}
	out.Person = s.Persons.ID(ref)
	out.Purpose = uint8(min(s.Purposes.ID(ev.Purpose), 255))
	switch socle.Action(ev.Action) {
	case socle.ActionRead:
		out.Action = ActRead
	case socle.ActionSearch:
		out.Action = ActSearch
	case socle.ActionExport:
		out.Action = ActExport
	case socle.ActionCreate:
		out.Action = ActCreate
	case socle.ActionUpdate:
		out.Action = ActUpdate
	case "match":
		out.Action = ActMatch
	default:
		out.Action = ActOther
	}
	if ev.Allowed {
		out.Flags |= FlagAllowed
	}
	if ev.BreakGlass != "" {
		out.Flags |= FlagBreakGlass
	}
	if ev.Allowed {
		if e, ok := ParseExplanation(BasisOf(ev)); ok {
			out.Explanation = e
		}
	}
	for _, f := range ev.Facts {
		if f.Kind == FactExactLookup && (out.Action == ActSearch || out.Action == ActRead) {
			out.Action = ActLookup
		}
	}
	out.Session = s.Names.ID(ev.Session)
	out.Remote = s.Names.ID(ev.Remote)
	if ev.CallRef != "" {
		out.Flags |= FlagCall
	}
	for c := range strings.SplitSeq(ev.Categories, ",") {
		out.Categories |= CategoryBit(strings.TrimSpace(c))
	}
	return out
}

// ConvertAll appends to out the detection event of the audit entry at
// index: a search, an export or a matching lists every person it returned
// (Person and More), a read its one person.
func (s *AuditSource) ConvertAll(index uint64, ev socle.AuditEvent, out []Event) []Event {
	e := s.Convert(index, ev)
	if len(ev.PersonRefs) > 0 {
		e.Person = s.Persons.ID(ev.PersonRefs[0])
		if len(ev.PersonRefs) > 1 {
			e.More = make([]uint32, len(ev.PersonRefs)-1)
			for i, ref := range ev.PersonRefs[1:] {
				e.More[i] = s.Persons.ID(ref)
			}
		}
	}
	return append(out, e)
}

// FactExactLookup is the kind of the audit fact of an exact-identifier
// lookup (gate.FactExactLookup): the access is an ActLookup.
const FactExactLookup = "exact_lookup"

// BasisOf returns the most specific explanation kind of an audit event
// (docs/detect-events.md): the gate's typed basis when it recorded one,
// else the most specific of its facts.
func BasisOf(ev socle.AuditEvent) string {
	if !ev.Allowed {
		return socle.ExplanationNone
	}
	if ev.Basis != "" {
		return ev.Basis
	}
	return socle.Basis(ev.Facts, ev.AgentID)
}
