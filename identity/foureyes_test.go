package identity_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"socle"
	"socle/identity"
)

// activationToken returns the token of the last link mailed to addr.
func (e *env) activationToken(addr string) string {
	e.t.Helper()
	mails := e.mail.to(addr)
	if len(mails) == 0 {
		e.t.Fatalf("no mail to %s", addr)
	}
	body := mails[len(mails)-1].Body
	i := strings.Index(body, "jeton=")
	if i < 0 {
		e.t.Fatalf("no link in the mail to %s", addr)
	}
	return strings.Fields(body[i+len("jeton="):])[0]
}

// TestRecoveryAttackByOneAdministrator replays the attack of issue 11: an
// administrator starts a colleague's recovery, creates a second
// administrator account, activates it herself and approves with it. Every
// step that would let one person be both pairs of eyes is refused, and the
// colleague keeps her factor.
func TestRecoveryAttackByOneAdministrator(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	victim := e.agent(e.orgA, "camille@ml-lyon.fr")
	attacker := e.agent(e.orgA, "admin1@ml-lyon.fr", socle.RoleOrgAdmin)
	_, attackerAct := e.login(attacker)
	attackerClient := identity.Client{RemoteAddr: "198.51.100.7", UserAgent: "attacker-browser"}

	if _, err := e.svc.OpenRecovery(ctx, attackerAct, victim.ID, attackerClient); err != nil {
		t.Fatal(err)
	}
	// A second administrator cannot be created in one step...
	err := e.svc.CreateAgent(ctx, attackerAct, &socle.Agent{OrganisationID: e.orgA.ID, Email: "complice@ml-lyon.fr", GivenName: "Dom", FamilyName: "Plice", Roles: []socle.Role{socle.RoleOrgAdmin}}, attackerClient)
	if code(err) != socle.EFORBIDDEN {
		t.Fatalf("creating an administrator account: %v, want forbidden", err)
	}
	// ...nor made one by her alone: the grant waits for a second administrator.
	sidekick := &socle.Agent{OrganisationID: e.orgA.ID, Email: "complice@ml-lyon.fr", GivenName: "Dom", FamilyName: "Plice", Roles: []socle.Role{socle.RoleAdviser}}
	if err := e.svc.CreateAgent(ctx, attackerAct, sidekick, attackerClient); err != nil {
		t.Fatal(err)
	}
	change, err := e.svc.SetRoles(ctx, attackerAct, sidekick.ID, []socle.Role{socle.RoleOrgAdmin}, attackerClient)
	if err != nil || change == nil || change.Status != socle.ChangePending {
		t.Fatalf("granting the administrator role: %+v, %v; want a pending change", change, err)
	}
	if got, _ := e.store.Agent(ctx, sidekick.ID); got.HasRole(socle.RoleOrgAdmin) {
		t.Fatal("the administrator role applied without a second administrator")
	}
	if _, err := e.svc.ApproveChange(ctx, attackerAct, change.ID, attackerClient); code(err) != socle.EFORBIDDEN {
		t.Fatalf("approving her own grant: %v, want forbidden", err)
	}

	// Worst case from here on: the role landed anyway (say, an accomplice
	// approved it) and the attacker holds the activation mail.
	sidekick.Roles = []socle.Role{socle.RoleOrgAdmin}
	if err := e.store.UpdateAgent(ctx, sidekick); err != nil {
		t.Fatal(err)
	}
	token := e.activationToken(sidekick.Email)
	enr, err := e.svc.BeginEnrolment(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	// Activating it in her own signed-in browser is refused.
	beside := attackerClient
	beside.SignedIn = attacker.ID
	c, _ := totp.GenerateCode(enr.Secret, e.now)
	if _, err := e.svc.CompleteEnrolment(ctx, token, c, demoPassword, beside); code(err) != socle.EFORBIDDEN {
		t.Fatalf("activation beside the requester's session: %v, want forbidden", err)
	}
	// Signed out, from the same address, it goes through but is recorded.
	if _, err := e.svc.CompleteEnrolment(ctx, token, c, demoPassword, attackerClient); err != nil {
		t.Fatal(err)
	}
	e.secrets[sidekick.ID] = enr.Secret
	e.now = e.now.Add(time.Minute)
	_, sidekickAct := e.login(sidekick)
	if _, err := e.svc.ApproveRecovery(ctx, sidekickAct, recoveryOf(t, e, attackerAct, victim.ID), attackerClient); code(err) != socle.EFORBIDDEN {
		t.Fatalf("approval by an account created minutes ago: %v, want forbidden", err)
	}
	// Old enough later, it is still the requester's own creature.
	e.now = e.now.Add(identity.FreshAccountAge + time.Hour)
	_, attackerAct = e.login(attacker)
	_, sidekickAct = e.login(sidekick)
	if _, err := e.svc.ApproveRecovery(ctx, sidekickAct, recoveryOf(t, e, attackerAct, victim.ID), attackerClient); code(err) != socle.EFORBIDDEN {
		t.Fatalf("approval by an account activated from the requester's address: %v, want forbidden", err)
	}
	if ok, _ := e.svc.HasTOTP(ctx, victim.ID); !ok {
		t.Fatal("one person removed a colleague's factor")
	}
	if !slices.Contains(e.audit.actions(), "recovery_refused") || !slices.Contains(e.audit.actions(), "enrolment_refused") {
		t.Fatalf("the refusals are not audited: %v", e.audit.actions())
	}
}

func recoveryOf(t *testing.T, e *env, admin socle.Actor, agentID string) string {
	t.Helper()
	reqs, err := e.svc.PendingRecoveries(context.Background(), admin)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range reqs {
		if r.AgentID == agentID {
			return r.ID
		}
	}
	t.Fatalf("no pending recovery of %s", agentID)
	return ""
}

// TestSecondEyesSignedInBeforeTheRequest: a genuine colleague approves,
// but only if she had proved her own factor before the request.
func TestSecondEyesSignedInBeforeTheRequest(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	victim := e.agent(e.orgA, "camille@ml-lyon.fr")
	_, admin1 := e.login(e.agent(e.orgA, "admin1@ml-lyon.fr", socle.RoleOrgAdmin))
	late := e.agent(e.orgA, "admin2@ml-lyon.fr", socle.RoleOrgAdmin) // never signed in yet
	early := e.agent(e.orgA, "admin3@ml-lyon.fr", socle.RoleOrgAdmin)
	e.login(early)
	e.now = e.now.Add(time.Minute)
	req, err := e.svc.OpenRecovery(ctx, admin1, victim.ID, client)
	if err != nil {
		t.Fatal(err)
	}
	e.now = e.now.Add(time.Minute)
	_, lateAct := e.login(late)
	if _, err := e.svc.ApproveRecovery(ctx, lateAct, req.ID, client); code(err) != socle.EFORBIDDEN {
		t.Fatalf("approval by an administrator who first signed in after the request: %v", err)
	}
	_, earlyAct := e.login(early)
	got, err := e.svc.ApproveRecovery(ctx, earlyAct, req.ID, client)
	if err != nil || got.Status != socle.RecoveryApproved {
		t.Fatalf("approval by a colleague signed in before: %+v, %v", got, err)
	}
}

// TestWideningRoleNeedsSecondAdministrator: a role that opens sensitive
// data waits for a second administrator, the privacy officers hear of it,
// and nobody grants herself a role.
func TestWideningRoleNeedsSecondAdministrator(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.agent(e.orgA, "camille@ml-lyon.fr")
	officer := e.agent(e.orgA, "dpo@ml-lyon.fr", socle.RoleAuditor)
	admin1Agent := e.agent(e.orgA, "admin1@ml-lyon.fr", socle.RoleOrgAdmin)
	_, admin1 := e.login(admin1Agent)
	_, admin2 := e.login(e.agent(e.orgA, "admin2@ml-lyon.fr", socle.RoleOrgAdmin))
	e.now = e.now.Add(time.Minute)

	for _, tt := range []struct {
		name  string
		roles []socle.Role
	}{
		{"gestionnaire", []socle.Role{socle.RoleAdviser, socle.RoleContractManager}},
		{"administrateur", []socle.Role{socle.RoleAdviser, socle.RoleOrgAdmin}},
		{"auditeur", []socle.Role{socle.RoleAdviser, socle.RoleAuditor}},
	} {
		ch, err := e.svc.SetRoles(ctx, admin1, a.ID, tt.roles, client)
		if err != nil || ch == nil {
			t.Fatalf("%s: %+v, %v; want a pending change", tt.name, ch, err)
		}
		if got, _ := e.store.Agent(ctx, a.ID); !slices.Equal(got.Roles, []socle.Role{socle.RoleAdviser}) {
			t.Fatalf("%s applied at once: %v", tt.name, got.Roles)
		}
		if err := e.svc.RejectChange(ctx, admin2, ch.ID, client); err != nil {
			t.Fatal(err)
		}
	}
	if ch, err := e.svc.SetRoles(ctx, admin1, a.ID, []socle.Role{socle.RoleAdviser, socle.RoleStatistician}, client); err != nil || ch != nil {
		t.Fatalf("an ordinary role: %+v, %v; want applied at once", ch, err)
	}
	if _, err := e.svc.SetRoles(ctx, admin1, admin1Agent.ID, []socle.Role{socle.RoleOrgAdmin, socle.RoleContractManager}, client); code(err) != socle.EFORBIDDEN {
		t.Fatalf("granting herself a role: %v, want forbidden", err)
	}

	ch, err := e.svc.SetRoles(ctx, admin1, a.ID, []socle.Role{socle.RoleAdviser, socle.RoleContractManager}, client)
	if err != nil || ch == nil {
		t.Fatal(ch, err)
	}
	if n := len(e.mail.to(officer.Email)); n != 4 {
		t.Fatalf("the privacy officer got %d mails for 4 requests", n)
	}
	pending, err := e.svc.PendingChanges(ctx, admin2)
	if err != nil || len(pending) != 1 || pending[0].ID != ch.ID {
		t.Fatalf("queue = %v, %v", pending, err)
	}
	if _, err := e.svc.ApproveChange(ctx, admin1, ch.ID, client); code(err) != socle.EFORBIDDEN {
		t.Fatalf("approval by its author: %v", err)
	}
	if _, err := e.svc.ApproveChange(ctx, admin2, ch.ID, client); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.store.Agent(ctx, a.ID); !got.HasRole(socle.RoleContractManager) {
		t.Fatalf("approved grant not applied: %v", got.Roles)
	}
	if _, err := e.svc.ApproveChange(ctx, admin2, ch.ID, client); code(err) != socle.ECONFLICT {
		t.Fatalf("approving twice: %v", err)
	}
	// Roles that changed since the request are not overwritten by it.
	stale, err := e.svc.SetRoles(ctx, admin1, a.ID, []socle.Role{socle.RoleAdviser, socle.RoleContractManager, socle.RoleAuditor}, client)
	if err != nil || stale == nil {
		t.Fatal(stale, err)
	}
	if ch, err := e.svc.SetRoles(ctx, admin1, a.ID, []socle.Role{socle.RoleContractManager}, client); err != nil || ch != nil {
		t.Fatal(ch, err)
	}
	if _, err := e.svc.ApproveChange(ctx, admin2, stale.ID, client); code(err) != socle.ECONFLICT {
		t.Fatalf("approving a request over roles changed since: %v, want conflict", err)
	}
	for _, want := range []string{"change_requested", "change_rejected", "change_approval_refused", "agent_roles_changed"} {
		if !slices.Contains(e.audit.actions(), want) {
			t.Errorf("%s not audited", want)
		}
	}
}
