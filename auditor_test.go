package socle_test

import (
	"testing"

	"socle"
)

func TestCheckAuditor(t *testing.T) {
	officer := socle.Actor{AgentID: "agt_1", OrganisationID: "org_1", Roles: []socle.Role{socle.RoleAuditor}, Strength: socle.AuthMFA}
	national := officer
	national.Roles = []socle.Role{socle.RoleAuditor, socle.RolePlatformAdmin}
	passwordOnly := officer
	passwordOnly.Strength = socle.AuthPassword
	adviser := officer
	adviser.Roles = []socle.Role{socle.RoleAdviser}
	client := socle.Actor{ClientID: "cli_1", Roles: []socle.Role{socle.RoleAuditor}, Strength: socle.AuthClient}
	tests := []struct {
		name         string
		actor        socle.Actor
		wantCode     string
		wantNational bool
	}{
		{"nobody", socle.Actor{}, socle.EUNAUTHENTICATED, false},
		{"an adviser", adviser, socle.EFORBIDDEN, false},
		{"a partner system", client, socle.EFORBIDDEN, false},
		{"an officer without a second factor", passwordOnly, socle.EUNAUTHENTICATED, false},
		{"an officer of her organisation", officer, "", false},
		{"a national officer", national, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := socle.CheckAuditor(tt.actor)
			if socle.ErrorCode(err) != tt.wantCode && (tt.wantCode != "" || err != nil) {
				t.Fatalf("err = %v, want code %q", err, tt.wantCode)
			}
			if got != tt.wantNational {
				t.Errorf("national = %v, want %v", got, tt.wantNational)
			}
		})
	}
}
