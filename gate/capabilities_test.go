package gate_test

import (
	"context"
	"testing"
	"time"

	"socle"
	"socle/gate"
	"socle/internal/stacktest"
	"socle/policy"
)

// TestNewRefusesAMissingPart: a gate without its store, policy, audit log
// or purpose register does not start.
func TestNewRefusesAMissingPart(t *testing.T) {
	s := stacktest.New(t, stacktest.Options{Unsealed: true})
	tests := []struct {
		name     string
		store    gate.Store
		policy   socle.Policy
		auditor  socle.Auditor
		purposes gate.Purposes
		wantErr  bool
	}{
		{"every part", s.DB, s.Policy, s.Log, s.Policy, false},
		{"no store", nil, s.Policy, s.Log, s.Policy, true},
		{"no policy", s.DB, nil, s.Log, s.Policy, true},
		{"no audit log", s.DB, s.Policy, nil, s.Policy, true},
		{"no purpose register", s.DB, s.Policy, s.Log, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := gate.New(tt.store, tt.policy, tt.auditor, tt.purposes)
			if (err != nil) != tt.wantErr || (g == nil) != tt.wantErr {
				t.Fatalf("gate %v, err %v; want an error: %v", g, err, tt.wantErr)
			}
		})
	}
}

// TestEveryGateThrottles: the throttle is not an option a caller may
// forget; a gate fresh from New refuses a blocked principal.
func TestEveryGateThrottles(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	now := time.Now()
	if err := e.db.BlockPrincipal(ctx, gate.PrincipalKey(e.adviser), e.adviser.OrganisationID, now, now.Add(time.Hour), 2000); err != nil {
		t.Fatal(err)
	}
	p, _, err := e.gate.ReadPerson(ctx, e.req(policy.PurposeAccompagnement), e.followed.ID, 0)
	if p != nil || socle.ErrorCode(err) != socle.EFORBIDDEN {
		t.Fatalf("a blocked adviser reads %v, err %v; want no data and EFORBIDDEN", p, err)
	}
}

// TestOptionalPartsAreGivenAtConstruction: the audit index, the index of
// homes and the matching index are given to New, never set later. New
// refuses an option given nothing, and a gate built without the audit
// index answers EUNAVAILABLE to a person's history instead of an empty
// list, without the matching index to a ranking.
func TestOptionalPartsAreGivenAtConstruction(t *testing.T) {
	s := stacktest.New(t, stacktest.Options{Unsealed: true})
	for _, tt := range []struct {
		name string
		opt  gate.Option
	}{
		{"no index of homes", gate.WithHomes(nil)},
		{"no audit index", gate.WithAuditSearch(nil)},
		{"no matching index", gate.WithMatching(nil)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if g, err := gate.New(s.DB, s.Policy, s.Log, s.Policy, tt.opt); err == nil || g != nil {
				t.Fatalf("gate %v, err %v; want an error", g, err)
			}
		})
	}
	g, err := gate.New(s.DB, s.Policy, s.Log, s.Policy)
	if err != nil {
		t.Fatal(err)
	}
	self := gate.Request{Actor: socle.Actor{PersonID: socle.NewID(socle.PrefixPerson), Strength: socle.AuthClient}}
	if hits, err := g.MyAccessHistory(context.Background(), self, 0, 10); hits != nil || socle.ErrorCode(err) != socle.EUNAVAILABLE {
		t.Fatalf("history without an audit index = %v, %v; want nothing and EUNAVAILABLE", hits, err)
	}
	adviser := gate.Request{Actor: socle.Actor{AgentID: socle.NewID(socle.PrefixAgent), OrganisationID: socle.NewID(socle.PrefixOrganisation),
		Strength: socle.AuthMFA}, Purpose: gate.PurposeMatching}
	if cands, err := g.MatchCandidates(context.Background(), adviser, socle.NewID(socle.PrefixOffer), 10); cands != nil || socle.ErrorCode(err) != socle.EUNAVAILABLE {
		t.Fatalf("ranking without a matching index = %v, %v; want nothing and EUNAVAILABLE", cands, err)
	}
}
