package main

import (
	"context"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"
)

var (
	// demoAccount is a demo account line of serve --demo: e-mail, TOTP secret.
	demoAccount     = regexp.MustCompile(`(?m)^\s+(\S+@\S+)\s+TOTP (\S+)`)
	demoPersonEmail = regexp.MustCompile(`avec l'adresse (\S+) `)
	demoLink        = regexp.MustCompile(`https?://\S+/usager/connexion\?jeton=[A-Za-z0-9_-]+`)
)

// passwordSteps opens the login page and submits email's demo password, up
// to the second factor's form.
func passwordSteps(base, email string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(base + "connexion"),
		chromedp.WaitVisible("#email"),
		chromedp.SendKeys("#email", email),
		chromedp.SendKeys("#password", demoPassword),
		chromedp.Click(`form[action="/connexion"] button[type=submit]`),
		chromedp.WaitVisible("#code"),
	}
}

// usedTOTPSteps remembers, per secret, the last time step whose code a
// test sent: the server refuses a code once used (replay), so a second
// sign-in of the same account must take a later step.
var usedTOTPSteps = struct {
	sync.Mutex
	last map[string]int64
}{last: map[string]int64{}}

// totpCode is a TOTP code of secret the server has not seen yet: the
// current step's, or the step after the last one used, which the
// server's skew of one step accepts; when even that is too far ahead it
// waits for the clock to catch up.
func totpCode(t *testing.T, secret string) string {
	t.Helper()
	usedTOTPSteps.Lock()
	defer usedTOTPSteps.Unlock()
	const period = 30
	now := time.Now().Unix() / period
	s := max(now, usedTOTPSteps.last[secret]+1)
	if s > now+1 {
		time.Sleep(time.Until(time.Unix((s-1)*period, 0)))
	}
	usedTOTPSteps.last[secret] = s
	code, err := totp.GenerateCode(secret, time.Unix(s*period, 0))
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// staffLogin signs a demo account in with its password and TOTP code, the
// secret read from the demo's output out.
func staffLogin(t *testing.T, ctx context.Context, base, out, email string) {
	t.Helper()
	m := regexp.MustCompile(`(?m)^\s+` + regexp.QuoteMeta(email) + `\s+TOTP (\S+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no TOTP secret printed for %s", email)
	}
	step(t, ctx, "password of "+email, passwordSteps(base, email)...)
	step(t, ctx, "TOTP of "+email, chromedp.SendKeys("#code", totpCode(t, m[1])),
		chromedp.Click(`form[action="/second-facteur"] button[type=submit]`),
		// The second factor's page has a heading too: wait until it is
		// gone, lest its redirect abort the caller's next navigation.
		chromedp.WaitNotPresent("#code"),
		chromedp.WaitVisible("main h1"))
}

// requestPersonLink asks the person space for a login link for email and
// returns the link of the mail the demo then prints on out.
func requestPersonLink(t *testing.T, ctx context.Context, base, email string, out *syncBuffer) string {
	t.Helper()
	printed := len(demoLink.FindAllString(out.String(), -1))
	step(t, ctx, "person's link request",
		chromedp.Navigate(base+"usager"),
		chromedp.WaitVisible("#email"),
		chromedp.SendKeys("#email", email),
		chromedp.Click(`form[action="/usager/lien"] button[type=submit]`),
		chromedp.WaitVisible("p.info"))
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if links := demoLink.FindAllString(out.String(), -1); len(links) > printed {
			return links[len(links)-1]
		}
	}
	t.Fatalf("no mail with a link was printed:\n%s", out)
	return ""
}
