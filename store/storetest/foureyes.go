package storetest

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"socle"
	"socle/identity"
	"socle/store/sqlstore"
)

// RunFourEyes tests what the four-eyes rule reads and the changes waiting
// for a second administrator: where an account comes from, the first
// sign-in with a factor kept once, the agents of a role, who asked a
// recovery, and a pending change decided exactly once.
func RunFourEyes(t *testing.T, open func(t *testing.T) *sqlstore.DB) {
	ctx := context.Background()
	db := open(t)
	org := createOrganisation(t, db, "Mission Locale de Lyon", socle.KindYouth, "69")
	admin, officer := NewAgent(org.ID, "admin@ml-lyon.fr"), NewAgent(org.ID, "dpo@ml-lyon.fr")
	admin.Roles, officer.Roles = []socle.Role{socle.RoleOrgAdmin, socle.RoleAdviser}, []socle.Role{socle.RoleAuditor}
	for _, a := range []*socle.Agent{admin, officer} {
		if err := db.CreateAgent(ctx, a); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("origin", func(t *testing.T) {
		o, err := db.AgentOrigin(ctx, officer.ID)
		if err != nil || *o != (socle.AgentOrigin{AgentID: officer.ID}) {
			t.Fatalf("origin of an account with none recorded = %+v, %v", o, err)
		}
		first := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		for _, step := range []func() error{
			func() error { return db.RecordAgentCreated(ctx, officer.ID, admin.ID, "192.0.2.1") },
			func() error { return db.RecordEnrolment(ctx, officer.ID, "192.0.2.2", "browser", admin.ID) },
			func() error { return db.RecordFactorSignIn(ctx, officer.ID, first) },
			func() error { return db.RecordFactorSignIn(ctx, officer.ID, first.Add(time.Hour)) },
		} {
			if err := step(); err != nil {
				t.Fatal(err)
			}
		}
		o, err = db.AgentOrigin(ctx, officer.ID)
		want := socle.AgentOrigin{AgentID: officer.ID, CreatedBy: admin.ID, CreatedFrom: "192.0.2.1", EnrolledFrom: "192.0.2.2", EnrolledUA: "browser", EnrolledBeside: admin.ID, FirstFactor: first}
		if err != nil || *o != want {
			t.Fatalf("origin = %+v, %v; want %+v", o, err, want)
		}
	})

	t.Run("agents with a role", func(t *testing.T) {
		for _, org := range []string{org.ID, ""} {
			got, err := db.AgentsWithRole(ctx, socle.RoleAuditor, org, 10)
			if err != nil || len(got) != 1 || got[0].ID != officer.ID {
				t.Fatalf("auditors of %q = %v, %v", org, got, err)
			}
		}
		if got, err := db.AgentsWithRole(ctx, socle.RoleContractManager, "", 10); err != nil || len(got) != 0 {
			t.Fatalf("managers = %v, %v", got, err)
		}
	})

	t.Run("recovery requester", func(t *testing.T) {
		r := &socle.RecoveryRequest{ID: socle.NewID("rec"), AgentID: officer.ID, OrganisationID: org.ID, Status: socle.RecoveryPending, RequestedBy: admin.ID, RequestedFrom: "192.0.2.1"}
		if err := db.CreateRecovery(ctx, r); err != nil {
			t.Fatal(err)
		}
		got, err := db.Recovery(ctx, r.ID)
		if err != nil || got.RequestedBy != admin.ID || got.RequestedFrom != "192.0.2.1" {
			t.Fatalf("recovery = %+v, %v", got, err)
		}
	})

	t.Run("a change is decided once", func(t *testing.T) {
		ch := &socle.Change{Kind: socle.ChangeRoles, OrganisationID: org.ID, Subject: officer.ID, Payload: `["gestionnaire"]`, Summary: "Attribuer le rôle Gestionnaire",
			RequestedBy: admin.ID, RequestedFrom: "192.0.2.1", RequestedAt: time.Now(), Status: socle.ChangePending}
		if err := db.CreateChange(ctx, ch); err != nil {
			t.Fatal(err)
		}
		pending, err := db.PendingChanges(ctx, socle.ChangeRoles, org.ID)
		if err != nil || len(pending) != 1 || pending[0].Payload != ch.Payload || pending[0].RequestedBy != admin.ID {
			t.Fatalf("pending = %+v, %v", pending, err)
		}
		var wg sync.WaitGroup
		wins := make(chan bool, 4)
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, err := db.DecideChange(ctx, ch.ID, socle.ChangeApproved, officer.ID, time.Now())
				if err != nil {
					t.Error(err)
				}
				wins <- ok
			}()
		}
		wg.Wait()
		close(wins)
		won := 0
		for w := range wins {
			if w {
				won++
			}
		}
		if won != 1 {
			t.Fatalf("%d of 4 concurrent decisions won; want exactly one", won)
		}
		got, err := db.Change(ctx, ch.ID)
		if err != nil || got.Status != socle.ChangeApproved || got.DecidedBy != officer.ID || got.DecidedAt.IsZero() {
			t.Fatalf("change = %+v, %v", got, err)
		}
		if pending, _ := db.PendingChanges(ctx, socle.ChangeRoles, org.ID); len(pending) != 0 {
			t.Fatalf("still pending: %v", pending)
		}
	})
}

// testLinkMigration runs the SQL of migration 21 over links and a
// notification stored the old way: the links are gone and the
// notification keeps its text without the link.
func testLinkMigration(t *testing.T, e Engine) {
	ctx := context.Background()
	s, loc := e.open(t)
	org := createOrganisation(t, s, "Mission Locale de Lyon", socle.KindYouth, "69")
	a := createAgent(t, s, org.ID, "camille@ml-lyon.fr")
	now := time.Now()
	if err := s.CreateToken(ctx, &socle.AgentToken{Hash: "old-sha256", AgentID: a.ID, Purpose: socle.TokenActivation, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{"Choisissez votre mot de passe avec ce lien :\n\nhttp://socle.test/enrolement?jeton=secret", "Rien à cacher."} {
		if err := s.AddNotification(ctx, &socle.Notification{ID: socle.NewID("ntf"), AgentID: a.ID, Subject: "s", Body: body, CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	ms, err := sqlstore.Migrations(e.Migrations)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(ms, func(m sqlstore.Migration) bool { return m.Version == 21 })
	if i < 0 {
		t.Fatal("no migration 21")
	}
	raw, err := e.RawDB(loc)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.ExecContext(ctx, ms[i].SQL); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Token(ctx, "old-sha256"); socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Fatalf("a link hashed the old way survived: %v", err)
	}
	notes, err := s.Notifications(ctx, a.ID, 10)
	if err != nil || len(notes) != 2 {
		t.Fatal(notes, err)
	}
	bodies := []string{notes[0].Body, notes[1].Body}
	slices.Sort(bodies)
	want := []string{"Choisissez votre mot de passe avec ce lien :\n\n" + identity.LinkWithheld, "Rien à cacher."}
	if !slices.Equal(bodies, want) {
		t.Fatalf("notifications after the migration = %q, want %q", bodies, want)
	}
}
