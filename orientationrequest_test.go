package socle_test

import (
	"testing"
	"time"

	"socle"
)

func TestAddWorkingDaysSkipsWeekends(t *testing.T) {
	tests := []struct {
		name string
		from socle.Date
		n    int
		want socle.Date
	}{
		{"ten from a Tuesday", socle.NewDate(2026, 12, 1), 10, socle.NewDate(2026, 12, 15)},
		{"one from a Friday", socle.NewDate(2026, 12, 4), 1, socle.NewDate(2026, 12, 7)},
		{"one from a Saturday", socle.NewDate(2026, 12, 5), 1, socle.NewDate(2026, 12, 7)},
		{"three back from a Tuesday", socle.NewDate(2026, 12, 15), -3, socle.NewDate(2026, 12, 10)},
		{"none", socle.NewDate(2026, 12, 5), 0, socle.NewDate(2026, 12, 5)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := socle.AddWorkingDays(tt.from, tt.n); got != tt.want {
				t.Fatalf("AddWorkingDays(%s, %d) = %s, want %s", tt.from, tt.n, got, tt.want)
			}
		})
	}
}

// TestHandoffSteps is the table of a request's states and deadlines: what
// the deadlines job does on each day.
func TestHandoffSteps(t *testing.T) {
	rules := socle.HandoffDeadlines{Deadline: 10, RemindBefore: 3}
	sent := socle.NewDate(2026, 12, 1)
	deadline := rules.DeadlineOf(sent) // Tuesday 15 December
	at := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		status    string
		reminded  bool
		escalated bool
		today     socle.Date
		want      socle.HandoffStep
	}{
		{"sent, early", socle.HandoffSent, false, false, socle.NewDate(2026, 12, 2), socle.HandoffWait},
		{"sent, the day before the reminder", socle.HandoffSent, false, false, socle.NewDate(2026, 12, 9), socle.HandoffWait},
		{"sent, the reminder day", socle.HandoffSent, false, false, socle.NewDate(2026, 12, 10), socle.HandoffRemind},
		{"sent, a weekend after the reminder day", socle.HandoffSent, false, false, socle.NewDate(2026, 12, 12), socle.HandoffRemind},
		{"reminded", socle.HandoffSent, true, false, socle.NewDate(2026, 12, 11), socle.HandoffWait},
		{"reminded, on the deadline", socle.HandoffSent, true, false, deadline, socle.HandoffWait},
		{"reminded, past the deadline", socle.HandoffSent, true, false, socle.NewDate(2026, 12, 16), socle.HandoffEscalate},
		{"never reminded, past the deadline", socle.HandoffSent, false, false, socle.NewDate(2026, 12, 16), socle.HandoffEscalate},
		{"escalated", socle.HandoffSent, true, true, socle.NewDate(2026, 12, 20), socle.HandoffWait},
		{"accepted before the deadline", socle.HandoffAccepted, false, false, socle.NewDate(2026, 12, 16), socle.HandoffWait},
		{"refused, reminder day", socle.HandoffRefused, false, false, socle.NewDate(2026, 12, 10), socle.HandoffWait},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &socle.OrientationRequest{Status: tt.status, Deadline: deadline}
			if tt.reminded {
				r.RemindedAt = at
			}
			if tt.escalated {
				r.EscalatedAt = at
			}
			if got := rules.Step(r, tt.today); got != tt.want {
				t.Fatalf("Step on %s = %d, want %d", tt.today, got, tt.want)
			}
		})
	}
}

func TestHandoffAnswerAndOutcomeValidation(t *testing.T) {
	tests := []struct {
		name  string
		check func() error
		ok    bool
	}{
		{"acceptance", (&socle.HandoffAnswer{Accept: true}).Validate, true},
		{"acceptance with a reason", (&socle.HandoffAnswer{Accept: true, Reason: "capacite"}).Validate, false},
		{"refusal with a listed reason", (&socle.HandoffAnswer{Reason: "capacite"}).Validate, true},
		{"refusal without a reason", (&socle.HandoffAnswer{}).Validate, false},
		{"refusal for an unknown reason", (&socle.HandoffAnswer{Reason: "humeur"}).Validate, false},
		{"refusal for another reason, explained", (&socle.HandoffAnswer{Reason: "autre", Comment: "Suivi déjà en cours ailleurs."}).Validate, true},
		{"refusal for another reason, blank", (&socle.HandoffAnswer{Reason: "autre", Comment: "   "}).Validate, false},
		{"maintien", (&socle.HandoffOutcome{Outcome: socle.HandoffOutcomeKept}).Validate, true},
		{"sortie with a reason", (&socle.HandoffOutcome{Outcome: socle.HandoffOutcomeExit, Reason: "emploi"}).Validate, true},
		{"sortie without a reason", (&socle.HandoffOutcome{Outcome: socle.HandoffOutcomeExit}).Validate, false},
		{"unknown outcome", (&socle.HandoffOutcome{Outcome: "pause"}).Validate, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.check()
			if (err == nil) != tt.ok {
				t.Fatalf("Validate = %v, want ok %v", err, tt.ok)
			}
			if err != nil && socle.ErrorCode(err) != socle.EINVALID {
				t.Fatalf("code = %s, want EINVALID", socle.ErrorCode(err))
			}
		})
	}
}

func TestHandoffSummaryLeavesHealthOut(t *testing.T) {
	p := &socle.Person{Parcours: &socle.Parcours{Situation: socle.SituationRSA, Constraints: []string{"mobilite", "sante", "logement"}}}
	s := socle.HandoffSummaryOf(p)
	if s.Situation != socle.SituationRSA || len(s.Constraints) != 2 || s.Constraints[0] != "mobilite" || s.Constraints[1] != "logement" {
		t.Fatalf("summary = %+v", s)
	}
	if got := socle.HandoffSummaryOf(&socle.Person{}); got.Situation != "" || got.Constraints != nil {
		t.Fatalf("summary of a masked parcours = %+v", got)
	}
}
