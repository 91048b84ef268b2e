package directory

import (
	"bytes"
	"context"
	"slices"
	"testing"
	"time"

	"socle"
	"socle/detect"
)

// memSource is a Source in memory.
type memSource struct {
	staff     []*socle.StaffRecord
	homes     []*socle.PersonHome
	protected []*socle.ProtectedPerson
	decls     []*socle.Declaration
	tasks     []*socle.BulkTask
	agents    map[string]*socle.Agent
	baselines []*socle.Baseline
}

func (m *memSource) StaffRecords(context.Context) ([]*socle.StaffRecord, error) { return m.staff, nil }
func (m *memSource) EachPersonHome(_ context.Context, fn func(*socle.PersonHome) error) error {
	for _, h := range m.homes {
		if err := fn(h); err != nil {
			return err
		}
	}
	return nil
}
func (m *memSource) ProtectedPersons(context.Context) ([]*socle.ProtectedPerson, error) {
	return m.protected, nil
}
func (m *memSource) Declarations(context.Context, string, time.Time) ([]*socle.Declaration, error) {
	return m.decls, nil
}
func (m *memSource) BulkTasks(context.Context, string, time.Time) ([]*socle.BulkTask, error) {
	return m.tasks, nil
}
func (m *memSource) Agent(_ context.Context, id string) (*socle.Agent, error) {
	if a, ok := m.agents[id]; ok {
		return a, nil
	}
	return nil, socle.Errorf(socle.ENOTFOUND, "agent not found")
}
func (m *memSource) Organisation(_ context.Context, id string) (*socle.Organisation, error) {
	return &socle.Organisation{ID: id, Departements: []string{"69"}}, nil
}
func (m *memSource) SaveBaselines(_ context.Context, bs []*socle.Baseline) error {
	m.baselines = bs
	return nil
}
func (m *memSource) Baselines(context.Context) ([]*socle.Baseline, error) { return m.baselines, nil }

func ref(id string) string { return "ref:" + id }

// access is an allowed read by agent of person at t, on the given facts.
func access(agent, person string, t time.Time, facts ...socle.Fact) socle.AuditEvent {
	return socle.AuditEvent{Time: t, AgentID: agent, OrganisationID: "org_a", Action: "read", ResourceKind: "person",
		PersonRef: ref(person), Purpose: "orientation", Allowed: true, Facts: facts}
}

func TestLiveDirectoryExplainsWhatUsersDeclared(t *testing.T) {
	day := time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
	src := &memSource{agents: map[string]*socle.Agent{}}
	src.decls = []*socle.Declaration{
		{Kind: socle.DeclareDelegation, AgentID: "agt_cover", OrganisationID: "org_a", OfAgentID: "agt_sick", From: day.Add(-time.Hour), To: day.Add(48 * time.Hour)},
		{Kind: socle.DeclareCheckin, AgentID: "agt_desk", OrganisationID: "org_a", Persons: []string{"per_walkin"}, From: day, To: day.Add(CheckinWindow)},
		{Kind: socle.DeclareCall, AgentID: "agt_phone", OrganisationID: "org_a", Persons: []string{"per_caller"}, Reference: "APL-1", From: day, To: day.Add(CallWindow)},
		{Kind: socle.DeclareEvent, AgentID: "agt_desk", OrganisationID: "org_a", Persons: []string{"per_guest"}, Reference: "Job-dating", From: day.Add(8 * time.Hour), To: day.Add(11 * time.Hour)},
	}
	src.tasks = []*socle.BulkTask{{ID: "tsk_1", AgentID: "agt_bulk", Purpose: "orientation", Start: day, End: day.Add(2 * time.Hour), ApprovedBy: "agt_admin"}}
	live := NewLive(detect.NewAuditSource(), ref)
	if err := live.Load(context.Background(), src, day.Add(-24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	territory := socle.Fact{Kind: "territory", Detail: map[string]string{"departement": "69"}}
	sickFollows := socle.Fact{Kind: "followup", Detail: map[string]string{"agent_id": "agt_sick"}}
	tests := []struct {
		name     string
		ev       socle.AuditEvent
		want     detect.Explanation
		wantTask bool
	}{
		{"covering a sick colleague's portfolio", access("agt_cover", "per_x", day.Add(time.Hour), sickFollows, territory), detect.ExplDelegation, false},
		{"after the delegation ended: the organisation's follow-up only", access("agt_cover", "per_x", day.Add(72*time.Hour), sickFollows, territory), detect.ExplFollowup, false},
		{"a référent is not downgraded by a call", access("agt_phone", "per_caller", day.Add(30*time.Minute), socle.Fact{Kind: "referent", Detail: map[string]string{"agent_id": "agt_phone"}}), detect.ExplReferent, false},
		{"covering, a search listing a person the sick colleague follows", func() socle.AuditEvent {
			ev := access("agt_cover", "per_other", day.Add(2*time.Hour), territory)
			ev.Action, ev.PersonRef, ev.PersonRefs = "search", "", []string{ref("per_other"), ref("per_x")}
			return ev
		}(), detect.ExplDelegation, false},
		{"another agent's follow-up", access("agt_cover", "per_y", day.Add(time.Hour), territory), detect.ExplTerritory, false},
		{"walk-in at the reception", access("agt_other", "per_walkin", day.Add(time.Hour)), detect.ExplAppointment, false},
		{"walk-in, the next day", access("agt_other", "per_walkin", day.Add(25*time.Hour)), detect.ExplNone, false},
		{"declared call", access("agt_phone", "per_caller", day.Add(30*time.Minute)), detect.ExplAppointment, false},
		{"access under the declared call's reference", func() socle.AuditEvent {
			ev := access("agt_phone", "per_household_member", day.Add(20*time.Minute))
			ev.CallRef = "APL-1"
			return ev
		}(), detect.ExplAppointment, false},
		{"call of another agent", access("agt_other_phone", "per_caller", day.Add(30*time.Minute)), detect.ExplNone, false},
		{"evening job-dating", access("agt_x", "per_guest", day.Add(9*time.Hour)), detect.ExplAppointment, false},
		{"bulk task", access("agt_bulk", "per_any", day.Add(time.Hour)), detect.ExplNone, true},
		{"bulk task overrunning within the grace", access("agt_bulk", "per_any", day.Add(2*time.Hour+30*time.Minute)), detect.ExplNone, true},
		{"bulk task, hours later", access("agt_bulk", "per_any", day.Add(5*time.Hour)), detect.ExplNone, false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs := live.ConvertAll(uint64(i), tt.ev, nil)
			live.Explain(evs, tt.ev)
			e := evs[0]
			person := e.Person
			if len(e.More) > 0 {
				person = e.More[len(e.More)-1] // a list: its last person
			}
			got := max(e.Explanation, live.Relation(e.Principal, person, e.Time))
			covered := slices.ContainsFunc(live.Tasks(e.Principal), func(t *detect.Task) bool { return t.Covers(e.Principal, e.Person, e.Purpose, e.Time) })
			if len(evs) != 1 || got != tt.want || covered != tt.wantTask {
				t.Fatalf("events = %+v; want explanation %v (got %v), task %v", evs, tt.want, got, tt.wantTask)
			}
		})
	}
}

func TestLiveDirectoryKnowsStaffHomesAndTheRegister(t *testing.T) {
	m := NewMarker([]byte("k"))
	home := Home{Address: "7 rue Paul Bert", CommuneCode: "69123"}
	staffMarks := m.Marks("180056912345678", socle.NewDate(1980, 5, 17), "Martin", home)
	formerMarks := m.Marks("280056912345678", socle.NewDate(1979, 1, 2), "Roux", Home{})
	src := &memSource{agents: map[string]*socle.Agent{
		"agt_a":      {ID: "agt_a", OrganisationID: "org_a"},
		"agt_former": {ID: "agt_former", OrganisationID: "org_a"},
	}}
	src.staff = []*socle.StaffRecord{{AgentID: "agt_a", Marks: staffMarks}, {AgentID: "agt_former", Marks: formerMarks, End: socle.NewDate(2020, 1, 31)}}
	src.homes = []*socle.PersonHome{
		{PersonID: "per_relative", Marks: m.Marks("", socle.Date{}, "Benali", home), Departement: "69"}, // same address, another surname
		{PersonID: "per_self", Marks: staffMarks, Departement: "69"},
		{PersonID: "per_former", Marks: formerMarks, Departement: "38"},
	}
	src.protected = []*socle.ProtectedPerson{{PersonID: "per_mayor", Kind: socle.ProtectedElected}, {PersonID: "per_gone", Kind: socle.ProtectedVIP, RemovedAt: time.Now()}}
	live := NewLive(detect.NewAuditSource(), ref)
	if err := live.Load(context.Background(), src, time.Now()); err != nil {
		t.Fatal(err)
	}
	at := time.Now()
	evs := live.ConvertAll(0, access("agt_a", "per_relative", at), nil)
	live.ConvertAll(1, access("agt_a", "per_self", at), nil)
	live.ConvertAll(2, access("agt_a", "per_former", at), nil)
	live.ConvertAll(3, access("agt_a", "per_mayor", at), nil)
	live.ConvertAll(4, access("agt_a", "per_gone", at), nil)
	pr := live.Principal(evs[0].Principal)
	person := func(id string) detect.PersonInfo {
		n, ok := live.Persons.Lookup(ref(id))
		if !ok {
			t.Fatalf("%s not interned", id)
		}
		return live.Person(n)
	}
	if rel := person("per_relative"); rel.Address == 0 || rel.Address != pr.Address || rel.Household != pr.Household {
		t.Errorf("relative %+v and agent %+v: want the same household whatever the surname", rel, pr)
	}
	if self := person("per_self"); self.Staff != evs[0].Principal || self.Identity == 0 || self.Identity != pr.Identity {
		t.Errorf("the agent's own record %+v: want her as staff", self)
	}
	f := person("per_former")
	former := live.Principal(f.Staff)
	if f.Staff == 0 || former.Org != pr.Org || former.End == 0 || former.End > at.Unix() || f.Territory == 0 {
		t.Errorf("former staff %+v, %+v", f, former)
	}
	if person("per_mayor").Protected != detect.ProtElected || person("per_gone").Protected != detect.ProtNone {
		t.Error("the register is not applied (or a removed entry still counts)")
	}
	if pr.Territory == 0 || pr.Territory == f.Territory {
		t.Errorf("départements: agent %d, person in 38 %d", pr.Territory, f.Territory)
	}
}

func TestBaselinesSurviveARestart(t *testing.T) {
	src := &memSource{agents: map[string]*socle.Agent{}}
	ctx := context.Background()
	newPipe := func() *Pipeline {
		live := NewLive(detect.NewAuditSource(), ref)
		if err := live.Load(ctx, src, time.Now()); err != nil {
			t.Fatal(err)
		}
		return NewPipeline(live, detect.Config{})
	}
	first := newPipe()
	day := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	followup := socle.Fact{Kind: "followup"}
	for d := range 5 {
		for i := range 30 {
			first.Observe(uint64(d*100+i), access("agt_a", "per_"+string(rune('a'+i%26)), day.Add(time.Duration(d)*24*time.Hour+time.Duration(i)*time.Minute), followup))
		}
	}
	first.Flush()
	first.Calibration.Record("family", true)
	if err := first.SaveState(ctx, src); err != nil {
		t.Fatal(err)
	}
	if len(src.baselines) != 2 || src.baselines[0].Version != StateVersion {
		t.Fatalf("saved state = %+v", src.baselines)
	}
	saved, _ := first.Detector.MarshalBinary()
	second := newPipe()
	ok, err := second.LoadState(ctx, src)
	if err != nil || !ok {
		t.Fatalf("restored %v, %v", ok, err)
	}
	restored, _ := second.Detector.MarshalBinary()
	if !bytes.Equal(saved, restored) {
		t.Fatal("the restored detector does not hold the saved state")
	}
	if second.Calibration.Precision("family") == detect.NewCalibration().Precision("family") {
		t.Error("the calibration's verdicts were not restored")
	}
	id, _ := second.Live.Principals.Lookup("agent:agt_a")
	// The principal's first event after the restart keeps its id and
	// learns its organisation.
	evs := second.Live.ConvertAll(1000, access("agt_a", "per_z", day.Add(6*24*time.Hour)), nil)
	if evs[0].Principal != id || second.Live.Principal(id).Org == 0 {
		t.Fatalf("after the restart: principal %d (want %d), info %+v", evs[0].Principal, id, second.Live.Principal(id))
	}
}

func TestAStateOfAnotherVersionIsIgnored(t *testing.T) {
	ctx := context.Background()
	src := &memSource{agents: map[string]*socle.Agent{}, baselines: []*socle.Baseline{
		{Principal: stateKey, Version: StateVersion + 1, State: []byte("from a later release")},
	}}
	live := NewLive(detect.NewAuditSource(), ref)
	p := NewPipeline(live, detect.Config{})
	if ok, err := p.LoadState(ctx, src); err != nil || ok {
		t.Fatalf("restored %v, %v; want the state ignored", ok, err)
	}
	src.baselines[0].Version = StateVersion // same version, garbage
	if ok, err := p.LoadState(ctx, src); err != nil || ok {
		t.Fatalf("restored %v, %v; want an undecodable state ignored", ok, err)
	}
}
