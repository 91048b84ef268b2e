package identity_test

import (
	"context"
	"slices"
	"testing"

	"socle"
)

func TestRoleChangeEndsSessions(t *testing.T) {
	e := newEnv(t)
	a := e.agent(e.orgA, "camille@ml-lyon.fr")
	other := e.agent(e.orgA, "dominique@ml-lyon.fr")
	admin := e.agent(e.orgA, "admin@ml-lyon.fr", socle.RoleOrgAdmin, socle.RoleAdviser)
	tok1, _ := e.login(a)
	tok2, _ := e.login(a)
	tokOther, _ := e.login(other)
	adminTok, adminActor := e.login(admin)
	ctx := context.Background()

	// Same roles again: nothing changes, the sessions stay.
	if _, err := e.svc.SetRoles(ctx, adminActor, a.ID, a.Roles, client); err != nil {
		t.Fatal(err)
	}
	if !e.authed(tok1) {
		t.Fatal("setting the same roles ended the agent's session")
	}

	if _, err := e.svc.SetRoles(ctx, adminActor, a.ID, []socle.Role{socle.RoleAdviser, socle.RoleCompanyAdviser}, client); err != nil {
		t.Fatal(err)
	}
	if e.authed(tok1) || e.authed(tok2) {
		t.Fatal("a session opened before the change of roles still authenticates")
	}
	if !e.authed(tokOther) || !e.authed(adminTok) {
		t.Fatal("the change of one agent's roles ended other agents' sessions")
	}
	// She logs in again and gets the new roles.
	_, act := e.login(a)
	if !slices.Contains(act.Roles, socle.RoleCompanyAdviser) {
		t.Fatalf("roles after the new login = %v", act.Roles)
	}

	// An administrator changing her own roles (giving one up) ends her own
	// session too.
	if _, err := e.svc.SetRoles(ctx, adminActor, admin.ID, []socle.Role{socle.RoleOrgAdmin}, client); err != nil {
		t.Fatal(err)
	}
	if e.authed(adminTok) {
		t.Fatal("the administrator's session survived the change of her own roles")
	}
}
