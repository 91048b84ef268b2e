package directory

import (
	"context"
	"fmt"
	"strings"
	"time"

	"socle"
	"socle/cases"
	"socle/detect"
)

// TaskGrace is how long after its end a declared bulk task still explains
// the accesses of its agent: work overruns its declaration.
const TaskGrace = time.Hour

// Source is what the live directory reads: the directory tables, the
// agents and organisations, the declared bulk tasks.
type Source interface {
	StaffRecords(ctx context.Context) ([]*socle.StaffRecord, error)
	EachPersonHome(ctx context.Context, fn func(*socle.PersonHome) error) error
	ProtectedPersons(ctx context.Context) ([]*socle.ProtectedPerson, error)
	Declarations(ctx context.Context, agentID string, endsAfter time.Time) ([]*socle.Declaration, error)
	BulkTasks(ctx context.Context, organisationID string, endsAfter time.Time) ([]*cases.BulkTask, error)
	Agent(ctx context.Context, id string) (*socle.Agent, error)
	Organisation(ctx context.Context, id string) (*socle.Organisation, error)
}

type staffEntry struct {
	org    string
	marks  socle.Marks
	end    socle.Date
	former bool // left (end date passed) or account disabled
}

type personEntry struct {
	marks     socle.Marks
	dept      string
	protected socle.ProtectionKind
}

// snapshot is the directory at one load; Live swaps it whole.
type snapshot struct {
	staff      map[string]*staffEntry // agent id
	byIdentity map[string]string      // identity hash → agent id
	persons    map[string]*personEntry
	decls      map[string][]*declaration // by agent id
	orgDecls   map[string][]*declaration // checkins and events, by organisation
	tasks      map[string][]*cases.BulkTask
	taskRefs   map[string]map[string]bool // task id → person refs (nil: a described population)
}

type declaration struct {
	*socle.Declaration
	refs map[string]bool
}

// Live is the detection directory of the live path, the same in `serve`
// and `detect run`: it implements detect.Directory over the audit source
// (whose interners name principals, organisations and persons) with what
// the store knows, and adds to each converted event the explanations
// users declared and the bulk task it belongs to. Not safe for concurrent
// use, like the detector it feeds.
type Live struct {
	*detect.AuditSource
	personRef func(id string) string
	now       func() time.Time
	snap      *snapshot
	marks     *detect.Interner
	depts     *detect.Interner
	orgDept   map[string]string // organisation → its single département ("" when several)
	learnt    map[uint32]uint16 // person → département learnt from territory facts
	principal map[uint32]detect.PrincipalInfo
	person    map[uint32]detect.PersonInfo
	taskIDs   map[string]uint32
	lookupOrg func(id string) []string
}

// NewLive returns an empty live directory over src; Load fills it.
// personRef is the audit log's person reference function.
func NewLive(src *detect.AuditSource, personRef func(id string) string) *Live {
	return &Live{AuditSource: src, personRef: personRef, now: time.Now, snap: &snapshot{}, marks: detect.NewInterner(), depts: detect.NewInterner(),
		orgDept: map[string]string{}, learnt: map[uint32]uint16{}, principal: map[uint32]detect.PrincipalInfo{}, person: map[uint32]detect.PersonInfo{},
		taskIDs: map[string]uint32{}}
}

// Load reads the directory from the store: staff, homes, the register,
// the declarations and bulk tasks ending after since. Call it at start and
// now and then (other instances write too).
func (l *Live) Load(ctx context.Context, s Source, since time.Time) error {
	now := l.now()
	sn := &snapshot{staff: map[string]*staffEntry{}, byIdentity: map[string]string{}, persons: map[string]*personEntry{},
		decls: map[string][]*declaration{}, orgDecls: map[string][]*declaration{}, tasks: map[string][]*cases.BulkTask{}, taskRefs: map[string]map[string]bool{}}
	recs, err := s.StaffRecords(ctx)
	if err != nil {
		return fmt.Errorf("live directory: %w", err)
	}
	for _, r := range recs {
		a, err := s.Agent(ctx, r.AgentID)
		if socle.ErrorCode(err) == socle.ENOTFOUND {
			continue
		} else if err != nil {
			return fmt.Errorf("live directory: staff %s: %w", r.AgentID, err)
		}
		e := &staffEntry{org: a.OrganisationID, marks: r.Marks, end: r.End,
			former: a.Disabled || (!r.End.IsZero() && r.End.Before(socle.DateOf(now)))}
		sn.staff[r.AgentID] = e
		if r.Marks.Identity != "" {
			sn.byIdentity[r.Marks.Identity] = r.AgentID
		}
	}
	err = s.EachPersonHome(ctx, func(h *socle.PersonHome) error {
		sn.persons[l.personRef(h.PersonID)] = &personEntry{marks: h.Marks, dept: h.Departement}
		return nil
	})
	if err != nil {
		return fmt.Errorf("live directory: %w", err)
	}
	prot, err := s.ProtectedPersons(ctx)
	if err != nil {
		return fmt.Errorf("live directory: %w", err)
	}
	for _, p := range prot {
		if !p.Active() {
			continue
		}
		ref := l.personRef(p.PersonID)
		e := sn.persons[ref]
		if e == nil {
			e = &personEntry{}
			sn.persons[ref] = e
		}
		e.protected = p.Kind
	}
	ds, err := s.Declarations(ctx, "", since)
	if err != nil {
		return fmt.Errorf("live directory: %w", err)
	}
	for _, d := range ds {
		dd := &declaration{Declaration: d, refs: map[string]bool{}}
		for _, id := range d.Persons {
			dd.refs[l.personRef(id)] = true
		}
		switch d.Kind {
		case socle.DeclareCheckin, socle.DeclareEvent:
			sn.orgDecls[d.OrganisationID] = append(sn.orgDecls[d.OrganisationID], dd)
		default:
			sn.decls[d.AgentID] = append(sn.decls[d.AgentID], dd)
		}
	}
	ts, err := s.BulkTasks(ctx, "", since.Add(-TaskGrace))
	if err != nil {
		return fmt.Errorf("live directory: %w", err)
	}
	for _, t := range ts {
		if !t.Approved() {
			continue
		}
		sn.tasks[t.AgentID] = append(sn.tasks[t.AgentID], t)
		if len(t.Persons) > 0 {
			refs := map[string]bool{}
			for _, id := range t.Persons {
				refs[l.personRef(id)] = true
			}
			sn.taskRefs[t.ID] = refs
		}
	}
	l.snap = sn
	orgCtx := context.WithoutCancel(ctx) // looked up later, while events come
	l.lookupOrg = func(id string) []string {
		o, err := s.Organisation(orgCtx, id)
		if err != nil {
			return nil
		}
		return o.Departements
	}
	// What was derived from the previous snapshot is derived again.
	clear(l.principal)
	clear(l.person)
	return nil
}

// Counts says what the directory holds, for the command's summary.
func (l *Live) Counts() (staff, former, homes, protected, declarations, tasks int) {
	for _, s := range l.snap.staff {
		if s.former {
			former++
		}
	}
	for _, p := range l.snap.persons {
		if p.protected != "" {
			protected++
		}
		if p.marks != (socle.Marks{}) {
			homes++
		}
	}
	for _, ds := range l.snap.decls {
		declarations += len(ds)
	}
	for _, ds := range l.snap.orgDecls {
		declarations += len(ds)
	}
	for _, ts := range l.snap.tasks {
		tasks += len(ts)
	}
	return len(l.snap.staff), former, homes, protected, declarations, tasks
}

func (l *Live) mark(kind, v string) uint32 {
	if v == "" {
		return 0
	}
	return l.marks.ID(kind + v)
}

// family is the mark the detector compares as the family name: the
// household when known (relatives living together, whatever their
// surnames), else the surname.
func (l *Live) family(m socle.Marks) uint32 {
	if m.Household != "" {
		return l.mark("h:", m.Household)
	}
	return l.mark("s:", m.Surname)
}

func (l *Live) dept(code string) uint16 {
	if code == "" {
		return 0
	}
	return uint16(l.depts.ID(code))
}

func (l *Live) organisationDept(org string) string {
	d, ok := l.orgDept[org]
	if !ok && l.lookupOrg != nil {
		if ds := l.lookupOrg(org); len(ds) == 1 {
			d = ds[0]
		}
		l.orgDept[org] = d
	}
	return d
}

// Principal implements detect.Directory.
func (l *Live) Principal(id uint32) detect.PrincipalInfo {
	if p, ok := l.principal[id]; ok {
		return p
	}
	p := l.AuditSource.Principal(id)
	if org := l.Orgs.Name(p.Org); org != "" {
		p.Dept = l.dept(l.organisationDept(org))
	}
	if agent, ok := strings.CutPrefix(l.PrincipalName(id), "agent:"); ok {
		if s := l.snap.staff[agent]; s != nil {
			p.Surname, p.Address, p.Street = l.family(s.marks), l.mark("a:", s.marks.Address), l.mark("r:", s.marks.Street)
			if p.Org == 0 {
				p.Org = l.Orgs.ID(s.org)
			}
		}
	}
	l.principal[id] = p
	return p
}

// Person implements detect.Directory.
func (l *Live) Person(id uint32) detect.PersonInfo {
	if p, ok := l.person[id]; ok {
		return p
	}
	var p detect.PersonInfo
	if e := l.snap.persons[l.Persons.Name(id)]; e != nil {
		p = detect.PersonInfo{Dept: l.dept(e.dept), Surname: l.family(e.marks), Address: l.mark("a:", e.marks.Address), Street: l.mark("r:", e.marks.Street),
			Public: e.protected != ""}
		if agent, ok := l.snap.byIdentity[e.marks.Identity]; ok && e.marks.Identity != "" {
			s := l.snap.staff[agent]
			if s.former {
				p.FormerOrg = l.Orgs.ID(s.org)
			} else {
				p.StaffOrg = l.Orgs.ID(s.org)
			}
		}
	}
	if p.Dept == 0 {
		p.Dept = l.learnt[id]
	}
	l.person[id] = p
	return p
}

// Conflict reports whether the agent declared a conflict of interest with
// the person (by reference) in force at t.
func (l *Live) Conflict(agentID, personRef string, t time.Time) bool {
	for _, d := range l.snap.decls[agentID] {
		if d.Kind == socle.DeclareConflict && d.refs[personRef] && d.Covers(t) {
			return true
		}
	}
	return false
}

// Explain completes the detection events of one audit entry with what the
// log alone does not say: the département a territory fact gives of the
// person, the explanation a declaration gives to an access the gate
// allowed on a wide rule only, and the approved bulk task that covers it.
// It returns the explanation kind it added ("" when none).
func (l *Live) Explain(evs []detect.Event, ev socle.AuditEvent) string {
	for _, f := range ev.Facts {
		if f.Kind == "territory" && f.Detail["departement"] != "" {
			for i := range evs {
				if evs[i].Person != 0 {
					l.learnt[evs[i].Person] = l.dept(f.Detail["departement"])
					delete(l.person, evs[i].Person)
				}
			}
		}
	}
	if ev.AgentID == "" || !ev.Allowed {
		return ""
	}
	var added string
	for i := range evs {
		e := &evs[i]
		if e.Person == 0 {
			continue
		}
		ref := l.Persons.Name(e.Person)
		// A declaration more specific than what the gate found replaces
		// it: covering the référent says more than the follow-up of the
		// organisation.
		if kind := l.declared(ev, ref); kind != "" && socle.MostSpecific(kind, detect.Explanation(ev)) == kind && kind != detect.Explanation(ev) {
			e.Relation, added = detect.RelationOf(kind), kind
		}
		l.task(e, ev, ref)
	}
	return added
}

// declared returns the most specific explanation kind the declarations
// give to the access of ev to the person ref ("" when none).
func (l *Live) declared(ev socle.AuditEvent, ref string) string {
	var kinds []string
	for _, d := range l.snap.decls[ev.AgentID] {
		if !d.Covers(ev.Time) {
			continue
		}
		switch d.Kind {
		case socle.DeclareDelegation:
			// Covering a colleague explains the persons she is the
			// référent of, as the gate's follow-up facts name her.
			for _, f := range ev.Facts {
				if f.Kind == "followup" && f.Detail["agent_id"] == d.OfAgentID {
					kinds = append(kinds, "delegation")
				}
			}
		case socle.DeclareCall:
			// The declared call explains its person, or whoever the
			// access made under its reference concerns.
			if d.refs[ref] || (ev.CallRef != "" && d.Reference == ev.CallRef) {
				kinds = append(kinds, "appointment")
			}
		}
	}
	for _, d := range l.snap.orgDecls[ev.OrganisationID] {
		if d.refs[ref] && d.Covers(ev.Time) {
			kinds = append(kinds, "appointment")
		}
	}
	if len(kinds) == 0 {
		return ""
	}
	return socle.MostSpecific(kinds...)
}

// task marks e with the approved bulk task of its agent and purpose that
// covers it, grace included.
func (l *Live) task(e *detect.Event, ev socle.AuditEvent, ref string) {
	for _, t := range l.snap.tasks[ev.AgentID] {
		if t.Purpose != ev.Purpose || ev.Time.Before(t.Start) || ev.Time.After(t.End.Add(TaskGrace)) {
			continue
		}
		if refs := l.snap.taskRefs[t.ID]; refs != nil && !refs[ref] {
			continue
		}
		id, ok := l.taskIDs[t.ID]
		if !ok {
			id = l.AddTask(&detect.Task{Principal: e.Principal, Purpose: e.Purpose, From: t.Start.Unix(), To: t.End.Add(TaskGrace).Unix(),
				Approved: true, Persons: map[uint32]struct{}{}})
			l.taskIDs[t.ID] = id
		}
		l.AuditSource.Task(id).Persons[e.Person] = struct{}{}
		e.Task = id
		return
	}
}
