package gate_test

import (
	"testing"

	"socle"
	"socle/policy"
	"socle/store/storetest"
)

// TestReferentChangeEndsOnePeriodAndStartsTheNext names another adviser
// of the structure référent: the old period ends, the new one starts
// with who named her, the write is audited, the history offers the
// structure's advisers; naming her again changes nothing, and an agent
// who is not an active adviser of the structure is refused with nothing
// written.
func TestReferentChangeEndsOnePeriodAndStartsTheNext(t *testing.T) {
	ctx, e, p := newParcoursEnv(t)
	req := e.req(policy.PurposeAccompagnement)
	next := storetest.NewAgent(e.adviser.OrganisationID, "lucas@ml-lyon.fr")
	next.GivenName, next.FamilyName = "Lucas", "Bernard"
	disabled := storetest.NewAgent(e.adviser.OrganisationID, "partie@ml-lyon.fr")
	disabled.Disabled = true
	statistician := storetest.NewAgent(e.adviser.OrganisationID, "stats@ml-lyon.fr")
	statistician.Roles = []socle.Role{socle.RoleStatistician}
	elsewhere := storetest.NewOrganisation("France Travail Lyon", socle.KindEmploymentService, "69")
	if err := e.db.CreateOrganisation(ctx, elsewhere); err != nil {
		t.Fatal(err)
	}
	outsider := storetest.NewAgent(elsewhere.ID, "paul@ft-lyon.fr")
	for _, a := range []*socle.Agent{next, disabled, statistician, outsider} {
		if err := e.db.CreateAgent(ctx, a); err != nil {
			t.Fatal(err)
		}
	}

	h, err := p.FileHistory(ctx, req, e.followed.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Advisers) != 2 {
		t.Errorf("the history offers %v, want the two active advisers of the structure", h.Advisers)
	}

	size := e.log.Size()
	f, changed, err := p.ChangeReferent(ctx, req, e.followed.ID, next.ID)
	if err != nil || !changed {
		t.Fatalf("changing the référent: changed %v, %v", changed, err)
	}
	if e.log.Size() != size+1 {
		t.Errorf("the change grew the log by %d entries, want 1", e.log.Size()-size)
	}
	if f.AgentID != next.ID || f.AssignedBy != e.adviser.AgentID || f.OrganisationID != e.adviser.OrganisationID {
		t.Errorf("the new follow-up is %+v", f)
	}
	fs, err := e.db.Followups(ctx, e.followed.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 2 || fs[0].ID != f.ID || fs[1].End.IsZero() {
		t.Fatalf("follow-ups after the change: %+v; want the old one ended and the new one open", fs)
	}
	h, err = p.FileHistory(ctx, req, e.followed.ID)
	if err != nil {
		t.Fatal(err)
	}
	if h.Names[next.ID] != "Lucas Bernard" || h.Names[e.adviser.AgentID] == "" {
		t.Errorf("the history names %v; want the new référent and who named her", h.Names)
	}

	again, changed, err := p.ChangeReferent(ctx, req, e.followed.ID, next.ID)
	if err != nil || again.ID != f.ID || changed {
		t.Errorf("naming the same référent again: %+v, changed %v, %v; want the current follow-up unchanged", again, changed, err)
	}

	for _, tt := range []struct {
		desc    string
		agentID string
		wantErr string
	}{
		{"a disabled adviser", disabled.ID, socle.EINVALID},
		{"an agent who is not an adviser", statistician.ID, socle.EINVALID},
		{"an adviser of another structure", outsider.ID, socle.EINVALID},
		{"an agent who does not exist", socle.NewID(socle.PrefixAgent), socle.EINVALID},
		{"not an agent id", e.followed.ID, socle.EINVALID},
	} {
		t.Run(tt.desc, func(t *testing.T) {
			if _, _, err := p.ChangeReferent(ctx, req, e.followed.ID, tt.agentID); socle.ErrorCode(err) != tt.wantErr {
				t.Errorf("error %v, want %s", err, tt.wantErr)
			}
		})
	}
	if _, _, err := p.ChangeReferent(ctx, req, e.stranger.ID, next.ID); err == nil {
		t.Error("a structure named the référent of a person it does not follow")
	}
	if fs, err := e.db.Followups(ctx, e.followed.ID); err != nil || len(fs) != 2 {
		t.Errorf("refused changes left %d follow-ups (%v), want 2", len(fs), err)
	}
}
