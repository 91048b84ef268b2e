package cases_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"socle"
	"socle/audit"
	"socle/cases"
	"socle/internal/stacktest"
	"socle/store/auditsql"
	"socle/store/storetest"
)

type env struct {
	svc               *cases.Service
	db                *sqliteDB
	auditor, other    socle.Actor
	auditorAgent, adv *socle.Agent
	org               *socle.Organisation
	log               *audit.Log
}

type sqliteDB = interface {
	cases.Store
	socle.Store
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	db, _ := stacktest.Open(t)
	e := &env{}
	var store sqliteDB = db
	e.db = &store
	e.org = storetest.NewOrganisation("Mission Locale", socle.KindYouth, "69")
	other := storetest.NewOrganisation("Autre", socle.KindYouth, "01")
	for _, o := range []*socle.Organisation{e.org, other} {
		if err := db.CreateOrganisation(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	e.auditorAgent = storetest.NewAgent(e.org.ID, "dpo@ml.fr")
	e.auditorAgent.Roles = []socle.Role{socle.RoleAuditor}
	e.adv = storetest.NewAgent(e.org.ID, "claire@ml.fr")
	outsider := storetest.NewAgent(other.ID, "dpo@autre.fr")
	outsider.Roles = []socle.Role{socle.RoleAuditor}
	for _, a := range []*socle.Agent{e.auditorAgent, e.adv, outsider} {
		if err := db.CreateAgent(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	e.auditor = socle.Actor{AgentID: e.auditorAgent.ID, OrganisationID: e.org.ID, Roles: e.auditorAgent.Roles, Strength: socle.AuthMFA}
	e.other = socle.Actor{AgentID: outsider.ID, OrganisationID: other.ID, Roles: outsider.Roles, Strength: socle.AuthMFA}
	e.svc = cases.New(db)
	signer, _, err := audit.GenerateKey("socle.test")
	if err != nil {
		t.Fatal(err)
	}
	e.log, err = audit.Open(ctx, auditsql.New(db), signer, audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.log.Close() })
	e.svc.SetAuditor(e.log)
	return e
}

func (e *env) raise(t *testing.T, rule string) *socle.Case {
	t.Helper()
	c, err := e.svc.Raise(context.Background(), &socle.Alert{Rule: rule, Score: 2, Principal: "agent:" + e.adv.ID, OrganisationID: e.org.ID, Reason: "r"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestTransitions(t *testing.T) {
	tests := []struct {
		name    string
		path    []socle.CaseState
		to      socle.CaseState
		verdict socle.Verdict
		code    string
	}{
		{"new to triage", nil, socle.CaseTriage, "", ""},
		{"new to closed", nil, socle.CaseClosed, socle.VerdictMisuse, socle.EINVALID},
		{"new to investigating", nil, socle.CaseInvestigating, "", socle.EINVALID},
		{"triage to investigating", []socle.CaseState{socle.CaseTriage}, socle.CaseInvestigating, "", ""},
		{"triage to closed", []socle.CaseState{socle.CaseTriage}, socle.CaseClosed, socle.VerdictBadData, ""},
		{"close without verdict", []socle.CaseState{socle.CaseTriage, socle.CaseInvestigating}, socle.CaseClosed, "", socle.EINVALID},
		{"close with unknown verdict", []socle.CaseState{socle.CaseTriage, socle.CaseInvestigating}, socle.CaseClosed, "bof", socle.EINVALID},
		{"verdict without closing", []socle.CaseState{socle.CaseTriage}, socle.CaseInvestigating, socle.VerdictMisuse, socle.EINVALID},
		{"investigating to closed", []socle.CaseState{socle.CaseTriage, socle.CaseInvestigating}, socle.CaseClosed, socle.VerdictMisuse, ""},
		{"closed is final", []socle.CaseState{socle.CaseTriage, socle.CaseInvestigating}, socle.CaseTriage, "", socle.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			c := e.raise(t, "off_hours")
			for _, s := range tt.path {
				if _, err := e.svc.Move(ctx, e.auditor, c.ID, s, "", ""); err != nil {
					t.Fatalf("move to %s: %v", s, err)
				}
			}
			if tt.name == "closed is final" {
				if _, err := e.svc.Move(ctx, e.auditor, c.ID, socle.CaseClosed, socle.VerdictMisuse, ""); err != nil {
					t.Fatal(err)
				}
			}
			got, err := e.svc.Move(ctx, e.auditor, c.ID, tt.to, tt.verdict, "note")
			if socle.ErrorCode(err) != tt.code {
				t.Fatalf("move to %s: error %v, want code %q", tt.to, err, tt.code)
			}
			if err == nil && (got.State != tt.to || got.TriagedAt.IsZero()) {
				t.Fatalf("case = %+v", got)
			}
		})
	}
}

func TestScopeAssignComment(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := e.raise(t, "off_hours")
	if _, err := e.svc.Case(ctx, e.other, c.ID); socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Fatalf("auditor of another organisation: %v, want ENOTFOUND", err)
	}
	adviser := socle.Actor{AgentID: e.adv.ID, OrganisationID: e.org.ID, Roles: e.adv.Roles, Strength: socle.AuthMFA}
	if _, err := e.svc.Cases(ctx, adviser, socle.CaseFilter{}); socle.ErrorCode(err) != socle.EFORBIDDEN {
		t.Fatalf("adviser lists cases: %v, want EFORBIDDEN", err)
	}
	if err := e.svc.Assign(ctx, e.auditor, c.ID, e.adv.ID); socle.ErrorCode(err) != socle.EINVALID {
		t.Fatalf("assign to an adviser: %v, want EINVALID", err)
	}
	if err := e.svc.Assign(ctx, e.auditor, c.ID, e.other.AgentID); socle.ErrorCode(err) != socle.EINVALID {
		t.Fatalf("assign to another organisation's auditor: %v, want EINVALID", err)
	}
	if err := e.svc.Assign(ctx, e.auditor, c.ID, e.auditor.AgentID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Comment(ctx, e.auditor, c.ID, "Entretien prévu."); err != nil {
		t.Fatal(err)
	}
	d, err := e.svc.Case(ctx, e.auditor, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Case.Assignee != e.auditor.AgentID || len(d.Entries) != 2 || d.Entries[1].Text != "Entretien prévu." || len(d.Alerts) != 1 {
		t.Fatalf("case detail = %+v %+v", d.Case, d.Entries)
	}
}

func TestVerdictSuppressesAndCalibrates(t *testing.T) {
	for _, tt := range []struct {
		verdict socle.Verdict
		want    int
	}{{socle.VerdictJustified, 2}, {socle.VerdictBadRule, 2}, {socle.VerdictBadData, 2}, {socle.VerdictMisuse, 0}} {
		t.Run(string(tt.verdict), func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			now := time.Date(2025, 3, 3, 10, 0, 0, 0, time.UTC)
			e.svc.Now = func() time.Time { return now }
			var got []socle.Suppression
			e.svc.OnSuppress(func(s socle.Suppression) { got = append(got, s) })
			var verdicts []cases.VerdictOf
			e.svc.OnVerdict(func(v cases.VerdictOf) { verdicts = append(verdicts, v) })
			c := e.raise(t, "off_hours")
			e.raise(t, "mass_slow")
			for _, s := range []socle.CaseState{socle.CaseTriage, socle.CaseClosed} {
				v := socle.Verdict("")
				if s == socle.CaseClosed {
					v = tt.verdict
				}
				if _, err := e.svc.Move(ctx, e.auditor, c.ID, s, v, ""); err != nil {
					t.Fatal(err)
				}
			}
			stored, err := e.svc.Suppressions(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.want || len(stored) != tt.want {
				t.Fatalf("suppressions: hook %d, stored %d; want %d", len(got), len(stored), tt.want)
			}
			if tt.want > 0 && !got[0].Until.Equal(now.Add(cases.DefaultSuppression)) {
				t.Errorf("until = %v", got[0].Until)
			}
			// Every closing reports its verdict per rule (the detector's
			// calibration), misuse or not.
			misuse := tt.verdict == socle.VerdictMisuse
			if len(verdicts) != 2 || verdicts[0].Misuse != misuse || verdicts[0].Principal != c.Principal || verdicts[0].Rule == verdicts[1].Rule || verdicts[0].From.IsZero() {
				t.Errorf("verdicts = %+v; want one per rule, misuse %v", verdicts, misuse)
			}
		})
	}
}

func TestCompute(t *testing.T) {
	t0 := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC) // a Monday
	h := time.Hour
	cs := []*socle.Case{
		{ID: "a", State: socle.CaseClosed, Verdict: socle.VerdictMisuse, OpenedAt: t0, TriagedAt: t0.Add(1 * h), ClosedAt: t0.Add(10 * h)},
		{ID: "b", State: socle.CaseClosed, Verdict: socle.VerdictBadRule, OpenedAt: t0, TriagedAt: t0.Add(2 * h), ClosedAt: t0.Add(20 * h)},
		{ID: "c", State: socle.CaseClosed, Verdict: socle.VerdictMisuse, OpenedAt: t0, TriagedAt: t0.Add(3 * h), ClosedAt: t0.Add(30 * h)},
		{ID: "d", State: socle.CaseInvestigating, OpenedAt: t0, TriagedAt: t0.Add(4 * h)},
		{ID: "e", State: socle.CaseNew, OpenedAt: t0},
	}
	alerts := []*socle.Alert{
		{CaseID: "a", Rule: "off_hours", OccurredAt: t0},
		{CaseID: "a", Rule: "off_hours", OccurredAt: t0.Add(24 * h)},
		{CaseID: "a", Rule: "mass_fast", OccurredAt: t0},
		{CaseID: "b", Rule: "off_hours", OccurredAt: t0.Add(7 * 24 * h)},
		{CaseID: "c", Rule: "mass_fast", OccurredAt: t0.Add(7 * 24 * h)},
		{CaseID: "d", Rule: "mass_fast", OccurredAt: t0.Add(8 * 24 * h)},
	}
	m := cases.Compute(cs, alerts)
	if m.Cases != 5 || m.Open != 2 {
		t.Errorf("cases %d open %d", m.Cases, m.Open)
	}
	// Triage times 1,2,3,4 h: p50 = 2 h, p90 = 4 h (nearest rank). Close 10,20,30 h: p50 20, p90 30.
	if m.TriageP50 != 2*h || m.TriageP90 != 4*h || m.CloseP50 != 20*h || m.CloseP90 != 30*h {
		t.Errorf("durations %v %v %v %v", m.TriageP50, m.TriageP90, m.CloseP50, m.CloseP90)
	}
	want := map[string]cases.RulePrecision{
		// Median time to close per rule: off hours closes a (10 h) and b
		// (20 h), mass extraction a (10 h) and c (30 h): nearest rank 10 h.
		"off_hours": {Rule: "off_hours", Alerts: 3, Closed: 2, Confirmed: 1, Precision: 0.5, CloseP50: 10 * h},
		"mass_fast": {Rule: "mass_fast", Alerts: 3, Closed: 2, Confirmed: 2, Precision: 1, CloseP50: 10 * h},
	}
	if len(m.Rules) != 2 {
		t.Fatalf("rules = %+v", m.Rules)
	}
	for _, r := range m.Rules {
		if r != want[r.Rule] {
			t.Errorf("rule %s = %+v, want %+v", r.Rule, r, want[r.Rule])
		}
	}
	if len(m.AlertsWeeks) != 2 || m.AlertsWeeks[0].Week != "2025-W10" || m.AlertsWeeks[0].Alerts != 3 || m.AlertsWeeks[1].Alerts != 3 {
		t.Errorf("weeks = %+v", m.AlertsWeeks)
	}
}

// TestChangesAreAudited checks that each change of a case is an event of
// the audit log, written by the auditor who made it, and that without an
// audit log no change is made.
func TestChangesAreAudited(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	c := e.raise(t, "volume")
	before := e.log.Size()
	if _, err := e.svc.Move(ctx, e.auditor, c.ID, socle.CaseTriage, "", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Comment(ctx, e.auditor, c.ID, "Vu avec la responsable."); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Assign(ctx, e.auditor, c.ID, e.auditorAgent.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Move(ctx, e.auditor, c.ID, socle.CaseClosed, socle.Verdicts[0], "Clos."); err != nil {
		t.Fatal(err)
	}
	want := []string{cases.AuditCaseState, cases.AuditCaseComment, cases.AuditCaseAssign, cases.AuditCaseState}
	if got := e.log.Size() - before; got != uint64(len(want)) {
		t.Fatalf("%d audit events, want %d", got, len(want))
	}
	for i, action := range want {
		en, err := e.log.Entry(ctx, before+uint64(i))
		if err != nil {
			t.Fatal(err)
		}
		ev := en.Event
		if ev.Action != action || ev.AgentID != e.auditorAgent.ID || ev.ResourceID != c.ID || ev.ResourceKind != "case" {
			t.Errorf("event %d = %+v, want %s on %s by %s", i, ev, action, c.ID, e.auditorAgent.ID)
		}
	}
	if en, _ := e.log.Entry(ctx, before+3); !strings.Contains(en.Event.Explanation, string(socle.Verdicts[0])) {
		t.Errorf("the closing event does not name the verdict: %q", en.Event.Explanation)
	}

	unaudited := cases.New(*e.db)
	c2 := e.raise(t, "nuit")
	if _, err := unaudited.Move(ctx, e.auditor, c2.ID, socle.CaseTriage, "", ""); socle.ErrorCode(err) != socle.EUNAVAILABLE {
		t.Errorf("move without an audit log: %v, want EUNAVAILABLE", err)
	}
	if d, err := e.svc.Case(ctx, e.auditor, c2.ID); err != nil || d.Case.State != socle.CaseNew {
		t.Errorf("the unaudited move changed the case: %v, %v", d, err)
	}
}
