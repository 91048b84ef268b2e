package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
)

// virtualAuthenticator gives the browser a platform passkey authenticator
// (CTAP2, internal, resident keys, user verification that succeeds).
func virtualAuthenticator(t *testing.T, ctx context.Context) {
	t.Helper()
	if _, err := chromedp.Call(ctx, webauthn.Enable, webauthn.EnableParams{}); err != nil {
		t.Fatalf("WebAuthn.enable: %v", err)
	}
	_, err := chromedp.Call(ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
		Options: &webauthn.VirtualAuthenticatorOptions{
			Protocol:                    webauthn.AuthenticatorProtocolCtap2,
			Transport:                   webauthn.AuthenticatorTransportInternal,
			HasResidentKey:              true,
			HasUserVerification:         true,
			IsUserVerified:              true,
			AutomaticPresenceSimulation: true,
		},
	})
	if err != nil {
		t.Fatalf("WebAuthn.addVirtualAuthenticator: %v", err)
	}
}

// step runs browser actions and fails the test with what the page's
// WebAuthn status line says, if anything.
func step(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		status, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.getElementById("webauthn-status")||{}).textContent||""`))
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		t.Fatalf("%s: %v (page %s, status %q)", what, err, loc, status)
	}
}

func TestBrowserPasskeyRegistrationAndLogin(t *testing.T) {
	ctx := browser(t)
	base, _, m := startDemo(t, "50", demoAccount, "account")
	// WebAuthn needs a secure context and a domain: http://localhost is both.
	base = strings.Replace(base, "127.0.0.1", "localhost", 1)
	email, secret := m[1], m[2]
	virtualAuthenticator(t, ctx)

	password := func() []chromedp.Action[chromedp.Void] { return passwordSteps(base, email) }

	// First login: password, then the TOTP code.
	step(t, ctx, "password", password()...)
	code := totpCode(t, secret)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!document.getElementById("webauthn-login")`)); err != nil {
		t.Fatal(err)
	}
	step(t, ctx, "TOTP", chromedp.SendKeys("#code", code),
		chromedp.Click(`form[action="/second-facteur"] button[type=submit]`),
		chromedp.WaitNotPresent("#code"),
		chromedp.WaitVisible("main h1"))

	// Register a passkey from the sessions page.
	step(t, ctx, "passkey registration",
		chromedp.Navigate(base+"sessions"),
		chromedp.WaitVisible("#webauthn-register"),
		chromedp.Clear("#webauthn-nom"),
		chromedp.SendKeys("#webauthn-nom", "Passkey de test"),
		chromedp.Click("#webauthn-register"),
		chromedp.WaitVisible("#cles"))
	if keys := text(t, ctx, "#cles"); !strings.Contains(keys, "Passkey de test") {
		t.Errorf("the key list shows %q", keys)
	}

	// Log out, then log in with the password and the passkey.
	step(t, ctx, "logout",
		chromedp.Click(`.fr-header__tools form[action="/deconnexion"] button`),
		chromedp.WaitVisible("#email"))
	step(t, ctx, "password again", password()...)
	step(t, ctx, "passkey login",
		chromedp.WaitVisible("#webauthn-login"),
		chromedp.Click("#webauthn-login"),
		// The agent's home.
		chromedp.WaitVisible("#acces-rapide"))

	step(t, ctx, "sessions page", chromedp.Navigate(base+"sessions"), chromedp.WaitVisible("td.methode"))
	methods, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("td.methode"), td => td.textContent.trim())`))
	if err != nil {
		t.Fatal(err)
	}
	if len(methods) != 1 || methods[0] != "webauthn" {
		t.Errorf("the live sessions have methods %q, want one webauthn session (the TOTP one ended at logout)", methods)
	}
}
