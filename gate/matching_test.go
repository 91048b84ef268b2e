package gate_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"socle"
	"socle/gate"
	"socle/matching"
	"socle/store/storetest"
)

// matchEnv adds a company with an open offer for the followed person's job
// and an index loaded from the store.
func matchEnv(t *testing.T) (*env, *socle.Offer, *matching.Index) {
	t.Helper()
	e := newEnv(t)
	ctx := context.Background()
	c := storetest.NewCompany(1)
	if err := e.db.CreateCompany(ctx, c); err != nil {
		t.Fatal(err)
	}
	o := storetest.NewOffer(c.ID, "M1607", e.followed.Contact.CommuneCode)
	o.Open = true
	if err := e.db.CreateOffer(ctx, o); err != nil {
		t.Fatal(err)
	}
	idx := e.matching
	if err := idx.Load(ctx, e.db); err != nil {
		t.Fatal(err)
	}
	return e, o, idx
}

func TestMatchCandidatesOnlyFollowed(t *testing.T) {
	e, o, idx := matchEnv(t)
	ctx := context.Background()
	if idx.Persons() != 2 || idx.Offers() != 1 {
		t.Fatalf("index holds %d persons, %d offers; want 2, 1", idx.Persons(), idx.Offers())
	}
	before := e.log.Size()
	cands, err := e.gate.MatchCandidates(ctx, e.req(gate.PurposeMatching), o.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(cands) != 1 || cands[0].Person.ID != e.followed.ID {
		t.Fatalf("candidates = %+v; want only the followed person", cands)
	}
	if cands[0].Person.Health != nil || cands[0].Person.Bank != nil || cands[0].Person.Skills == nil {
		t.Errorf("candidate not masked to the card categories: %+v", cands[0].Person)
	}
	if len(cands[0].Reasons) != 6 || !strings.Contains(cands[0].Reasons[0].Text, "« Secrétariat »") {
		t.Errorf("reasons = %+v", cands[0].Reasons)
	}
	if e.log.Size() != before+1 {
		t.Errorf("audit grew by %d, want 1 read", e.log.Size()-before)
	}
	if _, err := e.gate.MatchCandidates(ctx, e.req("accompagnement"), o.ID, 10); socle.ErrorCode(err) != socle.EINVALID {
		t.Errorf("other purpose: err = %v, want EINVALID", err)
	}
}

func TestProposeAndEmployerSpace(t *testing.T) {
	e, o, _ := matchEnv(t)
	ctx := context.Background()
	req := e.req(gate.PurposeMatching)
	if _, _, err := e.gate.Propose(ctx, req, o.ID, e.stranger.ID, true); socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Fatalf("proposing a stranger: err = %v, want ENOTFOUND", err)
	}
	m, d, err := e.gate.Propose(ctx, req, o.ID, e.followed.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	if m.Basis != socle.MatchBasisReferent || m.Score <= 0 || !strings.Contains(d.Explanation(), "référent") {
		t.Fatalf("match = %+v, explanation %q", m, d.Explanation())
	}
	if _, _, err := e.gate.Propose(ctx, req, o.ID, e.followed.ID, false); socle.ErrorCode(err) != socle.ECONFLICT {
		t.Errorf("proposing twice: err = %v, want ECONFLICT", err)
	}
	// The proposal is now a relationship fact of the policy.
	rel, err := e.db.Relations(ctx, e.adviser.OrganisationID, e.followed.ID, socle.DateOf(e.gate.Now()))
	if err != nil || len(rel.Proposals) != 1 || rel.Proposals[0].MatchID != m.ID {
		t.Fatalf("relations = %+v, %v; want the proposal", rel.Proposals, err)
	}
	// Already proposed persons leave the ranking.
	if cands, err := e.gate.MatchCandidates(ctx, req, o.ID, 10); err != nil || len(cands) != 0 {
		t.Errorf("candidates after proposal = %d, %v; want none", len(cands), err)
	}

	ct := storetest.NewContact(o.CompanyID, 1)
	if err := e.db.CreateContact(ctx, ct); err != nil {
		t.Fatal(err)
	}
	otherCo := storetest.NewCompany(2)
	if err := e.db.CreateCompany(ctx, otherCo); err != nil {
		t.Fatal(err)
	}
	otherCt := storetest.NewContact(otherCo.ID, 2)
	if err := e.db.CreateContact(ctx, otherCt); err != nil {
		t.Fatal(err)
	}
	emp := gate.Request{Actor: socle.Actor{ContactID: ct.ID, Strength: socle.AuthClient}}
	if _, err := e.gate.EmployerCandidates(ctx, gate.Request{Actor: socle.Actor{ContactID: ct.ID}}, o.ID); socle.ErrorCode(err) != socle.EUNAUTHENTICATED {
		t.Errorf("contact without a session strength: err = %v, want EUNAUTHENTICATED", err)
	}
	cards, err := e.gate.EmployerCandidates(ctx, emp, o.ID)
	if err != nil || len(cards) != 1 {
		t.Fatalf("cards = %+v, %v", cards, err)
	}
	b, _ := json.Marshal(cards[0])
	if cards[0].GivenName != e.followed.Identity.GivenName || strings.Contains(string(b), e.followed.Identity.FamilyName) ||
		strings.Contains(string(b), "nir") {
		t.Errorf("card shows more than the minimal card: %s", b)
	}
	other := gate.Request{Actor: socle.Actor{ContactID: otherCt.ID, Strength: socle.AuthClient}}
	if _, err := e.gate.EmployerCandidates(ctx, other, o.ID); socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Errorf("other company: err = %v, want ENOTFOUND", err)
	}
	if err := e.gate.EmployerAnswer(ctx, other, m.ID, socle.MatchInterview); socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Errorf("other company answering: err = %v, want ENOTFOUND", err)
	}
	if err := e.gate.EmployerAnswer(ctx, emp, m.ID, "peut-etre"); socle.ErrorCode(err) != socle.EINVALID {
		t.Errorf("bad answer: err = %v, want EINVALID", err)
	}
	if err := e.gate.EmployerAnswer(ctx, emp, m.ID, socle.MatchInterview); err != nil {
		t.Fatal(err)
	}
	hist, err := e.db.MatchHistory(ctx, m.ID)
	if err != nil || len(hist) != 2 || hist[1].Status != socle.MatchInterview {
		t.Errorf("history = %+v, %v", hist, err)
	}
}
