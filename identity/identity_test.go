package identity_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"socle"
	"socle/identity"
	"socle/internal/stacktest"
	"socle/store/sqlstore"
)

// recorder is an in-memory audit log for the tests to read.
type recorder struct {
	mu     sync.Mutex
	events []socle.AuditEvent
}

func (r *recorder) Append(_ context.Context, ev socle.AuditEvent) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, ev)
	return nil
}

func (r *recorder) actions() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.events {
		out = append(out, e.Action)
	}
	return out
}

// mailbox keeps the mails sent.
type mailbox struct {
	mu    sync.Mutex
	mails []identity.Mail
}

func (m *mailbox) Send(_ context.Context, ml identity.Mail) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mails = append(m.mails, ml)
	return nil
}

func (m *mailbox) to(addr string) []identity.Mail {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []identity.Mail
	for _, ml := range m.mails {
		if ml.To == addr {
			out = append(out, ml)
		}
	}
	return out
}

// cheap keeps the suite fast; the production cost is tested once.
var cheap = identity.Params{MemoryKiB: 64, Time: 1, Threads: 1}

const demoPassword = "correct cheval agrafe batterie"

type env struct {
	t       *testing.T
	store   *sqlstore.DB
	svc     *identity.Service
	audit   *recorder
	mail    *mailbox
	now     time.Time
	orgA    *socle.Organisation
	orgB    *socle.Organisation
	secrets map[string]string // agent id -> TOTP secret
}

func newEnv(t *testing.T) *env {
	t.Helper()
	st, _ := stacktest.Open(t)
	var err error
	e := &env{t: t, store: st, audit: &recorder{}, mail: &mailbox{}, now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), secrets: map[string]string{}}
	e.svc, err = identity.New(st, e.audit, e.mail, slog.New(slog.NewTextHandler(io.Discard, nil)), identity.Config{Password: cheap})
	if err != nil {
		t.Fatal(err)
	}
	e.svc.Now = func() time.Time { return e.now }
	e.orgA = e.org("Mission Locale de Lyon", socle.KindYouth, "69")
	e.orgB = e.org("Association Rebond", socle.KindPartner, "13")
	return e
}

func (e *env) org(name string, kind socle.OrgKind, dep string) *socle.Organisation {
	e.t.Helper()
	o := &socle.Organisation{Kind: kind, Name: name, Departements: []string{dep}}
	if err := e.store.CreateOrganisation(context.Background(), o); err != nil {
		e.t.Fatal(err)
	}
	return o
}

// agent creates an agent with a password and an enrolled TOTP.
func (e *env) agent(org *socle.Organisation, email string, roles ...socle.Role) *socle.Agent {
	e.t.Helper()
	if len(roles) == 0 {
		roles = []socle.Role{socle.RoleAdviser}
	}
	// Colleagues of long standing: the four-eyes rule counts no fresh account.
	a := &socle.Agent{OrganisationID: org.ID, Email: email, GivenName: "Camille", FamilyName: "Martin", Roles: roles, CreatedAt: e.now.Add(-90 * 24 * time.Hour)}
	if err := e.store.CreateAgent(context.Background(), a); err != nil {
		e.t.Fatal(err)
	}
	secret, err := e.svc.SetupDemoAgent(context.Background(), a.ID, demoPassword)
	if err != nil {
		e.t.Fatal(err)
	}
	e.secrets[a.ID] = secret
	return a
}

func (e *env) code(a *socle.Agent) string {
	e.t.Helper()
	c, err := totp.GenerateCode(e.secrets[a.ID], e.now)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

var client = identity.Client{RemoteAddr: "192.0.2.10", UserAgent: "test"}

// login passes both factors and returns the session token and actor.
func (e *env) login(a *socle.Agent) (string, socle.Actor) {
	e.t.Helper()
	ctx := context.Background()
	res, err := e.svc.Login(ctx, a.Email, demoPassword, client, "")
	if err != nil {
		e.t.Fatalf("login %s: %v", a.Email, err)
	}
	e.now = e.now.Add(30 * time.Second) // a fresh TOTP step
	tok, err := e.svc.VerifyTOTP(ctx, res.Token, e.code(a), client)
	if err != nil {
		e.t.Fatalf("second factor %s: %v", a.Email, err)
	}
	return tok, e.actor(tok)
}

func (e *env) actor(token string) socle.Actor {
	e.t.Helper()
	r, _ := newRequest("GET", "/", nil)
	r.AddCookie(e.svc.SessionCookie(token))
	act, err := e.svc.Authenticate(r)
	if err != nil {
		e.t.Fatal(err)
	}
	return act
}

func code(err error) string { return socle.ErrorCode(err) }

func TestLoginNeedsSecondFactor(t *testing.T) {
	e := newEnv(t)
	a := e.agent(e.orgA, "camille@ml-lyon.fr")
	res, err := e.svc.Login(context.Background(), a.Email, demoPassword, client, "")
	if err != nil {
		t.Fatal(err)
	}
	if act := e.actor(res.Token); act.Strength != socle.AuthPassword || act.Strength >= socle.AuthClient {
		t.Fatalf("after the password only, strength = %v, want AuthPassword (below the gate's AuthClient)", act.Strength)
	}
	e.now = e.now.Add(30 * time.Second)
	tok, err := e.svc.VerifyTOTP(context.Background(), res.Token, e.code(a), client)
	if err != nil {
		t.Fatal(err)
	}
	act := e.actor(tok)
	if act.Strength != socle.AuthMFA || act.AgentID != a.ID || act.OrganisationID != e.orgA.ID || act.OrgKind != socle.KindYouth ||
		act.OrgName != e.orgA.Name || !slices.Equal(act.Departements, []string{"69"}) || act.SessionID == "" || !slices.Equal(act.Roles, a.Roles) {
		t.Fatalf("actor after MFA = %+v", act)
	}
	if act := e.actor(res.Token); act.Authenticated() {
		t.Fatal("the password-only session still works after the second factor: its id must change")
	}
	if !slices.Contains(e.audit.actions(), "login") {
		t.Fatalf("no login audited: %v", e.audit.actions())
	}
}

func TestSessionFixation(t *testing.T) {
	e := newEnv(t)
	a := e.agent(e.orgA, "camille@ml-lyon.fr")
	// The attacker's own session, planted in the victim's browser.
	planted, _ := e.login(e.agent(e.orgA, "mallory@ml-lyon.fr"))
	res, err := e.svc.Login(context.Background(), a.Email, demoPassword, client, planted)
	if err != nil {
		t.Fatal(err)
	}
	if res.Token == planted {
		t.Fatal("login kept the session id it was given")
	}
	if e.authed(planted) {
		t.Fatal("the session presented at login is still alive")
	}
}

func TestTOTPReplayRejected(t *testing.T) {
	e := newEnv(t)
	a := e.agent(e.orgA, "camille@ml-lyon.fr")
	ctx := context.Background()
	res, _ := e.svc.Login(ctx, a.Email, demoPassword, client, "")
	e.now = e.now.Add(30 * time.Second)
	c := e.code(a)
	if _, err := e.svc.VerifyTOTP(ctx, res.Token, c, client); err != nil {
		t.Fatal(err)
	}
	res2, err := e.svc.Login(ctx, a.Email, demoPassword, client, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.VerifyTOTP(ctx, res2.Token, c, client); code(err) != socle.EUNAUTHENTICATED {
		t.Fatalf("replayed code: err = %v, want unauthenticated", err)
	}
	// An older code (previous step, still in the skew window) is refused too.
	old, _ := totp.GenerateCode(e.secrets[a.ID], e.now.Add(-30*time.Second))
	if _, err := e.svc.VerifyTOTP(ctx, res2.Token, old, client); code(err) != socle.EUNAUTHENTICATED {
		t.Fatalf("earlier code after a later one: err = %v", err)
	}
}

func TestUnknownUserAndWrongPasswordIdentical(t *testing.T) {
	e := newEnv(t)
	a := e.agent(e.orgA, "camille@ml-lyon.fr")
	disabled := e.agent(e.orgA, "parti@ml-lyon.fr")
	disabled.Disabled = true
	if err := e.store.UpdateAgent(context.Background(), disabled); err != nil {
		t.Fatal(err)
	}
	var errs []error
	for _, try := range []struct{ email, password string }{
		{"personne@ml-lyon.fr", demoPassword}, {a.Email, "mauvais mot de passe"}, {disabled.Email, demoPassword},
	} {
		_, err := e.svc.Login(context.Background(), try.email, try.password, client, "")
		errs = append(errs, err)
	}
	for i, err := range errs {
		if !errors.Is(err, identity.ErrBadCredentials) || err.Error() != errs[0].Error() {
			t.Fatalf("answer %d = %v, want the same ErrBadCredentials for all", i, err)
		}
	}
}

func TestLockAfterTenFailures(t *testing.T) {
	e := newEnv(t)
	a := e.agent(e.orgA, "camille@ml-lyon.fr")
	admin := e.agent(e.orgA, "admin@ml-lyon.fr", socle.RoleOrgAdmin)
	ctx := context.Background()
	for i := range 10 {
		// Each from its own address: only the account limit applies.
		c := identity.Client{RemoteAddr: "198.51.100." + string(rune('1'+i))}
		if _, err := e.svc.Login(ctx, a.Email, "mauvais mot de passe", c, ""); !errors.Is(err, identity.ErrBadCredentials) {
			t.Fatal(err)
		}
	}
	if _, err := e.svc.Login(ctx, a.Email, demoPassword, client, ""); !errors.Is(err, identity.ErrBadCredentials) {
		t.Fatalf("right password on a locked account: err = %v, want refused", err)
	}
	if len(e.mail.to(a.Email)) == 0 || len(e.mail.to(admin.Email)) == 0 {
		t.Fatal("the owner and her administrator were not notified of the lock")
	}
	// The lock grows: the 11th failure (just above) doubled it to 2 min.
	e.now = e.now.Add(90 * time.Second)
	if _, err := e.svc.Login(ctx, a.Email, demoPassword, client, ""); !errors.Is(err, identity.ErrBadCredentials) {
		t.Fatalf("after 90 s: err = %v, want still locked", err)
	}
	e.now = e.now.Add(5 * time.Minute)
	if _, err := e.svc.Login(ctx, a.Email, demoPassword, client, ""); err != nil {
		t.Fatalf("after the lock: %v", err)
	}
}

func TestPasswordSprayingLimitedPerAddress(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var agents []*socle.Agent
	for i := range 35 {
		agents = append(agents, e.agent(e.orgA, "agent"+string(rune('a'+i%26))+string(rune('a'+i/26))+"@ml-lyon.fr"))
	}
	attacker := identity.Client{RemoteAddr: "203.0.113.66"}
	var refused int
	for _, a := range agents {
		_, err := e.svc.Login(ctx, a.Email, "Printemps2026!!", attacker, "")
		if code(err) == socle.ETOOMANY {
			refused++
		}
	}
	if refused == 0 {
		t.Fatal("one address tried one password on 35 accounts and was never throttled")
	}
	// Even the right password is refused from that address now; others pass.
	if _, err := e.svc.Login(ctx, agents[0].Email, demoPassword, attacker, ""); code(err) != socle.ETOOMANY {
		t.Fatalf("err = %v, want too many requests", err)
	}
	if _, err := e.svc.Login(ctx, agents[0].Email, demoPassword, client, ""); err != nil {
		t.Fatalf("another address: %v", err)
	}
}

func TestPasswordPolicy(t *testing.T) {
	e := newEnv(t)
	a := &socle.Agent{Email: "camille.martin@ml-lyon.fr", GivenName: "Camille", FamilyName: "Martin", OrganisationID: e.orgA.ID}
	for _, tc := range []struct {
		password string
		ok       bool
	}{
		{"court", false},
		{"onze-carac", false},
		{"azertyuiop123", false},
		{"Motdepasse2026!", false},
		{"aaaaaaaaaaaaaaaa", false},
		{"martin123456", false},
		{demoPassword, true},
		// Context words (NIST SP 800-63B): the service, the organisation
		// and its city, the agent's name and address, the year.
		{"Socle-Lyon-" + strconv.Itoa(e.now.Year()) + "!", false},
		{"MissionLocaleLyon" + strconv.Itoa(e.now.Year()), false},
		{"Camille.Martin." + strconv.Itoa(e.now.Year()+1), false},
		{"socle socle socle socle", false},
		{"Lyon-Socle-!!!!!!!!", false},
		{"8473-2910-5582-91ab", true},
		{"Lyon sous la pluie de novembre", true},
	} {
		err := e.svc.CheckPassword(context.Background(), tc.password, a)
		if (err == nil) != tc.ok {
			t.Errorf("CheckPassword(%q) = %v, want ok=%v", tc.password, err, tc.ok)
		}
	}
}

func TestDisabledAgentLiveSession(t *testing.T) {
	e := newEnv(t)
	a := e.agent(e.orgA, "camille@ml-lyon.fr")
	admin := e.agent(e.orgA, "admin@ml-lyon.fr", socle.RoleOrgAdmin)
	tok, _ := e.login(a)
	_, adminActor := e.login(admin)
	if err := e.svc.SetDisabled(context.Background(), adminActor, a.ID, true, client); err != nil {
		t.Fatal(err)
	}
	if e.authed(tok) {
		t.Fatal("a disabled agent's session still authenticates")
	}
	// Even when disabled behind the service's back (straight in the store).
	b := e.agent(e.orgA, "dominique@ml-lyon.fr")
	tokB, _ := e.login(b)
	b.Disabled = true
	if err := e.store.UpdateAgent(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	if e.authed(tokB) {
		t.Fatal("a disabled agent's session still authenticates")
	}
}

func TestSessionTimeouts(t *testing.T) {
	e := newEnv(t)
	a := e.agent(e.orgA, "camille@ml-lyon.fr")
	tok, _ := e.login(a)
	e.now = e.now.Add(31 * time.Minute)
	if e.authed(tok) {
		t.Fatal("a session idle for 31 min still works")
	}
	tok, _ = e.login(a)
	for range 21 { // active every 29 min for 10 h
		e.now = e.now.Add(29 * time.Minute)
		e.actor(tok)
	}
	if e.authed(tok) {
		t.Fatal("a session older than the absolute timeout still works")
	}
}

func TestLogoutEverywhere(t *testing.T) {
	e := newEnv(t)
	a := e.agent(e.orgA, "camille@ml-lyon.fr")
	tok1, _ := e.login(a)
	tok2, act := e.login(a)
	sessions, err := e.svc.Sessions(context.Background(), act)
	if err != nil || len(sessions) != 2 {
		t.Fatalf("sessions = %d, %v; want 2", len(sessions), err)
	}
	if err := e.svc.LogoutEverywhere(context.Background(), act); err != nil {
		t.Fatal(err)
	}
	if e.authed(tok1) || e.authed(tok2) {
		t.Fatal("a session survived 'log out everywhere'")
	}
}

func TestPasswordResetOnlyWithSecondFactor(t *testing.T) {
	e := newEnv(t)
	a := e.agent(e.orgA, "camille@ml-lyon.fr")
	ctx := context.Background()
	const newPassword = "une toute nouvelle phrase secrete"
	if err := e.svc.ResetPassword(ctx, a.Email, "000000", newPassword, client); code(err) != socle.EUNAUTHENTICATED {
		t.Fatalf("reset with a wrong code: %v", err)
	}
	if err := e.svc.ResetPassword(ctx, "personne@ml-lyon.fr", e.code(a), newPassword, client); code(err) != socle.EUNAUTHENTICATED {
		t.Fatalf("reset of an unknown account: %v", err)
	}
	c := e.code(a)
	if err := e.svc.ResetPassword(ctx, a.Email, c, newPassword, client); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.ResetPassword(ctx, a.Email, c, "encore une autre phrase secrete", client); code(err) != socle.EUNAUTHENTICATED {
		t.Fatalf("reset replaying the code: %v", err)
	}
	if _, err := e.svc.Login(ctx, a.Email, newPassword, client, ""); err != nil {
		t.Fatal(err)
	}
	if len(e.mail.to(a.Email)) == 0 {
		t.Fatal("the agent was not notified")
	}
}

func TestFourEyesRecovery(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.agent(e.orgA, "camille@ml-lyon.fr")
	_, admin1 := e.login(e.agent(e.orgA, "admin1@ml-lyon.fr", socle.RoleOrgAdmin))
	_, admin2 := e.login(e.agent(e.orgA, "admin2@ml-lyon.fr", socle.RoleOrgAdmin))
	_, otherAdmin := e.login(e.agent(e.orgB, "admin@rebond.fr", socle.RoleOrgAdmin))
	_, platform := e.login(e.agent(e.orgB, "ops@socle.fr", socle.RolePlatformAdmin, socle.RoleOrgAdmin))
	_, adviser := e.login(e.agent(e.orgA, "collegue@ml-lyon.fr"))
	tokA, _ := e.login(a)

	e.now = e.now.Add(time.Minute)
	if err := e.svc.RequestRecovery(ctx, a.Email, client); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.RequestRecovery(ctx, "personne@ml-lyon.fr", client); err != nil {
		t.Fatalf("unknown account: %v, want the same answer", err)
	}
	pending, err := e.svc.PendingRecoveries(ctx, admin1)
	if err != nil || len(pending) != 1 {
		t.Fatalf("pending = %v, %v", pending, err)
	}
	id := pending[0].ID
	for name, act := range map[string]socle.Actor{"other organisation": otherAdmin, "platform admin": platform, "adviser": adviser} {
		if _, err := e.svc.ApproveRecovery(ctx, act, id, client); code(err) != socle.EFORBIDDEN {
			t.Errorf("%s approving: err = %v, want forbidden", name, err)
		}
	}
	if _, err := e.svc.ApproveRecovery(ctx, admin1, id, client); err != nil {
		t.Fatal(err)
	}
	// The same administrator twice is still one pair of eyes.
	req, err := e.svc.ApproveRecovery(ctx, admin1, id, client)
	if err != nil || req.Status != socle.RecoveryPending {
		t.Fatalf("second approval by the same admin: %+v, %v; want still pending", req, err)
	}
	if ok, _ := e.svc.HasTOTP(ctx, a.ID); !ok {
		t.Fatal("factor removed after one approval")
	}
	req, err = e.svc.ApproveRecovery(ctx, admin2, id, client)
	if err != nil || req.Status != socle.RecoveryApproved {
		t.Fatalf("approval by a second admin: %+v, %v", req, err)
	}
	if ok, _ := e.svc.HasTOTP(ctx, a.ID); ok {
		t.Fatal("the lost factor is still enrolled")
	}
	if e.authed(tokA) {
		t.Fatal("the agent's sessions survived the recovery")
	}
	if !slices.Contains(e.audit.actions(), "recovery_approved") {
		t.Fatal("recovery not audited")
	}
	// The agent re-enrols through the link she received.
	mails := e.mail.to(a.Email)
	link := mails[len(mails)-1].Body
	token := link[len(link)-43:]
	enr, err := e.svc.BeginEnrolment(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := totp.GenerateCode(enr.Secret, e.now)
	if _, err := e.svc.CompleteEnrolment(ctx, token, c, "ma nouvelle phrase de passe", client); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.CompleteEnrolment(ctx, token, c, "ma nouvelle phrase de passe", client); code(err) != socle.ENOTFOUND {
		t.Fatalf("link used twice: %v", err)
	}
}

func TestOrgAdminManagesOnlyHerAgents(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.agent(e.orgA, "camille@ml-lyon.fr")
	_, adminA := e.login(e.agent(e.orgA, "admin@ml-lyon.fr", socle.RoleOrgAdmin))
	_, adminB := e.login(e.agent(e.orgB, "admin@rebond.fr", socle.RoleOrgAdmin))

	if err := e.svc.SetDisabled(ctx, adminB, a.ID, true, client); code(err) != socle.EFORBIDDEN {
		t.Fatalf("disable by another organisation: %v", err)
	}
	if _, err := e.svc.SetRoles(ctx, adminB, a.ID, []socle.Role{socle.RoleOrgAdmin}, client); code(err) != socle.EFORBIDDEN {
		t.Fatalf("roles by another organisation: %v", err)
	}
	if err := e.svc.CreateAgent(ctx, adminB, &socle.Agent{OrganisationID: e.orgA.ID, Email: "intrus@ml-lyon.fr", GivenName: "I", FamilyName: "Ntrus", Roles: []socle.Role{socle.RoleAdviser}}, client); code(err) != socle.EFORBIDDEN {
		t.Fatalf("create in another organisation: %v", err)
	}
	if _, err := e.svc.SetRoles(ctx, adminA, a.ID, []socle.Role{socle.RolePlatformAdmin}, client); code(err) != socle.EFORBIDDEN {
		t.Fatalf("granting platform administration: %v", err)
	}
	if _, err := e.svc.SetRoles(ctx, adminA, a.ID, []socle.Role{socle.RoleAdviser, socle.RoleStatistician}, client); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.CreateAgent(ctx, adminA, &socle.Agent{OrganisationID: e.orgA.ID, Email: "nouveau@ml-lyon.fr", GivenName: "Noé", FamilyName: "Nouveau", Roles: []socle.Role{socle.RoleAdviser}}, client); err != nil {
		t.Fatalf("create: %v", err)
	}
	if len(e.mail.to("nouveau@ml-lyon.fr")) != 1 {
		t.Fatal("no activation mail")
	}
	// Before activation the new agent cannot log in at all.
	if _, err := e.svc.Login(ctx, "nouveau@ml-lyon.fr", demoPassword, client, ""); err == nil {
		t.Fatal("an agent without password nor factor logged in")
	}
	for _, want := range []string{"agent_roles_changed", "agent_created"} {
		if !slices.Contains(e.audit.actions(), want) {
			t.Errorf("%s not audited", want)
		}
	}
}

func TestPasswordOnlyCannotAdminister(t *testing.T) {
	e := newEnv(t)
	admin := e.agent(e.orgA, "admin@ml-lyon.fr", socle.RoleOrgAdmin)
	res, err := e.svc.Login(context.Background(), admin.Email, demoPassword, client, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Agents(context.Background(), e.actor(res.Token)); code(err) != socle.EFORBIDDEN {
		t.Fatalf("password-only admin listing agents: %v", err)
	}
}

func TestProductionPasswordParams(t *testing.T) {
	p := identity.DefaultParams
	if p.MemoryKiB < identity.MinParams.MemoryKiB || p.Time < identity.MinParams.Time || p.Threads < 1 {
		t.Fatalf("DefaultParams %+v below OWASP's floor %+v", p, identity.MinParams)
	}
	h, err := identity.HashPassword(demoPassword, p)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		pw   string
		want bool
	}{{demoPassword, true}, {demoPassword + "x", false}} {
		ok, got, err := identity.VerifyPassword(tc.pw, h)
		if err != nil || ok != tc.want || got != p {
			t.Fatalf("VerifyPassword(%q) = %v, %+v, %v", tc.pw, ok, got, err)
		}
	}
}

func BenchmarkPasswordHash(b *testing.B) {
	for _, tc := range []struct {
		name string
		p    identity.Params
	}{{"owasp-min-19MiB-t2", identity.MinParams}, {"default", identity.DefaultParams}} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := identity.HashPassword(demoPassword, tc.p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func (e *env) authed(token string) bool {
	e.t.Helper()
	act := e.actor(token)
	return act.Authenticated()
}
