package identity_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"strings"
	"testing"
	"time"

	"socle"
	"socle/identity"
	"socle/internal/stacktest"
)

// TestOneTimeLinksLeaveNoUsableTrace: an activation link travels only in
// the mail. The stored notification withholds it, the token is stored as
// a keyed hash (neither in clear nor as its plain SHA-256), and the log
// never holds it, even when the mail cannot be sent.
func TestOneTimeLinksLeaveNoUsableTrace(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, admin := e.login(e.agent(e.orgA, "admin@ml-lyon.fr", socle.RoleOrgAdmin))
	a := &socle.Agent{OrganisationID: e.orgA.ID, Email: "noe@ml-lyon.fr", GivenName: "Noé", FamilyName: "Nouveau", Roles: []socle.Role{socle.RoleAdviser}}
	if err := e.svc.CreateAgent(ctx, admin, a, client); err != nil {
		t.Fatal(err)
	}
	token := e.activationToken(a.Email)
	notes, err := e.store.Notifications(ctx, a.ID, 10)
	if err != nil || len(notes) != 1 {
		t.Fatalf("notifications = %v, %v", notes, err)
	}
	if strings.Contains(notes[0].Body, token) || strings.Contains(notes[0].Body, "jeton=") || !strings.Contains(notes[0].Body, identity.LinkWithheld) {
		t.Fatalf("the stored notification keeps the link: %q", notes[0].Body)
	}
	sum := sha256.Sum256([]byte(token))
	for _, stored := range []string{token, hex.EncodeToString(sum[:])} {
		if _, err := e.store.Token(ctx, stored); code(err) != socle.ENOTFOUND {
			t.Fatalf("the token is stored in clear or as its plain SHA-256: %v", err)
		}
	}
	if _, err := e.svc.BeginEnrolment(ctx, token); err != nil {
		t.Fatalf("the mailed link does not work: %v", err)
	}

	// Without a mail transport the mail fails; the log says so, without
	// the link.
	var logs bytes.Buffer
	st, _ := stacktest.Open(t)
	svc, err := identity.New(st, e.audit, nil, slog.New(slog.NewJSONHandler(&logs, nil)), identity.Config{Password: cheap})
	if err != nil {
		t.Fatal(err)
	}
	e2 := &env{t: t, store: st, svc: svc, audit: e.audit, mail: &mailbox{}, now: e.now, secrets: map[string]string{}}
	svc.Now = func() time.Time { return e2.now }
	e2.orgA = e2.org("Mission Locale de Lyon", socle.KindYouth, "69")
	_, admin2 := e2.login(e2.agent(e2.orgA, "admin@ml-lyon.fr", socle.RoleOrgAdmin))
	if err := svc.CreateAgent(ctx, admin2, &socle.Agent{OrganisationID: e2.orgA.ID, Email: "noe@ml-lyon.fr", GivenName: "Noé", FamilyName: "Nouveau", Roles: []socle.Role{socle.RoleAdviser}}, client); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "no mail transport") || strings.Contains(logs.String(), "jeton") {
		t.Fatalf("log = %s", logs.String())
	}
}
