package http

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"socle"
	"socle/gate"
	"socle/store/storetest"
)

// TestSecondFactorWrongCodeStandsBesideTheCode posts wrong second-factor
// codes: the one message stands beside the code field (marked invalid,
// described by it), not as a page alert, and the session stays
// password-only.
func TestSecondFactorWrongCodeStandsBesideTheCode(t *testing.T) {
	e := newIdentityEnv(t)
	tests := []struct{ name, code string }{
		{"a wrong code", "000000"},
		{"letters", "abcdef"},
		{"nothing", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := e.browser()
			resp, _ := b.post("/connexion", url.Values{"csrf": {b.csrf("/connexion")}, "email": {e.agent.Email}, "password": {testPassword}})
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("login: %d", resp.StatusCode)
			}
			form := url.Values{"csrf": {b.csrf("/second-facteur")}, "code": {tt.code}}
			resp, body := b.post("/second-facteur", form)
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401", resp.StatusCode)
			}
			checkFieldError(t, body, "code", "Code incorrect", "")
			if strings.Contains(body, `fr-alert--error fr-alert--sm erreur" role="alert">`) {
				t.Error("the wrong code is also a page alert: it must be one message beside the field")
			}
			if _, home := b.get("/"); home != "strength=1" {
				t.Errorf("after a wrong code: %q, want a password-only session", home)
			}
		})
	}
}

// TestStepUpWrongCodeStandsBesideTheCode asks for the step-up page, posts
// a wrong code: the message stands beside the code field, not as a page
// alert, and the way back is kept.
func TestStepUpWrongCodeStandsBesideTheCode(t *testing.T) {
	st, _, client := newSignedInConsole(t, socle.RoleAdviser)
	const page = "/verification-renforcee?retour=/declarations"
	resp, body := st.env.postForm(client, page, "/verification-renforcee", url.Values{"code": {"000000"}, "retour": {"/declarations"}})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("status %d, want 401:\n%s", resp.StatusCode, body)
	}
	checkFieldError(t, body, "code", "Code incorrect", `name="retour" value="/declarations"`)
	if strings.Contains(body, `fr-alert--error fr-alert--sm erreur" role="alert">`) {
		t.Error("the wrong code is also a page alert: it must be one message beside the field")
	}
}

// TestLiftBlockReasonStandsBesideItsField posts the lifting of a block
// with reasons that are too short: the error stands beside that row's
// reason field with the reason sent, and the block stays.
func TestLiftBlockReasonStandsBesideItsField(t *testing.T) {
	e := newNetworkEnv(t)
	ctx := context.Background()
	th := gate.NewThrottle(e.db)
	th.StepUp, th.Block = 1, 1
	e.gate.Throttle = th
	system := socle.Actor{ClientID: "cli_partenaire", OrganisationID: e.actors[socle.KindPartner].OrganisationID}
	reads := []socle.ThrottleRead{{Subject: "person:a", Weight: 1}, {Subject: "person:b", Weight: 1}}
	if err := th.Allow(ctx, system, "accompagnement", time.Now(), reads...); socle.ErrorCode(err) != socle.EFORBIDDEN {
		t.Fatalf("reading past the limit: %v, want a block", err)
	}
	principal := gate.PrincipalKey(system)
	officer := storetest.NewAgent(e.actors[socle.KindPartner].OrganisationID, "dpo@partenaire.fr")
	officer.Roles = []socle.Role{socle.RoleAuditor}
	dpo := e.enrolAndLogin(e.db, e.identity, officer)
	for _, reason := range []string{"", "vu", "   bref   "} {
		t.Run("reason "+strconv.Quote(reason), func(t *testing.T) {
			resp, body := e.postForm(dpo, "/alertes/blocages", "/alertes/blocages", url.Values{"compte": {principal}, "motif": {reason}})
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", resp.StatusCode)
			}
			checkFieldError(t, body, "motif-"+principal, "Indiquez le motif", `value="`+html.EscapeString(reason)+`"`)
			if strings.Contains(body, `fr-alert--error fr-alert--sm erreur" role="alert">`) {
				t.Error("the reason's error is also a page alert")
			}
		})
	}
	if blocks, err := e.db.ThrottleBlocks(ctx, time.Now(), 10); err != nil || len(blocks) != 1 {
		t.Errorf("blocks after refused liftings: %v %v, want the block kept", blocks, err)
	}
}

// TestEnrolmentErrorsStandBesideTheirFields posts the activation form with
// a password the policy refuses or a wrong code: the error stands beside
// that field, the page keeps the same secret to scan, and the link still
// activates the account afterwards (nothing was consumed).
func TestEnrolmentErrorsStandBesideTheirFields(t *testing.T) {
	e := newIdentityEnv(t)
	admin := e.browser()
	admin.login(e.admin)
	resp, _ := admin.post("/agents", url.Values{"csrf": {admin.csrf("/agents")}, "given_name": {"Noé"}, "family_name": {"Nouveau"},
		"email": {"noe.nouveau@ml-lyon.fr"}, "roles": {string(socle.RoleAdviser)}})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("creating an agent: %d", resp.StatusCode)
	}
	e.mail.mu.Lock()
	m := activationLink.FindStringSubmatch(e.mail.buf.String())
	e.mail.mu.Unlock()
	if m == nil {
		t.Fatal("no activation link mailed")
	}
	own := e.browser()
	_, page := own.get("/enrolement?jeton=" + m[1])
	secret := secretInput.FindStringSubmatch(page)[1]
	tests := []struct {
		name, password, field, message string
		rightCode                      bool
	}{
		{"a short password", "court", "password", "au moins 12 caractères", true},
		{"a common password", "motdepasse123", "password", "mot de passe", true},
		{"a wrong code", testPassword, "code", "Le code ne correspond pas", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code := "000000"
			if tt.rightCode {
				code, _ = totp.GenerateCode(secret, e.now)
			}
			form := url.Values{"csrf": {csrfInput.FindStringSubmatch(page)[1]}, "jeton": {m[1]}, "code": {code}, "password": {tt.password}}
			resp, body := own.post("/enrolement", form)
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", resp.StatusCode)
			}
			checkFieldError(t, body, tt.field, tt.message, "<code>"+secret+"</code>")
			if strings.Contains(body, `fr-alert--error fr-alert--sm erreur" role="alert">`) || strings.Count(body, "fr-error-text") != 1 {
				t.Error("the error is not one message beside its field")
			}
			if strings.Contains(body, tt.password) && tt.field == "password" {
				t.Error("the refused password is written back into the page")
			}
		})
	}
	code, _ := totp.GenerateCode(secret, e.now)
	if resp, _ := own.post("/enrolement", url.Values{"csrf": {csrfInput.FindStringSubmatch(page)[1]}, "jeton": {m[1]}, "code": {code}, "password": {testPassword}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("activation after the refused answers: %d", resp.StatusCode)
	}
}

// TestPasswordResetErrors posts the forgotten-password form: a new
// password the policy refuses stands beside its field, a wrong code stays
// one page message that never says whether the address or the code was
// wrong; the address comes back either way and the old password still
// signs in.
func TestPasswordResetErrors(t *testing.T) {
	e := newIdentityEnv(t)
	tests := []struct {
		name, code, password string
		status               int
		// field is the input in error, "" for a page message.
		field, message string
	}{
		{"a short new password", "000000", "court", http.StatusBadRequest, "r_password", "au moins 12 caractères"},
		{"a wrong code", "000000", "une toute autre phrase de passe", http.StatusUnauthorized, "", "Adresse ou code incorrect"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := e.browser()
			form := url.Values{"csrf": {b.csrf("/recuperation")}, "email": {e.agent.Email}, "code": {tt.code}, "password": {tt.password}}
			resp, body := b.post("/recuperation/mot-de-passe", form)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			kept := `value="` + e.agent.Email + `"`
			if tt.field != "" {
				checkFieldError(t, body, tt.field, tt.message, kept)
				return
			}
			if alert := section(t, body, `role="alert">`, `</p>`); !strings.Contains(alert, tt.message) {
				t.Errorf("the page says %q, want %q", alert, tt.message)
			}
			if strings.Contains(body, `aria-invalid="true"`) {
				t.Error("a field is marked invalid: the page must not say whether the address or the code was wrong")
			}
			if !strings.Contains(body, kept) {
				t.Errorf("the address did not come back")
			}
		})
	}
	e.browser().login(e.agent) // the old password still signs in
}
