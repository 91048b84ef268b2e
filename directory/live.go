package directory

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"socle"
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
	BulkTasks(ctx context.Context, organisationID string, endsAfter time.Time) ([]*socle.BulkTask, error)
	Agent(ctx context.Context, id string) (*socle.Agent, error)
	Organisation(ctx context.Context, id string) (*socle.Organisation, error)
}

type staffEntry struct {
	org    string
	role   detect.Role
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
	tasks      map[string][]*socle.BulkTask
	taskRefs   map[string]map[string]bool // task id → person refs (nil: a described population)
	conflicted map[string]bool            // person refs with a declared conflict
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
	// Marks interns the keyed hashes, départements and organisation kinds
	// the detector compares (persisted with its state: its peer groups are
	// keyed by organisation kind).
	Marks     *detect.Interner
	orgs      map[string]orgEntry // organisation → its kind and single département
	learnt    map[uint32]uint32   // person → département learnt from territory facts
	referents map[uint32][]string // person → référents learnt from follow-up facts
	principal map[uint32]detect.PrincipalInfo
	person    map[uint32]detect.PersonInfo
	tasks     map[uint32][]*detect.Task // principal → approved bulk tasks
	lookupOrg func(id string) (*socle.Organisation, error)
}

type orgEntry struct {
	kind, dept string // dept "" when the organisation covers several
}

// NewLive returns an empty live directory over src; Load fills it.
// personRef is the audit log's person reference function.
func NewLive(src *detect.AuditSource, personRef func(id string) string) *Live {
	return &Live{AuditSource: src, personRef: personRef, now: time.Now, snap: &snapshot{}, Marks: detect.NewInterner(),
		orgs: map[string]orgEntry{}, learnt: map[uint32]uint32{}, referents: map[uint32][]string{}, principal: map[uint32]detect.PrincipalInfo{}, person: map[uint32]detect.PersonInfo{},
		tasks: map[uint32][]*detect.Task{}}
}

// Load reads the directory from the store: staff, homes, the register,
// the declarations and bulk tasks ending after since. Call it at start and
// now and then (other instances write too).
func (l *Live) Load(ctx context.Context, s Source, since time.Time) error {
	now := l.now()
	sn := &snapshot{staff: map[string]*staffEntry{}, byIdentity: map[string]string{}, persons: map[string]*personEntry{},
		decls: map[string][]*declaration{}, orgDecls: map[string][]*declaration{}, tasks: map[string][]*socle.BulkTask{}, taskRefs: map[string]map[string]bool{}, conflicted: map[string]bool{}}
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
		e := &staffEntry{org: a.OrganisationID, role: roleOf(a), marks: r.Marks, end: r.End,
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
		if d.Kind == socle.DeclareConflict && d.WithdrawnAt.IsZero() {
			for r := range dd.refs {
				sn.conflicted[r] = true
			}
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
	l.lookupOrg = func(id string) (*socle.Organisation, error) { return s.Organisation(orgCtx, id) }
	// What was derived from the previous snapshot is derived again.
	l.rederive()
	return nil
}

// rederive forgets what was derived from the snapshot and the interners
// (a new snapshot, restored interners) and builds the detector's bulk
// tasks again.
func (l *Live) rederive() {
	sn := l.snap
	clear(l.principal)
	clear(l.person)
	clear(l.tasks)
	for agent, ts := range sn.tasks {
		principal := l.Principals.ID("agent:" + agent)
		for _, t := range ts {
			dt := &detect.Task{Principal: principal, Purpose: uint8(min(l.Purposes.ID(t.Purpose), 255)), From: t.Start.Unix(), To: t.End.Unix(),
				Grace: int64(TaskGrace / time.Second), Approved: true}
			if refs := sn.taskRefs[t.ID]; refs != nil {
				dt.Persons = make(map[uint32]struct{}, len(refs))
				for r := range refs {
					dt.Persons[l.Persons.ID(r)] = struct{}{}
				}
			}
			l.tasks[principal] = append(l.tasks[principal], dt)
		}
	}
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

// roleOf returns the detector's role of an agent, the first key of her
// peer group.
func roleOf(a *socle.Agent) detect.Role {
	switch {
	case a.HasRole(socle.RoleAdviser):
		return detect.RoleAdviser
	case a.HasRole(socle.RoleCompanyAdviser):
		return detect.RoleCompanyAdviser
	case a.HasRole(socle.RoleStatistician), a.HasRole(socle.RoleContractManager):
		return detect.RoleBackOffice
	case a.HasRole(socle.RoleOrgAdmin):
		return detect.RoleManager
	case len(a.Roles) > 0:
		return detect.RoleOther
	}
	return detect.RoleUnknown
}

// mark interns a keyed hash (kind keeps hashes of different fields apart).
func (l *Live) mark(kind, v string) uint32 {
	if v == "" {
		return 0
	}
	return l.Marks.ID(kind + v)
}

func (l *Live) dept(code string) uint32 { return l.mark("d:", code) }

// organisation returns the kind and the single département of an
// organisation, looked up once.
func (l *Live) organisation(id string) orgEntry {
	e, ok := l.orgs[id]
	if !ok && l.lookupOrg != nil {
		if o, err := l.lookupOrg(id); err == nil {
			e.kind = string(o.Kind)
			if len(o.Departements) == 1 {
				e.dept = o.Departements[0]
			}
		}
		l.orgs[id] = e
	}
	return e
}

// Principal implements detect.Directory.
func (l *Live) Principal(id uint32) detect.PrincipalInfo {
	if p, ok := l.principal[id]; ok {
		return p
	}
	p := l.AuditSource.Principal(id)
	name := l.PrincipalName(id)
	if strings.HasPrefix(name, "client:") {
		p.Client = true
	}
	if agent, ok := strings.CutPrefix(name, "agent:"); ok {
		if s := l.snap.staff[agent]; s != nil {
			p.Role = s.role
			p.Identity, p.Household = l.mark("i:", s.marks.Identity), l.mark("h:", s.marks.Household)
			p.Address, p.Street = l.mark("a:", s.marks.Address), l.mark("r:", s.marks.Street)
			if p.Org == 0 {
				p.Org = l.Orgs.ID(s.org)
			}
			if s.former {
				// A disabled account without an end date ended long ago.
				p.End = 1
				if !s.end.IsZero() {
					p.End = s.end.Time().Add(24 * time.Hour).Unix()
				}
			}
		}
	}
	if org := l.Orgs.Name(p.Org); org != "" {
		o := l.organisation(org)
		p.OrgKind, p.Territory = l.mark("k:", o.kind), l.dept(o.dept)
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
	ref := l.Persons.Name(id)
	if e := l.snap.persons[ref]; e != nil {
		p = detect.PersonInfo{Territory: l.dept(e.dept), Identity: l.mark("i:", e.marks.Identity), Household: l.mark("h:", e.marks.Household),
			Address: l.mark("a:", e.marks.Address), Street: l.mark("r:", e.marks.Street), Protected: protection(e.protected)}
		if agent, ok := l.snap.byIdentity[e.marks.Identity]; ok && e.marks.Identity != "" {
			p.Staff = l.Principals.ID("agent:" + agent)
		}
	}
	if p.Territory == 0 {
		p.Territory = l.learnt[id]
	}
	p.Conflicted = l.snap.conflicted[ref]
	l.person[id] = p
	return p
}

// protection maps the register's kinds to the detector's (the same
// names).
func protection(k socle.ProtectionKind) detect.Protection { return detect.ParseProtection(string(k)) }

// Conflict implements detect.Directory: a conflict of interest the agent
// declared with the person.
func (l *Live) Conflict(principal, person uint32) bool {
	agent, ok := strings.CutPrefix(l.PrincipalName(principal), "agent:")
	if !ok {
		return false
	}
	ref := l.Persons.Name(person)
	for _, d := range l.snap.decls[agent] {
		if d.Kind == socle.DeclareConflict && d.refs[ref] && d.WithdrawnAt.IsZero() {
			return true
		}
	}
	return false
}

// Relation implements detect.Directory: what the declarations say of the
// principal and the person at t — a declared call about the person, a
// reception check-in or a collective event of her organisation
// (ExplAppointment); a declared cover of the colleague whom the gate's
// follow-up facts named as the person's référent (ExplDelegation).
func (l *Live) Relation(principal, person uint32, at int64) detect.Explanation {
	agent, ok := strings.CutPrefix(l.PrincipalName(principal), "agent:")
	if !ok {
		return detect.ExplNone
	}
	ref, t := l.Persons.Name(person), time.Unix(at, 0)
	best := detect.ExplNone
	for _, d := range l.snap.decls[agent] {
		switch {
		case !d.Covers(t):
		case d.Kind == socle.DeclareDelegation && slices.Contains(l.referents[person], d.OfAgentID):
			return detect.ExplDelegation
		case d.Kind == socle.DeclareCall && d.refs[ref]:
			best = detect.ExplAppointment
		}
	}
	if best != detect.ExplNone {
		return best
	}
	org := l.Orgs.Name(l.Principal(principal).Org)
	for _, d := range l.snap.orgDecls[org] {
		if d.refs[ref] && d.Covers(t) {
			return detect.ExplAppointment
		}
	}
	return detect.ExplNone
}

// Tasks implements detect.Directory: the approved bulk tasks of the
// principal, each with its grace window.
func (l *Live) Tasks(principal uint32) []*detect.Task { return l.tasks[principal] }

// Explain completes the detection events of one audit entry with what the
// log alone does not say: the département a territory fact gives of the
// person, and the explanation a declaration gives to an access the gate
// allowed on a wider rule only (a cover of the référent's portfolio, a
// declared call). It returns the explanation kind it added ("" when none).
func (l *Live) Explain(evs []detect.Event, ev socle.AuditEvent) string {
	for _, f := range ev.Facts {
		if f.Kind == "territory" && f.Detail["departement"] != "" {
			for i := range evs {
				for j := range evs[i].Persons() {
					p := evs[i].Person
					if j > 0 {
						p = evs[i].More[j-1]
					}
					l.learnt[p] = l.dept(f.Detail["departement"])
					delete(l.person, p)
				}
			}
		}
	}
	for _, f := range ev.Facts {
		if r := f.Detail["agent_id"]; f.Kind == "followup" && r != "" && evs[0].Person != 0 && !slices.Contains(l.referents[evs[0].Person], r) {
			l.referents[evs[0].Person] = append(l.referents[evs[0].Person], r)
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
		// A declaration more specific than what the gate found replaces
		// it: covering the référent says more than the follow-up of the
		// organisation.
		if kind := l.declared(ev, l.Persons.Name(e.Person)); kind != "" {
			if x, ok := detect.ParseExplanation(kind); ok && x > e.Explanation {
				e.Explanation, added = x, kind
			}
		}
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
