package gate_test

import (
	"strings"
	"testing"
	"time"

	"socle"
)

// TestOrganisationWritesRefuseACallerOfNoOrganisation: the writes an
// adviser or a partner system makes for its organisation refuse a person
// acting in her own name, with the entry point's reason and nothing
// written; the spec's own check of the person's id still comes first.
func TestOrganisationWritesRefuseACallerOfNoOrganisation(t *testing.T) {
	ctx, e, p := newParcoursEnv(t)
	herself := e.self(e.followed)
	herself.Purpose = "accompagnement"
	start := time.Now().Add(48 * time.Hour)
	tests := []struct {
		name     string
		call     func(id string) error
		wantWhy  string
		badIDErr string
	}{
		{"plan", func(id string) error {
			_, err := p.SavePlan(ctx, herself, id, &socle.Plan{Objectives: []socle.Objective{{Title: "Trouver un emploi."}}})
			return err
		}, "draws up a plan", socle.ENOTFOUND},
		{"plan agreement", func(id string) error {
			_, err := p.RecordPlanAgreement(ctx, herself, id, 1)
			return err
		}, "records the person's agreement", socle.ENOTFOUND},
		{"diagnostic", func(id string) error {
			_, err := p.SaveDiagnostic(ctx, herself, id, -1, socle.DiagnosticUpdate{})
			return err
		}, "writes a diagnostic", socle.ENOTFOUND},
		{"appointment", func(id string) error {
			return p.ScheduleAppointment(ctx, herself, &socle.Appointment{Event: socle.Event{PersonID: id, Title: "Entretien",
				Start: start, End: start.Add(time.Hour)}})
		}, "set by an organisation", socle.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			size := e.log.Size()
			err := tt.call(e.followed.ID)
			if socle.ErrorCode(err) != socle.EFORBIDDEN || !strings.Contains(socle.ErrorMessage(err), tt.wantWhy) {
				t.Errorf("error %v, want EFORBIDDEN saying %q", err, tt.wantWhy)
			}
			if err := tt.call("not-a-person"); socle.ErrorCode(err) != tt.badIDErr {
				t.Errorf("with no person id: error %v, want %s first", err, tt.badIDErr)
			}
			if e.log.Size() != size {
				t.Errorf("the refusals grew the log by %d entries: refused before any decision, they record nothing", e.log.Size()-size)
			}
		})
	}
	if _, err := p.Plan(ctx, e.req("accompagnement"), e.followed.ID); socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Errorf("after the refusals, reading the plan: %v, want ENOTFOUND (none drawn up)", err)
	}
}
