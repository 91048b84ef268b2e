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
