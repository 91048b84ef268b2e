package policy_test

import (
	"context"
	"slices"
	"testing"

	"socle"
	"socle/policy"
)

// TestOpenOrientationRequestGrantsOnlyWhatTheAnswerNeeds decides the
// accesses of structures to a person while an orientation request is
// addressed to one of them: the receiving structure reads her identity and
// parcours for the purpose orientation, each decision naming the request;
// nothing else, nobody else, and nothing once the request is answered.
func TestOpenOrientationRequestGrantsOnlyWhatTheAnswerNeeds(t *testing.T) {
	const person = "per_handoff"
	var (
		set          = socle.SetOf
		id, parcours = socle.CatIdentity, socle.CatParcours
		contact      = socle.CatContact
		health, bank = socle.CatHealth, socle.CatBank
		openToML     = socle.Relations{Departement: "69", Situation: socle.SituationJobseeker}
		openToDep    = openToML
		request      = socle.RelationOrientationRequest{RequestID: "dor_1", FromOrganisationName: "France Travail Lyon", Sent: socle.NewDate(2025, 6, 2), Deadline: socle.NewDate(2025, 6, 16)}
		toML, toDep  = request, request
	)
	toML.ToOrganisationID, toDep.ToOrganisationID = orgML, orgDep
	openToML.OrientationRequests = []socle.RelationOrientationRequest{toML}
	openToDep.OrientationRequests = []socle.RelationOrientationRequest{toDep}
	tests := []struct {
		name    string
		rel     socle.Relations
		actor   socle.Actor
		purpose string
		action  socle.Action
		cats    socle.CategorySet
		allow   bool
		granted socle.CategorySet
	}{
		{"the mission locale reads to answer", openToML, mlAdv, policy.PurposeOrientation, socle.ActionRead, set(id, parcours), true, set(id, parcours)},
		{"never health nor bank", openToML, mlAdv, policy.PurposeOrientation, socle.ActionRead, set(id, health, bank), true, set(id)},
		{"not for accompagnement", openToML, mlAdv, policy.PurposeAccompagnement, socle.ActionRead, set(id), false, 0},
		{"no write of the file", openToML, mlAdv, policy.PurposeOrientation, socle.ActionUpdate, set(contact), false, 0},
		{"another mission locale's request is no ground", openToDep, mlAdv, policy.PurposeOrientation, socle.ActionRead, set(id), false, 0},
		{"a département reads identity and parcours, not contact", openToDep, depAdv, policy.PurposeOrientation, socle.ActionRead, set(id, contact, parcours), true, set(id, parcours)},
		{"answered: nothing any more", socle.Relations{Departement: "69", Situation: socle.SituationJobseeker}, mlAdv, policy.PurposeOrientation, socle.ActionRead, set(id), false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			facts := &mapFacts{persons: map[string]socle.Relations{person: tt.rel}}
			e := newEngine(t, facts, policy.Config{})
			d, err := e.Decide(context.Background(), socle.AccessRequest{Actor: tt.actor, Action: tt.action, Purpose: tt.purpose,
				Resource: socle.Resource{Kind: socle.ResourcePerson, ID: person}, Categories: tt.cats, Time: now})
			if err != nil {
				t.Fatal(err)
			}
			if d.Allow != tt.allow || d.Categories != tt.granted {
				t.Fatalf("allow %v with %s, want %v with %s: %s", d.Allow, d.Categories, tt.allow, tt.granted, d.Explanation())
			}
			named := slices.ContainsFunc(d.Facts, func(f socle.Fact) bool {
				return f.Kind == policy.FactOrientation && f.Detail["orientation_request_id"] == "dor_1"
			})
			if named != tt.allow {
				t.Fatalf("the decision names the request: %v, want %v: %s", named, tt.allow, d.Explanation())
			}
			if tt.allow && socle.Basis(d.Facts, tt.actor.AgentID) != "orientation" {
				t.Fatalf("basis = %s, want orientation (an explained access for detection)", socle.Basis(d.Facts, tt.actor.AgentID))
			}
		})
	}
}
