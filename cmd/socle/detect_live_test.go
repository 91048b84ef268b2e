package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"socle"
	"socle/cases"
	"socle/detect"
	"socle/gate"
	"socle/policy"
	"socle/store/storetest"
)

type liveEnv struct {
	a *app
	// clock is the gate's time, set by the test while the live detector
	// reads it from its own goroutine (nil: the real time).
	clock   atomic.Pointer[time.Time]
	dataDir string
	adviser socle.Actor
	admin   socle.Actor
	auditor socle.Actor
	persons []string
}

// newLiveEnv opens the real app (SQLite, policy, audit log, gate) with an
// employment-service agency, an adviser, an administrator, an auditor and
// persons of its territory.
func newLiveEnv(t *testing.T, persons int) *liveEnv {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	a, err := openApp(ctx, storeFlags{data: dir}, siteConfig{baseURL: "http://localhost"}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	e := &liveEnv{a: a, dataDir: dir}
	a.gate.Now = func() time.Time {
		if at := e.clock.Load(); at != nil {
			return *at
		}
		return time.Now()
	}
	first := storetest.NewPerson(1)
	org := storetest.NewOrganisation("Agence France Travail", socle.KindEmploymentService, socle.DepartementOf(first.Contact.CommuneCode))
	if err := a.store.CreateOrganisation(ctx, org); err != nil {
		t.Fatal(err)
	}
	actor := func(email string, role socle.Role) socle.Actor {
		ag := storetest.NewAgent(org.ID, email)
		ag.Roles = []socle.Role{role}
		if err := a.store.CreateAgent(ctx, ag); err != nil {
			t.Fatal(err)
		}
		return socle.Actor{AgentID: ag.ID, OrganisationID: org.ID, OrgKind: org.Kind, OrgName: org.Name, Roles: ag.Roles, Departements: org.Departements, Strength: socle.AuthMFA}
	}
	e.adviser, e.admin, e.auditor = actor("claire@ft.fr", socle.RoleAdviser), actor("admin@ft.fr", socle.RoleOrgAdmin), actor("dpo@ft.fr", socle.RoleAuditor)
	for i := range persons {
		p := storetest.NewPerson(i + 1)
		p.Contact.CommuneCode, p.Contact.PostalCode = first.Contact.CommuneCode, first.Contact.PostalCode
		if err := a.store.CreatePerson(ctx, p); err != nil {
			t.Fatal(err)
		}
		e.persons = append(e.persons, p.ID)
	}
	return e
}

func (e *liveEnv) read(t *testing.T, actor socle.Actor, at time.Time, id string) error {
	t.Helper()
	e.clock.Store(&at)
	_, _, err := e.a.gate.ReadPerson(context.Background(), gateReq(actor, policy.PurposeOrientation), id, 0)
	return err
}

// TestLiveDetectorOffHours reads through the real gate at night; the live
// detector tails the audit log and files an off-hours alert into a case
// with its evidence. A "justified" verdict silences the rule.
func TestLiveDetectorOffHours(t *testing.T) {
	e := newLiveEnv(t, 6)
	ctx := context.Background()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no time zone data")
	}
	night := time.Date(2025, 3, 4, 2, 0, 0, 0, paris)
	for i, id := range e.persons {
		if err := e.read(t, e.adviser, night.Add(time.Duration(i)*time.Minute), id); err != nil {
			t.Fatalf("read %d: %v", i, err)
		}
	}
	l := e.a.newLiveDetector()
	if err := l.Start(ctx); err != nil {
		t.Fatal(err)
	}
	n, err := l.Step(ctx)
	if err != nil || n < len(e.persons) {
		t.Fatalf("step = %d, %v; want at least %d entries", n, err, len(e.persons))
	}
	if err := l.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	cs, err := e.a.cases.Cases(ctx, e.auditor, socle.CaseFilter{Rule: "off_hours"})
	if err != nil || len(cs) != 1 || cs[0].Principal != "agent:"+e.adviser.AgentID {
		t.Fatalf("cases = %+v, %v; want one off-hours case of the adviser", cs, err)
	}
	d, err := e.a.cases.Case(ctx, e.auditor, cs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	// The alert is filed as soon as three persons were read off-hours
	// (the detector's floor), with those reads as evidence.
	if len(d.Alerts) != 1 || len(d.Alerts[0].Evidence) < 3 || len(d.Alerts[0].Evidence) > len(e.persons) || d.Alerts[0].Evidence[0].Explanation == "" || d.Alerts[0].Evidence[0].PersonRef == "" {
		t.Fatalf("alerts = %+v", d.Alerts)
	}
	if pos, err := e.a.store.DetectCursor(ctx, "live"); err != nil || pos != uint64(n) {
		t.Fatalf("cursor = %d, %v", pos, err)
	}

	// Justified: the same reads the next night raise nothing.
	for _, s := range []socle.CaseState{socle.CaseTriage, socle.CaseClosed} {
		v := socle.Verdict("")
		if s == socle.CaseClosed {
			v = socle.VerdictJustified
		}
		if _, err := e.a.cases.Move(ctx, e.auditor, cs[0].ID, s, v, "permanence de nuit"); err != nil {
			t.Fatal(err)
		}
	}
	if got, prior := l.pipe.Calibration.Precision("off_hours"), detect.NewCalibration().Precision("off_hours"); got >= prior {
		t.Errorf("off-hours precision after a justified verdict = %v, want below the prior %v", got, prior)
	}
	for i, id := range e.persons {
		if err := e.read(t, e.adviser, night.Add(24*time.Hour+time.Duration(i)*time.Minute), id); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := l.Step(ctx); err != nil {
		t.Fatal(err)
	}
	if err := l.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	all, err := e.a.cases.Cases(ctx, e.auditor, socle.CaseFilter{})
	if err != nil || len(all) != 1 {
		t.Fatalf("cases after the verdict = %d, %v; want the closed one only", len(all), err)
	}
	if l.pipe.Detector.Stats().Suppressed == 0 {
		t.Error("the detector did not count the suppressed alert")
	}
}

// TestThrottleLive: past the step-up limit the agent must confirm her
// second factor; past the block limit she is blocked and a critical case
// opens; an approved bulk task is exempt.
func TestThrottleLive(t *testing.T) {
	e := newLiveEnv(t, 6)
	ctx := context.Background()
	e.a.gate.Throttle.StepUp, e.a.gate.Throttle.Block = 2, 4
	at := time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
	for i := range 2 {
		if err := e.read(t, e.adviser, at, e.persons[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.read(t, e.adviser, at, e.persons[2]); socle.ErrorCode(err) != socle.ESTEPUP {
		t.Fatalf("third person: %v, want step-up", err)
	}
	if err := e.a.gate.Throttle.SteppedUp(ctx, e.adviser, at); err != nil {
		t.Fatal(err)
	}
	for i := 2; i < 4; i++ {
		if err := e.read(t, e.adviser, at, e.persons[i]); err != nil {
			t.Fatalf("after step-up, person %d: %v", i, err)
		}
	}
	if err := e.read(t, e.adviser, at, e.persons[4]); socle.ErrorCode(err) != socle.EFORBIDDEN {
		t.Fatalf("fifth person: %v, want blocked", err)
	}
	cs, err := e.a.cases.Cases(ctx, e.auditor, socle.CaseFilter{Rule: cases.RuleInline})
	if err != nil || len(cs) != 1 || !cs[0].Critical {
		t.Fatalf("cases = %+v, %v; want one critical case", cs, err)
	}

	// A bulk task the adviser declares and an administrator approves.
	task := &socle.BulkTask{Purpose: policy.PurposeOrientation, Population: "Relance des demandeurs sans rendez-vous", Start: at, End: at.Add(24 * time.Hour)}
	if err := e.a.cases.DeclareTask(ctx, e.adviser, task); err != nil {
		t.Fatal(err)
	}
	if _, err := e.a.cases.ApproveTask(ctx, e.adviser, task.ID); socle.ErrorCode(err) != socle.EFORBIDDEN {
		t.Fatalf("self-approval: %v, want EFORBIDDEN", err)
	}
	if _, err := e.a.cases.ApproveTask(ctx, e.admin, task.ID); err != nil {
		t.Fatal(err)
	}
	officer := gate.Request{Actor: e.auditor, RequestID: "lift"}
	e.clock.Store(&at)
	if err := e.a.gate.LiftBlock(ctx, officer, gate.PrincipalKey(e.adviser), "Tâche de relance approuvée, volume attendu"); err != nil {
		t.Fatal(err)
	}
	later := at.Add(2 * time.Hour) // a new window
	for i, id := range e.persons {
		if err := e.read(t, e.adviser, later, id); err != nil {
			t.Fatalf("bulk task, person %d: %v", i, err)
		}
	}
}

func gateReq(actor socle.Actor, purpose string) gate.Request {
	return gate.Request{Actor: actor, Purpose: purpose, RequestID: "test", RemoteAddr: "127.0.0.1"}
}

// TestLiveDetectorStateSurvivesARestart: what the live detector learnt is
// saved in the store and a new detector over the same store (a restarted
// serve, `detect run`) starts from it.
func TestLiveDetectorStateSurvivesARestart(t *testing.T) {
	e := newLiveEnv(t, 8)
	ctx := context.Background()
	day := time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
	for i, id := range e.persons {
		if err := e.read(t, e.adviser, day.Add(time.Duration(i)*time.Minute), id); err != nil {
			t.Fatal(err)
		}
	}
	first := e.a.newLiveDetector()
	if err := first.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := first.Step(ctx); err != nil {
		t.Fatal(err)
	}
	if err := first.SaveState(ctx); err != nil {
		t.Fatal(err)
	}
	saved, err := first.pipe.Detector.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	second := e.a.newLiveDetector()
	if err := second.Start(ctx); err != nil {
		t.Fatal(err)
	}
	restored, err := second.pipe.Detector.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(saved, restored) || second.pipe.Detector.Stats().Reads != int64(len(e.persons)) {
		t.Fatalf("restarted detector: %d reads (want %d), same state %v", second.pipe.Detector.Stats().Reads, len(e.persons), bytes.Equal(saved, restored))
	}
	if id, ok := second.src.Principals.Lookup("agent:" + e.adviser.AgentID); !ok || id == 0 {
		t.Fatal("the restarted detector forgot the principals' ids")
	}
}
