package storetest

import (
	"context"
	"testing"
	"time"

	"socle"
	"socle/cases"
)

// RunDetect runs the suite of misuse cases, suppressions, the detector's
// cursor and bulk tasks. open returns a new, empty, migrated store.
func RunDetect(t *testing.T, open func(t *testing.T) socle.Store) {
	runTests(t, open, "cases store", []storeTest[cases.Store]{
		{"Alerts", testDetectAlerts},
		{"Workflow", testDetectWorkflow},
		{"Suppressions", testDetectSuppressions},
		{"Cursor", testDetectCursor},
		{"BulkTasks", testDetectBulkTasks},
	})
}

func raise(t *testing.T, s cases.Store, principal, rule string, at time.Time) (*socle.Alert, *socle.Case) {
	t.Helper()
	a := &socle.Alert{Rule: rule, Score: 2.5, Principal: principal, OrganisationID: "org_a", Reason: "raison",
		Evidence: []socle.AlertEvidence{{Index: 7, Time: at, Action: "read", PersonRef: "ref1", Allowed: true, Explanation: "Territoire."}}, OccurredAt: at}
	c, err := s.AddAlert(context.Background(), a)
	must(t, err)
	return a, c
}

func testDetectAlerts(t *testing.T, s cases.Store) {
	ctx := context.Background()
	at := time.Date(2025, 3, 3, 10, 0, 0, 0, time.UTC)
	a1, c1 := raise(t, s, "agent:a1", "off_hours", at)
	_, c2 := raise(t, s, "agent:a1", "mass_fast", at.Add(time.Hour))
	_, c3 := raise(t, s, "agent:a2", "off_hours", at.Add(2*time.Hour))
	if c1.ID != c2.ID || c1.ID == c3.ID || a1.CaseID != c1.ID {
		t.Fatalf("cases %s %s %s: want the alerts of one agent in one case", c1.ID, c2.ID, c3.ID)
	}
	c, err := s.Case(ctx, c1.ID)
	must(t, err)
	if c.Alerts != 2 || c.State != socle.CaseNew || c.Principal != "agent:a1" || c.OpenedAt.IsZero() {
		t.Fatalf("case = %+v", c)
	}
	alerts, err := s.CaseAlerts(ctx, c1.ID)
	must(t, err)
	if len(alerts) != 2 || alerts[0].Rule != "off_hours" || len(alerts[0].Evidence) != 1 || alerts[0].Evidence[0].Explanation != "Territoire." {
		t.Fatalf("case alerts = %+v", alerts)
	}
	for _, tt := range []struct {
		f    socle.CaseFilter
		want int
	}{
		{socle.CaseFilter{}, 2},
		{socle.CaseFilter{Rule: "mass_fast"}, 1},
		{socle.CaseFilter{Rule: "off_hours"}, 2},
		{socle.CaseFilter{Principal: "agent:a2"}, 1},
		{socle.CaseFilter{State: socle.CaseClosed}, 0},
		{socle.CaseFilter{OrganisationID: "org_b"}, 0},
	} {
		got, err := s.Cases(ctx, tt.f)
		must(t, err)
		if len(got) != tt.want {
			t.Errorf("Cases(%+v) = %d cases, want %d", tt.f, len(got), tt.want)
		}
	}
	all, err := s.Alerts(ctx, at.Add(30*time.Minute))
	must(t, err)
	if len(all) != 2 {
		t.Errorf("Alerts since = %d, want 2", len(all))
	}
	_, err = s.Case(ctx, "dos_absent")
	wantCode(t, err, socle.ENOTFOUND)
}

func testDetectWorkflow(t *testing.T, s cases.Store) {
	ctx := context.Background()
	at := time.Date(2025, 3, 3, 10, 0, 0, 0, time.UTC)
	_, c := raise(t, s, "agent:a1", "off_hours", at)
	c.State, c.TriagedAt, c.UpdatedAt = socle.CaseTriage, at.Add(time.Hour), at.Add(time.Hour)
	must(t, s.UpdateCase(ctx, c, socle.CaseNew, &socle.CaseEntry{ID: "dse_1", CaseID: c.ID, Kind: socle.CaseEntryState, Author: "agt_x", Text: "triage"}))
	wantCode(t, s.UpdateCase(ctx, c, socle.CaseNew, nil), socle.ECONFLICT)
	must(t, s.AddCaseEntry(ctx, &socle.CaseEntry{ID: "dse_2", CaseID: c.ID, Kind: socle.CaseEntryComment, Author: "agt_x", Text: "vu"}))
	entries, err := s.CaseEntries(ctx, c.ID)
	must(t, err)
	if len(entries) != 2 || entries[0].Text != "triage" || entries[1].Kind != socle.CaseEntryComment {
		t.Fatalf("entries = %+v", entries)
	}
	c.State, c.Verdict, c.ClosedAt = socle.CaseClosed, socle.VerdictMisuse, at.Add(2*time.Hour)
	must(t, s.UpdateCase(ctx, c, socle.CaseTriage, nil))
	got, err := s.Case(ctx, c.ID)
	must(t, err)
	if got.State != socle.CaseClosed || got.Verdict != socle.VerdictMisuse || !got.TriagedAt.Equal(at.Add(time.Hour)) || !got.ClosedAt.Equal(at.Add(2*time.Hour)) {
		t.Fatalf("closed case = %+v", got)
	}
	// A new alert after the verdict opens a new case.
	_, next := raise(t, s, "agent:a1", "off_hours", at.Add(3*time.Hour))
	if next.ID == c.ID || next.State != socle.CaseNew {
		t.Fatalf("alert after close went to %+v", next)
	}
}

func testDetectSuppressions(t *testing.T, s cases.Store) {
	ctx := context.Background()
	at := time.Date(2025, 3, 3, 10, 0, 0, 0, time.UTC)
	must(t, s.PutSuppression(ctx, &socle.Suppression{Principal: "agent:a1", Rule: "off_hours", Until: at.Add(time.Hour), CaseID: "dos_1"}))
	must(t, s.PutSuppression(ctx, &socle.Suppression{Principal: "agent:a1", Rule: "off_hours", Until: at.Add(48 * time.Hour), CaseID: "dos_2"}))
	must(t, s.PutSuppression(ctx, &socle.Suppression{Principal: "agent:a2", Rule: "off_hours", Until: at.Add(time.Hour), CaseID: "dos_3"}))
	got, err := s.Suppressions(ctx, at.Add(2*time.Hour))
	must(t, err)
	if len(got) != 1 || got[0].CaseID != "dos_2" || !got[0].Until.Equal(at.Add(48*time.Hour)) {
		t.Fatalf("suppressions in force = %+v", got)
	}
}

func testDetectCursor(t *testing.T, s cases.Store) {
	ctx := context.Background()
	pos, err := s.DetectCursor(ctx, "live")
	must(t, err)
	if pos != 0 {
		t.Fatalf("new cursor = %d", pos)
	}
	must(t, s.SetDetectCursor(ctx, "live", 41))
	must(t, s.SetDetectCursor(ctx, "live", 42))
	if pos, err = s.DetectCursor(ctx, "live"); err != nil || pos != 42 {
		t.Fatalf("cursor = %d, %v; want 42", pos, err)
	}
}

func testDetectBulkTasks(t *testing.T, s cases.Store) {
	ctx := context.Background()
	at := time.Date(2025, 3, 3, 10, 0, 0, 0, time.UTC)
	task := &socle.BulkTask{ID: "tdm_1", OrganisationID: "org_a", AgentID: "agt_a", Purpose: "accompagnement", Population: "relance",
		Persons: []string{"per_1"}, Start: at, End: at.Add(24 * time.Hour), DeclaredBy: "agt_a"}
	must(t, s.CreateBulkTask(ctx, task))
	must(t, s.ApproveBulkTask(ctx, "tdm_1", "agt_b", at))
	wantCode(t, s.ApproveBulkTask(ctx, "tdm_1", "agt_b", at), socle.ECONFLICT)
	wantCode(t, s.ApproveBulkTask(ctx, "tdm_absent", "agt_b", at), socle.ENOTFOUND)
	got, err := s.BulkTask(ctx, "tdm_1")
	must(t, err)
	if got.ApprovedBy != "agt_b" || !got.Active(at.Add(time.Hour)) || len(got.Persons) != 1 {
		t.Fatalf("task = %+v", got)
	}
	for _, tt := range []struct {
		org   string
		after time.Time
		want  int
	}{{"org_a", at, 1}, {"", at, 1}, {"org_b", at, 0}, {"org_a", at.Add(48 * time.Hour), 0}} {
		ts, err := s.BulkTasks(ctx, tt.org, tt.after)
		must(t, err)
		if len(ts) != tt.want {
			t.Errorf("BulkTasks(%q, %v) = %d, want %d", tt.org, tt.after, len(ts), tt.want)
		}
	}
}
