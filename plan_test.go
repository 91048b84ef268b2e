package socle_test

import (
	"strings"
	"testing"
	"time"

	"socle"
)

func TestActionStatusChanges(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		desc       string
		from       string
		change     socle.ActionChange
		wantErr    string
		wantReason string
	}{
		{desc: "a todo action starts", from: socle.ActionTodo, change: socle.ActionChange{Status: socle.ActionOngoing}},
		{desc: "an ongoing action is done", from: socle.ActionOngoing, change: socle.ActionChange{Status: socle.ActionDone}},
		{desc: "a todo action is done at once", from: socle.ActionTodo, change: socle.ActionChange{Status: socle.ActionDone}},
		{desc: "an action is abandoned with its reason", from: socle.ActionOngoing,
			change: socle.ActionChange{Status: socle.ActionAbandoned, Reason: "  A trouvé un emploi.  "}, wantReason: "A trouvé un emploi."},
		{desc: "abandoning needs a reason", from: socle.ActionTodo, change: socle.ActionChange{Status: socle.ActionAbandoned, Reason: "  "}, wantErr: socle.EINVALID},
		{desc: "an abandoned action is taken up again, its reason cleared", from: socle.ActionAbandoned, change: socle.ActionChange{Status: socle.ActionTodo}},
		{desc: "a done action is final", from: socle.ActionDone, change: socle.ActionChange{Status: socle.ActionOngoing}, wantErr: socle.ECONFLICT},
		{desc: "a done action is not abandoned", from: socle.ActionDone, change: socle.ActionChange{Status: socle.ActionAbandoned, Reason: "Erreur."}, wantErr: socle.ECONFLICT},
		{desc: "an abandoned action is not done", from: socle.ActionAbandoned, change: socle.ActionChange{Status: socle.ActionDone}, wantErr: socle.ECONFLICT},
		{desc: "the same status is no change", from: socle.ActionOngoing, change: socle.ActionChange{Status: socle.ActionOngoing}, wantErr: socle.ECONFLICT},
		{desc: "an unknown status", from: socle.ActionTodo, change: socle.ActionChange{Status: "terminee"}, wantErr: socle.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			a := socle.PlanAction{Status: tt.from, Reason: "raison précédente"}
			err := a.Move(tt.change, at)
			if got := socle.ErrorCode(err); err != nil && got != tt.wantErr || err == nil && tt.wantErr != "" {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if err != nil {
				if a.Status != tt.from {
					t.Errorf("a refused change moved the action to %s", a.Status)
				}
				return
			}
			if a.Status != tt.change.Status || !a.StatusAt.Equal(at) || a.Reason != tt.wantReason {
				t.Errorf("action = %+v, want status %s at %v, reason %q", a, tt.change.Status, at, tt.wantReason)
			}
		})
	}
}

func TestPlanPrepare(t *testing.T) {
	t.Parallel()
	valid := func() socle.Plan {
		return socle.Plan{Objectives: []socle.Objective{{Title: "Se loger", Freins: []string{socle.ThemeLogement}}, {Title: "Se soigner", Freins: []string{socle.ThemeSante}}},
			Actions: []socle.PlanAction{{ObjectiveID: "1", Title: "Demande de logement social", Provider: "CCAS de Lyon"}, {ObjectiveID: "2", Title: "Bilan", Provider: "CPAM"}}}
	}
	tests := []struct {
		desc    string
		edit    func(p *socle.Plan)
		wantErr string
	}{
		{desc: "a valid plan", edit: func(*socle.Plan) {}},
		{desc: "no objective", edit: func(p *socle.Plan) { p.Objectives, p.Actions = nil, nil }, wantErr: "objectives"},
		{desc: "an unknown theme", edit: func(p *socle.Plan) { p.Objectives[0].Freins = []string{"loisirs"} }, wantErr: "objectives.freins"},
		{desc: "an action without provider", edit: func(p *socle.Plan) { p.Actions[0].Provider = " " }, wantErr: "actions.provider"},
		{desc: "an action of no objective", edit: func(p *socle.Plan) { p.Actions[0].ObjectiveID = "3" }, wantErr: "actions.objective_id"},
		{desc: "due before start", edit: func(p *socle.Plan) {
			p.Actions[0].Start, p.Actions[0].Due = socle.NewDate(2026, 5, 1), socle.NewDate(2026, 4, 1)
		}, wantErr: "actions.due"},
		{desc: "abandoned without reason", edit: func(p *socle.Plan) { p.Actions[0].Status = socle.ActionAbandoned }, wantErr: "actions.reason"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			p := valid()
			tt.edit(&p)
			err := p.Prepare(time.Now())
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if p.Actions[1].ObjectiveID != p.Objectives[1].ID || p.Actions[0].Status != socle.ActionTodo {
					t.Errorf("prepared plan = %+v: actions must name their objective by id and start as to do", p)
				}
				if p.Objectives[1].Category() != socle.CatHealth || len(p.Within(socle.SetOf(socle.CatParcours)).Actions) != 1 {
					t.Errorf("the health objective and its action must be hidden without health")
				}
				return
			}
			if socle.ErrorCode(err) != socle.EINVALID || !strings.Contains(err.Error(), tt.wantErr+":") {
				t.Fatalf("err = %v, want EINVALID naming %s", err, tt.wantErr)
			}
		})
	}
}
