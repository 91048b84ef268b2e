package gate_test

import (
	"strings"
	"testing"

	"socle"
	"socle/gate"
	"socle/policy"
	"socle/store/storetest"
)

// TestCaseloadIsDecidedAuditedAndOnlyHerPersons checks that an adviser's
// caseload lists the persons her organisation follows and nobody else,
// that it is recorded as one search referencing each of them, and that another purpose or another kind of caller
// gets nothing.
func TestCaseloadIsDecidedAuditedAndOnlyHerPersons(t *testing.T) {
	ctx, e, p := newParcoursEnv(t)
	// A colleague's organisation follows a third person: not hers.
	other := storetest.NewOrganisation("Mission Locale de Villeurbanne", socle.KindYouth, "69")
	if err := e.db.CreateOrganisation(ctx, other); err != nil {
		t.Fatal(err)
	}
	elsewhere := storetest.NewPerson(3)
	if err := e.db.CreatePerson(ctx, elsewhere); err != nil {
		t.Fatal(err)
	}
	if err := e.db.CreateFollowup(ctx, &socle.Followup{PersonID: elsewhere.ID, OrganisationID: other.ID, Start: socle.NewDate(2025, 1, 2)}); err != nil {
		t.Fatal(err)
	}

	before := e.log.Size()
	// The organisation named in the query is ignored: hers is used.
	entries, err := p.Caseload(ctx, e.req(policy.PurposeAccompagnement), socle.CaseloadQuery{OrganisationID: other.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].PersonID != e.followed.ID || entries[0].FamilyName != e.followed.Identity.FamilyName || entries[0].ReferentID != e.adviser.AgentID {
		t.Fatalf("caseload = %+v, want the followed person only, with her référent", entries)
	}
	if got := e.log.Size() - before; got != 1 {
		t.Fatalf("%d audit entries, want one search", got)
	}
	last := lastAuditEntry(t, e)
	ref := e.followed.ID
	if e.gate.PersonRef != nil {
		ref = e.gate.PersonRef(ref)
	}
	if !strings.Contains(last, `"action":"search"`) || !strings.Contains(last, `"records":1`) || !strings.Contains(last, `"person_refs":["`+ref+`"]`) {
		t.Errorf("the caseload's audit entry = %s, want a search of one record referencing the person", last)
	}

	tests := []struct {
		name    string
		req     func() gate.Request
		q       socle.CaseloadQuery
		wantErr string
	}{
		{"another purpose", func() gate.Request { return e.req(policy.PurposeStatistics) }, socle.CaseloadQuery{}, socle.EINVALID},
		{"a person", func() gate.Request {
			r := e.req(policy.PurposeAccompagnement)
			r.Actor = socle.Actor{PersonID: e.followed.ID, Strength: socle.AuthMFA}
			return r
		}, socle.CaseloadQuery{}, socle.EFORBIDDEN},
		{"a page too long", func() gate.Request { return e.req(policy.PurposeAccompagnement) }, socle.CaseloadQuery{Limit: 1000}, socle.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := p.Caseload(ctx, tt.req(), tt.q)
			if socle.ErrorCode(err) != tt.wantErr || got != nil {
				t.Fatalf("caseload = %d entries, %v; want none and %s", len(got), err, tt.wantErr)
			}
		})
	}
}
