package identity_test

import (
	"context"
	"testing"

	"github.com/pquerna/otp/totp"

	"socle"
)

// TestEnrolmentUsesTheServersSecret: the enrolment form carried the TOTP
// secret back from the client, which could enrol a secret of its choosing
// (known to whoever prepared it). The server now generates the secret,
// keeps it with the link, shows the same one when the page is opened
// again, and enrols only it.
func TestEnrolmentUsesTheServersSecret(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, admin := e.login(e.agent(e.orgA, "admin@ml-lyon.fr", socle.RoleOrgAdmin))
	if err := e.svc.CreateAgent(ctx, admin, &socle.Agent{OrganisationID: e.orgA.ID, Email: "nouveau@ml-lyon.fr", GivenName: "Noé", FamilyName: "Nouveau", Roles: []socle.Role{socle.RoleAdviser}}, client); err != nil {
		t.Fatal(err)
	}
	token := e.activationToken("nouveau@ml-lyon.fr")

	first, err := e.svc.BeginEnrolment(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.svc.BeginEnrolment(ctx, token)
	if err != nil || again.Secret != first.Secret {
		t.Fatalf("the page opened again shows another secret (%v)", err)
	}
	// A code of a secret the client chose is refused, and nothing enrols.
	const chosen = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	code, _ := totp.GenerateCode(chosen, e.now)
	if _, err := e.svc.CompleteEnrolment(ctx, token, code, "ma nouvelle phrase de passe", client); socle.ErrorCode(err) != socle.EINVALID {
		t.Fatalf("enrolling with a code of a chosen secret: %v, want EINVALID", err)
	}
	code, _ = totp.GenerateCode(first.Secret, e.now)
	if _, err := e.svc.CompleteEnrolment(ctx, token, code, "ma nouvelle phrase de passe", client); err != nil {
		t.Fatalf("enrolling with the server's secret: %v", err)
	}
}
