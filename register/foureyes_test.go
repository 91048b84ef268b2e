package register_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"socle"
	"socle/identity"
	"socle/internal/stacktest"
	"socle/policy"
	"socle/register"
)

// TestWideningEditNeedsSecondAdministrator: an edit of the register that
// gives a sensitive category waits for a second platform administrator
// under the four-eyes rule of identity (the same as recovery), the privacy
// officers are notified, and it applies only on approval; a narrowing edit
// applies at once.
func TestWideningEditNeedsSecondAdministrator(t *testing.T) {
	ctx := context.Background()
	s := stacktest.New(t, stacktest.Options{Unsealed: true})
	db, log := s.DB, s.Log
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	ids, err := identity.New(db, log, identity.DemoMailer{Out: io.Discard}, slog.New(slog.NewTextHandler(io.Discard, nil)), identity.Config{Password: identity.Params{MemoryKiB: 64, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	ids.Now = func() time.Time { return now }
	org := &socle.Organisation{Kind: socle.KindEmploymentService, Name: "Opérateur national", Departements: []string{"75"}}
	if err := db.CreateOrganisation(ctx, org); err != nil {
		t.Fatal(err)
	}
	// signIn creates a long-standing agent and signs her in with her factor.
	signIn := func(email string, roles ...socle.Role) (*socle.Agent, socle.Actor) {
		t.Helper()
		a := &socle.Agent{OrganisationID: org.ID, Email: email, GivenName: "Alex", FamilyName: "Martin", Roles: roles, CreatedAt: now.AddDate(0, -3, 0)}
		if err := db.CreateAgent(ctx, a); err != nil {
			t.Fatal(err)
		}
		const pw = "correct cheval agrafe batterie"
		secret, err := ids.SetupDemoAgent(ctx, a.ID, pw)
		if err != nil {
			t.Fatal(err)
		}
		res, err := ids.Login(ctx, email, pw, identity.Client{RemoteAddr: "192.0.2.1"}, "")
		if err != nil {
			t.Fatal(err)
		}
		now = now.Add(30 * time.Second)
		code, _ := totp.GenerateCode(secret, now)
		tok, err := ids.VerifyTOTP(ctx, res.Token, code, identity.Client{RemoteAddr: "192.0.2.1"})
		if err != nil {
			t.Fatal(err)
		}
		r := httptest.NewRequest("GET", "/", nil)
		r.AddCookie(ids.SessionCookie(tok))
		act, err := ids.Authenticate(r)
		if err != nil {
			t.Fatal(err)
		}
		return a, act
	}
	_, admin1 := signIn("ops1@socle.fr", socle.RolePlatformAdmin)
	_, admin2 := signIn("ops2@socle.fr", socle.RolePlatformAdmin)
	officer, _ := signIn("dpo@socle.fr", socle.RoleAuditor)
	now = now.Add(time.Minute)

	engine, err := policy.NewEngine(db, policy.DefaultRegister(), policy.Config{})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := register.Open(ctx, db, engine, log, ids)
	if err != nil {
		t.Fatal(err)
	}
	svc.Now = func() time.Time { return now }
	// current is a copy of the register in force, to edit.
	current := func() policy.Register {
		r := engine.Register()
		r.Agreements = slices.Clone(r.Agreements)
		return r
	}

	// Narrowing: applies at once.
	narrowed := current()
	narrowed.Agreements = narrowed.Agreements[:len(narrowed.Agreements)-1]
	if reg, ch, err := svc.Update(ctx, admin1, "t", narrowed, "retrait d'une convention inutile"); err != nil || ch != nil || reg.Version != 2 {
		t.Fatalf("narrowing edit: version %d, change %+v, %v", reg.Version, ch, err)
	}
	// Widening: a partner reads health notes.
	widened := current()
	i := -1
	for j, a := range widened.Agreements {
		if !a.Read.Has(socle.CatHealth) && a.Population != socle.PopulationLookup {
			i = j
			break
		}
	}
	if i < 0 {
		t.Fatal("no agreement without health in the default register")
	}
	widened.Agreements[i].Read |= socle.SetOf(socle.CatHealth)
	_, ch, err := svc.Update(ctx, admin1, "t", widened, "ouverture des notes de santé")
	if err != nil || ch == nil || ch.Status != socle.ChangePending {
		t.Fatalf("widening edit: %+v, %v; want a pending change", ch, err)
	}
	if engine.Register().Version != 2 || engine.Register().Agreements[i].Read.Has(socle.CatHealth) {
		t.Fatal("the widening edit applied without a second administrator")
	}
	notes, err := db.Notifications(ctx, officer.ID, 10)
	if err != nil || len(notes) != 1 || !strings.Contains(notes[0].Body, widened.Agreements[i].ID) {
		t.Fatalf("the privacy officer's notifications = %+v, %v", notes, err)
	}
	pending, err := svc.Pending(ctx, admin2)
	if err != nil || len(pending) != 1 || pending[0].ID != ch.ID {
		t.Fatalf("queue = %v, %v", pending, err)
	}
	if _, err := svc.Approve(ctx, admin1, "t", ch.ID); socle.ErrorCode(err) != socle.EFORBIDDEN {
		t.Fatalf("approval by its author: %v, want forbidden", err)
	}
	reg, err := svc.Approve(ctx, admin2, "t", ch.ID)
	if err != nil || reg.Version != 3 || !engine.Register().Agreements[i].Read.Has(socle.CatHealth) {
		t.Fatalf("approval by a second administrator: version %d, %v", reg.Version, err)
	}
	vs, err := svc.Versions(ctx, admin2, 1)
	if err != nil || vs[0].Author != admin1.AgentID {
		t.Fatalf("history = %+v, %v; want the author of the request", vs, err)
	}

	// A request made on a version that is no longer the newest is refused.
	again := current()
	again.Agreements[i].Read |= socle.SetOf(socle.CatBank)
	_, stale, err := svc.Update(ctx, admin1, "t", again, "ouverture des données bancaires")
	if err != nil || stale == nil {
		t.Fatal(stale, err)
	}
	narrower := current()
	narrower.Agreements = narrower.Agreements[:len(narrower.Agreements)-1]
	if _, ch, err := svc.Update(ctx, admin2, "t", narrower, "retrait d'une autre convention"); err != nil || ch != nil {
		t.Fatal(ch, err)
	}
	if _, err := svc.Approve(ctx, admin2, "t", stale.ID); socle.ErrorCode(err) != socle.ECONFLICT {
		t.Fatalf("approving a request on a stale version: %v, want conflict", err)
	}
}

func TestWidening(t *testing.T) {
	base := policy.DefaultRegister()
	for _, tt := range []struct {
		name string
		edit func(r *policy.Register)
		want bool
	}{
		{"unchanged", func(r *policy.Register) {}, false},
		{"an agreement removed", func(r *policy.Register) { r.Agreements = r.Agreements[1:] }, false},
		{"justice added to an agreement", func(r *policy.Register) { r.Agreements[0].Read |= socle.SetOf(socle.CatJustice) }, true},
		{"bank written", func(r *policy.Register) { r.Agreements[0].Write |= socle.SetOf(socle.CatBank) }, true},
		{"a contact category added", func(r *policy.Register) { r.Agreements[0].Read |= socle.SetOf(socle.CatContact) }, false},
		{"a new agreement with health", func(r *policy.Register) {
			a := r.Agreements[0]
			a.ID, a.Read = "nouvelle", socle.SetOf(socle.CatHealth)
			r.Agreements = append(r.Agreements, a)
		}, true},
		{"an agreement with health opened to every role", func(r *policy.Register) {
			for i, a := range r.Agreements {
				if (a.Read | a.Write).Has(socle.CatHealth) && len(a.Roles) > 0 {
					r.Agreements[i].Roles = nil
					return
				}
			}
			t.Skip("no agreement with health restricted to roles in the default register")
		}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			next := policy.DefaultRegister()
			tt.edit(&next)
			if got := len(register.Widening(base, next)) > 0; got != tt.want {
				t.Fatalf("widening = %v, want %v", register.Widening(base, next), tt.want)
			}
		})
	}
}
