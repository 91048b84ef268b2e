package policy_test

import (
	"slices"
	"testing"

	"socle"
	"socle/policy"
)

// TestPurposesForFollowsTheAgreementsAndRoles checks, on the default
// register, which purposes each actor may declare: those an agreement of
// her organisation opens to one of her roles, and no other.
func TestPurposesForFollowsTheAgreementsAndRoles(t *testing.T) {
	e := newEngine(t, network(), policy.Config{})
	tests := []struct {
		name  string
		actor socle.Actor
		want  []string
	}{
		{"employment service adviser", seAdv, []string{policy.PurposeAccompagnement, policy.PurposeOrientation, policy.PurposeMatching}},
		{"employment service contract manager", seManager, []string{policy.PurposeCompensation, policy.PurposeControl}},
		{"employment service company adviser", seCompany, []string{policy.PurposeMatching}},
		{"a client without role", socle.Actor{ClientID: "cli_x", OrganisationID: orgSE, OrgKind: socle.KindEmploymentService, Strength: socle.AuthClient}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, p := range e.PurposesFor(tt.actor) {
				got = append(got, p.Code)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("PurposesFor = %v, want %v", got, tt.want)
			}
		})
	}
}
