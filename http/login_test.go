package http

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"socle"
	"socle/identity"
	"socle/internal/stacktest"
	"socle/store/storetest"
)

// tryLogin posts an address and a password to the login page as a new
// browser and returns the status and the page.
func (e *networkEnv) tryLogin(email, password string) (int, string) {
	e.t.Helper()
	c := browserClient()
	resp, page := e.postForm(c, "/connexion", "/connexion", url.Values{"email": {email}, "password": {password}})
	return resp.StatusCode, page
}

// TestLoginWithoutFactorAnswersLikeAWrongPassword: the right password of an
// account with no second factor yet answered 403 "no second factor", a
// wrong one 401: whoever held the password learnt the account was not
// enrolled. Both now answer the same.
func TestLoginWithoutFactorAnswersLikeAWrongPassword(t *testing.T) {
	e := newNetworkEnv(t)
	ctx := context.Background()
	a := storetest.NewAgent(e.actors[socle.KindYouth].OrganisationID, "nouvelle@ml.fr")
	if err := e.db.CreateAgent(ctx, a); err != nil {
		t.Fatal(err)
	}
	hash, err := identity.HashPassword(testPassword, cheapPasswords)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.db.SetPassword(ctx, a.ID, hash); err != nil {
		t.Fatal(err)
	}
	rightStatus, rightPage := e.tryLogin(a.Email, testPassword)
	wrongStatus, wrongPage := e.tryLogin(a.Email, "mauvais mot de passe du tout")
	if rightStatus != wrongStatus || rightStatus != http.StatusUnauthorized || !strings.Contains(rightPage, "Adresse ou mot de passe incorrect") ||
		strings.Contains(rightPage, "second facteur n") || strings.Contains(wrongPage, "second facteur n") {
		t.Errorf("right password without factor: %d, wrong password: %d; want the same 401 and message", rightStatus, wrongStatus)
	}
}

// TestStaffLoginIsUnavailableWithoutTheAuditLog: with the audit store
// broken, staff login answered 500 where every other endpoint answers 503.
func TestStaffLoginIsUnavailableWithoutTheAuditLog(t *testing.T) {
	e := newNetworkEnv(t)
	stacktest.BreakAuditStore(t, e.dir)
	status, page := e.tryLogin("agenta@example.fr", testPassword)
	if status != http.StatusServiceUnavailable || !strings.Contains(page, "journal des accès") {
		t.Errorf("login with the audit log broken: %d, want 503 saying why", status)
	}
}
