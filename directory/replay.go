package directory

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"socle"
	"socle/detect"
)

// ReplayLive runs a labelled event file (docs/detect-events.md) through
// the live path instead of the evaluation's: the file's directory is
// loaded into a Live directory through its Source, as `serve` and `detect
// run` load the store's (staff records with their keyed hashes and end
// dates, homes, the register of protected persons, declarations of covers,
// check-ins, events and conflicts, approved bulk tasks); each access
// becomes the audit event the gate records (its basis from the
// follow-ups, the follow-up facts naming the référents, the person
// references, the call reference, an exact lookup's fact); and the same
// Pipeline scores them. What the live path cannot know stays unknown:
// phone platforms and managers have no role of their own in Socle, so
// their peer groups are their habilitations'.
//
// It returns the alerts and the ground truth, to be scored as the
// evaluation is (detect.ScoreAlerts).
func ReplayLive(ctx context.Context, r io.Reader, loc *time.Location) ([]detect.Alert, *detect.Truth, error) {
	f := detect.NewEventFile(loc)
	src := detect.NewAuditSource()
	live := NewLive(src, func(id string) string { return id })
	pipe := NewPipeline(live, detect.Config{Location: loc})
	var alerts []detect.Alert
	var accesses int
	loaded := -1
	err := f.Read(ctx, r, func(ev *detect.Event) error {
		// Directory lines read since the last load: load it again, as
		// the live loop reloads the store's.
		if dirLines := f.Lines() - accesses; dirLines != loaded {
			if err := live.Load(ctx, &fileSource{dir: f.Dir, loc: loc}, time.Time{}); err != nil {
				return err
			}
			loaded = dirLines
		}
		accesses++
		alerts = append(alerts, pipe.Observe(ev.ID-1, auditEventOf(f.Dir, ev))...)
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("replaying on the live path: %w", err)
	}
	alerts = append(alerts, pipe.Flush()...)
	return alerts, &f.Truth, nil
}

// auditEventOf is the audit event the gate records for a labelled access.
func auditEventOf(dir *detect.MemDirectory, ev *detect.Event) socle.AuditEvent {
	out := socle.AuditEvent{Time: time.Unix(ev.Time, 0).UTC(), OrganisationID: dir.Orgs.Name(ev.Org), Purpose: dir.Purposes.Name(uint32(ev.Purpose)),
		Allowed: ev.Flags&detect.FlagAllowed != 0, Records: int(ev.Records)}
	name := dir.Principals.Name(ev.Principal)
	if ev.Flags&detect.FlagClient != 0 || dir.Principal(ev.Principal).Client {
		out.ClientID = name
	} else {
		out.AgentID = name
	}
	switch ev.Action {
	case detect.ActRead, detect.ActLookup:
		out.Action = string(socle.ActionRead)
	case detect.ActSearch:
		out.Action = string(socle.ActionSearch)
	case detect.ActExport:
		out.Action = string(socle.ActionExport)
	case detect.ActCreate:
		out.Action = string(socle.ActionCreate)
	case detect.ActUpdate:
		out.Action = string(socle.ActionUpdate)
	case detect.ActMatch:
		out.Action = "match"
	default:
		out.Action = "other"
	}
	if ev.Action == detect.ActLookup {
		out.Facts = append(out.Facts, socle.Fact{Kind: detect.FactExactLookup})
	}
	if ev.Persons() > 1 {
		for i := range ev.Persons() {
			p := ev.Person
			if i > 0 {
				p = ev.More[i-1]
			}
			out.PersonRefs = append(out.PersonRefs, dir.Persons.Name(p))
		}
	} else if ev.Person != 0 {
		out.PersonRef = dir.Persons.Name(ev.Person)
	}
	if ev.Flags&detect.FlagCall != 0 {
		out.CallRef = "call"
	}
	if !out.Allowed {
		return out
	}
	// The gate's basis: what the access said, or what the follow-ups
	// say of the principal and the (first) person, the more specific.
	basis := ev.Explanation
	if ev.Person != 0 {
		fu, referents := dir.Followup(ev.Principal, ev.Person, ev.Time)
		basis = max(basis, fu)
		for _, r := range referents {
			out.Facts = append(out.Facts, socle.Fact{Kind: "followup", Detail: map[string]string{"agent_id": dir.Principals.Name(r)}})
		}
	}
	out.Basis = basis.String()
	return out
}

// fileSource is a Source over a labelled file's directory.
type fileSource struct {
	dir *detect.MemDirectory
	loc *time.Location
}

func (s *fileSource) name(id uint32) string { return s.dir.Names.Name(id) }

// territory drops the prefix the file's reader adds to territories.
func (s *fileSource) territory(id uint32) string {
	return strings.TrimPrefix(s.name(id), "territory:")
}

func (s *fileSource) marks(identity, household, address, street uint32) socle.Marks {
	return socle.Marks{Identity: s.name(identity), Household: s.name(household), Address: s.name(address), Street: s.name(street)}
}

func (s *fileSource) StaffRecords(context.Context) ([]*socle.StaffRecord, error) {
	var out []*socle.StaffRecord
	for id := uint32(1); int(id) <= s.dir.PrincipalCount(); id++ {
		p := s.dir.Principal(id)
		if p.Client {
			continue
		}
		r := &socle.StaffRecord{AgentID: s.dir.Principals.Name(id), Marks: s.marks(p.Identity, p.Household, p.Address, p.Street)}
		if p.End != 0 {
			// End is the first second after her last day.
			r.End = socle.DateOf(time.Unix(p.End-1, 0).In(s.loc))
		}
		out = append(out, r)
	}
	return out, nil
}

func (s *fileSource) EachPersonHome(_ context.Context, fn func(*socle.PersonHome) error) error {
	for id := uint32(1); int(id) <= s.dir.PersonCount(); id++ {
		p := s.dir.Person(id)
		h := &socle.PersonHome{PersonID: s.dir.Persons.Name(id), Marks: s.marks(p.Identity, p.Household, p.Address, p.Street), Departement: s.territory(p.Territory)}
		if err := fn(h); err != nil {
			return err
		}
	}
	return nil
}

func (s *fileSource) ProtectedPersons(context.Context) ([]*socle.ProtectedPerson, error) {
	var out []*socle.ProtectedPerson
	for id := uint32(1); int(id) <= s.dir.PersonCount(); id++ {
		if p := s.dir.Person(id); p.Protected != detect.ProtNone {
			out = append(out, &socle.ProtectedPerson{PersonID: s.dir.Persons.Name(id), Kind: socle.ProtectionKind(p.Protected.String())})
		}
	}
	return out, nil
}

func (s *fileSource) Declarations(context.Context, string, time.Time) ([]*socle.Declaration, error) {
	sp := s.dir.Spans()
	var out []*socle.Declaration
	open := func(to int64) time.Time {
		if to == 0 {
			return time.Unix(1<<40, 0)
		}
		return time.Unix(to, 0)
	}
	for _, d := range sp.Delegations {
		out = append(out, &socle.Declaration{Kind: socle.DeclareDelegation, AgentID: s.dir.Principals.Name(d.Principal),
			OfAgentID: s.dir.Principals.Name(d.Of), From: time.Unix(d.From, 0), To: open(d.To)})
	}
	for _, v := range sp.Visits {
		out = append(out, &socle.Declaration{Kind: socle.DeclareCheckin, OrganisationID: s.dir.Orgs.Name(v.Org),
			Persons: []string{s.dir.Persons.Name(v.Person)}, From: time.Unix(v.From, 0), To: open(v.To)})
	}
	for _, c := range sp.Conflicts {
		out = append(out, &socle.Declaration{Kind: socle.DeclareConflict, AgentID: s.dir.Principals.Name(c[0]),
			Persons: []string{s.dir.Persons.Name(c[1])}, From: time.Unix(0, 0), To: open(0)})
	}
	return out, nil
}

func (s *fileSource) BulkTasks(context.Context, string, time.Time) ([]*socle.BulkTask, error) {
	var out []*socle.BulkTask
	for _, t := range s.dir.Spans().Tasks {
		if !t.Approved {
			continue
		}
		bt := &socle.BulkTask{ID: fmt.Sprint("task_", t.ID), AgentID: s.dir.Principals.Name(t.Principal), Purpose: s.dir.Purposes.Name(uint32(t.Purpose)),
			Start: time.Unix(t.From, 0), End: time.Unix(t.To+t.Grace, 0), ApprovedBy: "replay"}
		for p := range t.Persons {
			bt.Persons = append(bt.Persons, s.dir.Persons.Name(p))
		}
		out = append(out, bt)
	}
	return out, nil
}

func (s *fileSource) Agent(_ context.Context, id string) (*socle.Agent, error) {
	pid, ok := s.dir.Principals.Lookup(id)
	if !ok {
		return nil, socle.Errorf(socle.ENOTFOUND, "agent not found")
	}
	p := s.dir.Principal(pid)
	return &socle.Agent{ID: id, OrganisationID: s.dir.Orgs.Name(p.Org), Roles: []socle.Role{roleFor(p.Role)}}, nil
}

// roleFor is the habilitation a role of the file has in Socle, which has
// no phone-platform role: its agents are advisers.
func roleFor(r detect.Role) socle.Role {
	switch r {
	case detect.RoleAdviser, detect.RolePhonePlatform:
		return socle.RoleAdviser
	case detect.RoleCompanyAdviser:
		return socle.RoleCompanyAdviser
	case detect.RoleBackOffice:
		return socle.RoleStatistician
	case detect.RoleManager:
		return socle.RoleOrgAdmin
	}
	return socle.RoleAuditor
}

func (s *fileSource) Organisation(_ context.Context, id string) (*socle.Organisation, error) {
	oid, ok := s.dir.Orgs.Lookup(id)
	if !ok {
		return nil, socle.Errorf(socle.ENOTFOUND, "organisation not found")
	}
	// The kind and territory of an organisation are its principals'.
	for pid := uint32(1); int(pid) <= s.dir.PrincipalCount(); pid++ {
		if p := s.dir.Principal(pid); p.Org == oid {
			o := &socle.Organisation{ID: id, Kind: socle.OrgKind(strings.TrimPrefix(s.name(p.OrgKind), "kind:"))}
			if t := s.territory(p.Territory); t != "" {
				o.Departements = []string{t}
			}
			return o, nil
		}
	}
	return &socle.Organisation{ID: id}, nil
}
