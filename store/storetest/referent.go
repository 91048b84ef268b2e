package storetest

import (
	"context"
	"testing"

	"socle"
)

// testReferentChanged changes the référent of a followed person: the old
// follow-up ends the day before, the new one starts with its author, and
// an organisation that does not follow her changes nothing.
func testReferentChanged(t *testing.T, s OrientationRequestStore) {
	ctx := context.Background()
	f := newHandoffFixture(t, s)
	other := createAgent(t, s, f.from.ID, "autre-referente@rhone.example")
	today, yesterday := socle.NewDate(2026, 3, 2), socle.NewDate(2026, 3, 1)
	next := &socle.Followup{PersonID: f.person.ID, OrganisationID: f.from.ID, AgentID: other.ID, Start: today, AssignedBy: f.fromAg.ID}
	must(t, s.ChangeReferent(ctx, next, yesterday))
	fs, err := s.Followups(ctx, f.person.ID)
	must(t, err)
	if len(fs) != 2 {
		t.Fatalf("%d follow-ups after the change, want 2", len(fs))
	}
	if got := fs[0]; got.ID != next.ID || got.AgentID != other.ID || got.AssignedBy != f.fromAg.ID || !got.End.IsZero() {
		t.Errorf("the new follow-up reads %+v", got)
	}
	if old := fs[1]; old.ID != f.fromFollowupID || old.End != yesterday || old.AssignedBy != "" {
		t.Errorf("the old follow-up reads %+v, want it ended on %v", old, yesterday)
	}

	stranger := &socle.Followup{PersonID: f.person.ID, OrganisationID: f.to.ID, AgentID: f.toAg.ID, Start: today, AssignedBy: f.toAg.ID}
	wantCode(t, s.ChangeReferent(ctx, stranger, yesterday), socle.ECONFLICT)
	wantCode(t, s.ChangeReferent(ctx, &socle.Followup{PersonID: f.person.ID, OrganisationID: f.from.ID, Start: today}, today), socle.EINVALID)
	if fs, err := s.Followups(ctx, f.person.ID); err != nil || len(fs) != 2 {
		t.Errorf("refused changes left %d follow-ups (%v), want 2", len(fs), err)
	}
}
