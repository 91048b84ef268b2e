package detect

import (
	"encoding/json"
	"fmt"

	"socle"
)

// AuditSource turns the events of the real audit log into detection events
// and is the Directory of what those events say: the principal's
// organisation, the relationship facts, the bulk tasks declared to it. What
// the log does not hold (homes, staff lists, public figures) is unknown, so
// the family, neighbour, colleague and public-figure patterns stay silent
// until a directory with those facts is given; explanations, baselines,
// off-hours and volumes work from the log alone.
type AuditSource struct {
	Principals *Interner // "agent:ID" or "client:ID"
	Orgs       *Interner
	Persons    *Interner // pseudonymous person references
	Purposes   *Interner
	principals []PrincipalInfo
	tasks      []*Task
}

// NewAuditSource returns an empty source.
func NewAuditSource() *AuditSource {
	return &AuditSource{Principals: NewInterner(), Orgs: NewInterner(), Persons: NewInterner(), Purposes: NewInterner(),
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
	if out.Principal != 0 && int(out.Principal) >= len(s.principals) {
		s.principals = append(s.principals, PrincipalInfo{Org: out.Org, Client: ev.AgentID == ""})
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
	case socle.ActionCreate, socle.ActionUpdate:
		out.Action = ActCreate
	default:
		out.Action = ActOther
	}
	if ev.Allowed {
		out.Flags |= FlagAllowed
	}
	if ev.BreakGlass != "" {
		out.Flags |= FlagBreakGlass
	}
	for _, f := range ev.Facts {
		if e, ok := ParseExplanation(f.Kind); ok {
			out.Explanation = max(out.Explanation, e)
		}
	}
	return out
}

// DecodeLeaf decodes a canonical audit leaf ({"v":1,"index":N,"event":…}).
func DecodeLeaf(leaf []byte) (uint64, socle.AuditEvent, error) {
	var l struct {
		V     int              `json:"v"`
		Index uint64           `json:"index"`
		Event socle.AuditEvent `json:"event"`
	}
	if err := json.Unmarshal(leaf, &l); err != nil {
		return 0, socle.AuditEvent{}, fmt.Errorf("decode audit leaf: %w", err)
	}
	if l.V != 1 {
		return 0, socle.AuditEvent{}, fmt.Errorf("decode audit leaf: unknown version %d", l.V)
	}
	return l.Index, l.Event, nil
}
