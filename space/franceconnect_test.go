package space_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"socle"
	"socle/audit"
	"socle/identity"
	"socle/internal/oidctest"
	"socle/internal/stacktest"
	"socle/space"
	"socle/store/storetest"
)

// recordingLog is the real audit log, remembering what was appended.
type recordingLog struct {
	*audit.Log
	mu     sync.Mutex
	events []socle.AuditEvent
}

func (l *recordingLog) Append(ctx context.Context, ev socle.AuditEvent) error {
	l.mu.Lock()
	l.events = append(l.events, ev)
	l.mu.Unlock()
	return l.Log.Append(ctx, ev)
}

func (l *recordingLog) last() socle.AuditEvent {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.events[len(l.events)-1]
}

const fcCallback = "https://socle.test/usager/franceconnect/retour"

// TestFranceConnect signs persons in through a provider that behaves like
// FranceConnect: the identity set in a signed userinfo JWT, matched
// against the records.
func TestFranceConnect(t *testing.T) {
	ctx := context.Background()
	stack := stacktest.New(t, stacktest.Options{Unsealed: true})
	db := stack.DB
	log := &recordingLog{Log: stack.Log}
	sp, err := space.New(db, log, identity.DemoMailer{Out: io.Discard}, slog.New(slog.NewTextHandler(io.Discard, nil)),
		space.Config{BaseURL: "https://socle.test", Secure: true, Key: []byte("a form key of 32 bytes, at least"), PersonRef: func(id string) string { return "ref-" + id }})
	if err != nil {
		t.Fatal(err)
	}
	org := storetest.NewOrganisation("Mission Locale de Lyon", socle.KindYouth, "69")
	if err := db.CreateOrganisation(ctx, org); err != nil {
		t.Fatal(err)
	}
	admin := storetest.NewAgent(org.ID, "admin@ml-lyon.fr")
	admin.Roles = []socle.Role{socle.RolePlatformAdmin}
	orgAdmin := storetest.NewAgent(org.ID, "structure@ml-lyon.fr")
	orgAdmin.Roles = []socle.Role{socle.RoleOrgAdmin}
	adviser := storetest.NewAgent(org.ID, "conseil@ml-lyon.fr")
	for _, a := range []*socle.Agent{admin, orgAdmin, adviser} {
		if err := db.CreateAgent(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	helene := person(1, "")
	helene.Identity.GivenName, helene.Identity.FamilyName, helene.Identity.Sex = "Hélène", "Lefèvre", "F"
	twin1, twin2 := person(2, ""), person(2, "")
	for _, p := range []*socle.Person{helene, twin1, twin2} {
		if err := db.CreatePerson(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	op := oidctest.NewFederation(oidctest.FranceConnect, "socle", "fc-secret", fcCallback, "")
	t.Cleanup(op.Close)
	fc, err := space.NewFranceConnect(ctx, sp, db, space.FranceConnectConfig{Issuer: op.URL, ClientID: "socle", ClientSecret: "fc-secret", RedirectURL: fcCallback})
	if err != nil {
		t.Fatal(err)
	}
	userOf := func(sub string, p *socle.Person) oidctest.User {
		return oidctest.User{Subject: sub, GivenName: strings.ToUpper(p.Identity.GivenName) + " Marie", FamilyName: p.Identity.FamilyName,
			Birthdate: p.Identity.BirthDate.String(), Birthplace: p.Identity.NIR[5:10], Gender: map[string]string{"F": "female", "M": "male"}[p.Identity.Sex]}
	}
	stranger := userOf("fc-stranger", helene)
	stranger.Birthdate = "1950-01-01"
	tests := []struct {
		name    string
		user    oidctest.User
		person  string // signed in as
		wantErr error
		open    int // open identity checks after the login
	}{
		{name: "exact match", user: userOf("fc-helene", helene), person: helene.ID},
		{name: "later login on the subject alone", user: func() oidctest.User { u := userOf("fc-helene", helene); u.FamilyName = "Martin"; return u }(), person: helene.ID},
		{name: "no match: human check", user: stranger, wantErr: space.ErrIdentityCheck, open: 1},
		{name: "the same person again: one check", user: stranger, wantErr: space.ErrIdentityCheck, open: 1},
		{name: "ambiguous: human check", user: userOf("fc-twin", twin1), wantErr: space.ErrIdentityCheck, open: 2},
		{name: "no gender", user: func() oidctest.User { u := userOf("fc-x", helene); u.Gender = ""; return u }(), wantErr: errUnauthenticated, open: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op.SignIn(tt.user)
			cb := fcFlow(t, fc)
			token, err := fc.Callback(httptest.NewRecorder(), cb)
			ev := log.last()
			switch {
			case tt.wantErr == errUnauthenticated:
				if socle.ErrorCode(err) != socle.EUNAUTHENTICATED {
					t.Fatalf("callback: %v, want EUNAUTHENTICATED", err)
				}
			case tt.wantErr != nil:
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("callback: %v, want %v", err, tt.wantErr)
				}
			case err != nil:
				t.Fatal(err)
			}
			if tt.person != "" {
				r := httptest.NewRequest(http.MethodGet, "https://socle.test/usager/dossier", nil)
				r.AddCookie(sp.SessionCookie(token))
				act, err := sp.Authenticate(r)
				if err != nil || act.PersonID != tt.person {
					t.Fatalf("signed in as %+v, %v; want %s", act, err, tt.person)
				}
				if ev.Action != "space_login" || !ev.Allowed || ev.PersonRef != "ref-"+tt.person || !strings.Contains(ev.Explanation, "FranceConnect") {
					t.Errorf("login audited as %+v", ev)
				}
			} else {
				if token != "" {
					t.Fatal("a session was opened")
				}
				if ev.Allowed || ev.PersonRef != "" || ev.Action != "space_login_franceconnect" {
					t.Errorf("refusal audited as %+v", ev)
				}
				if msg := space.FranceConnectMessage(err); msg == "" || strings.Contains(msg, "FranceConnect identity") {
					t.Errorf("French message %q", msg)
				}
			}
			open, err := db.OpenIdentityChecks(ctx, 10)
			if err != nil || len(open) != tt.open {
				t.Fatalf("%d open identity checks (%v), want %d", len(open), err, tt.open)
			}
		})
	}

	t.Run("an administrator resolves a check, and the person is then signed in", func(t *testing.T) {
		for _, a := range []*socle.Agent{adviser, orgAdmin} {
			if _, err := fc.OpenIdentityChecks(ctx, a.ID); socle.ErrorCode(err) != socle.EFORBIDDEN {
				t.Fatalf("%v listed the checks: %v", a.Roles, err)
			}
		}
		open, err := fc.OpenIdentityChecks(ctx, admin.ID)
		if err != nil || len(open) != 2 {
			t.Fatalf("open checks %v, %v", open, err)
		}
		if ev := log.last(); ev.Action != "identity_checks_read" || ev.AgentID != admin.ID {
			t.Errorf("reading the checks audited as %+v", ev)
		}
		var twinCheck *socle.IdentityCheck
		for _, c := range open {
			if c.Subject == "fc-twin" {
				twinCheck = c
			}
		}
		if twinCheck == nil || twinCheck.Candidates != 2 {
			t.Fatalf("the ambiguous login's check: %+v", twinCheck)
		}
		if err := fc.ResolveIdentityCheck(ctx, adviser.ID, twinCheck.ID, twin2.ID); socle.ErrorCode(err) != socle.EFORBIDDEN {
			t.Fatalf("an adviser resolved a check: %v", err)
		}
		if err := fc.ResolveIdentityCheck(ctx, admin.ID, twinCheck.ID, twin2.ID); err != nil {
			t.Fatal(err)
		}
		if ev := log.last(); ev.Action != "identity_check_resolve" || ev.AgentID != admin.ID || ev.PersonRef != "ref-"+twin2.ID {
			t.Errorf("resolution audited as %+v", ev)
		}
		op.SignIn(userOf("fc-twin", twin1))
		token, err := fc.Callback(httptest.NewRecorder(), fcFlow(t, fc))
		if err != nil {
			t.Fatal(err)
		}
		r := httptest.NewRequest(http.MethodGet, "https://socle.test/usager/dossier", nil)
		r.AddCookie(sp.SessionCookie(token))
		if act, _ := sp.Authenticate(r); act.PersonID != twin2.ID {
			t.Fatalf("signed in as %+v, want the record the administrator chose", act)
		}
	})
}

// errUnauthenticated stands for any EUNAUTHENTICATED error in the table.
var errUnauthenticated = errors.New("EUNAUTHENTICATED")

// fcFlow runs the start and FranceConnect's authorization, and returns the
// callback request the browser would send, with its cookie.
func fcFlow(t *testing.T, fc *space.FranceConnect) *http.Request {
	t.Helper()
	rec := httptest.NewRecorder()
	fc.Start(rec, httptest.NewRequest(http.MethodGet, "https://socle.test/usager/franceconnect", nil))
	authorize := rec.Header().Get("Location")
	if u, _ := url.Parse(authorize); u.Query().Get("nonce") == "" || !strings.Contains(u.Query().Get("scope"), "birthplace") {
		t.Fatalf("authorization request: %s", authorize)
	}
	cb, err := oidctest.Authorize(authorize, rec.Result().Cookies())
	if err != nil {
		t.Fatal(err)
	}
	return cb
}
