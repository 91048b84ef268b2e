package http

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"socle"
	"socle/internal/oidctest"
	"socle/internal/stacktest"
	"socle/space"
	"socle/store/storetest"
)

// TestFranceConnectPages runs FranceConnect through the person's pages: the
// sign-in page offers it, an exact match lands on her file with a session,
// and an identity that matches no record gets a French explanation and no
// session.
func TestFranceConnectPages(t *testing.T) {
	ctx := context.Background()
	stack := stacktest.New(t, stacktest.Options{Unsealed: true})
	st, log := stack.DB, stack.Log
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	ref := func(id string) string { return "ref-" + id }
	svc, err := space.New(st, log, &recordingMailer{}, logger, space.Config{BaseURL: "http://socle.test", Key: []byte("a form key of 32 bytes, at least"), PersonRef: ref})
	if err != nil {
		t.Fatal(err)
	}
	alice := storetest.NewPerson(1)
	alice.Health, alice.Justice, alice.Bank = nil, nil, nil
	if err := st.CreatePerson(ctx, alice); err != nil {
		t.Fatal(err)
	}
	var h http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	callback := srv.URL + "/usager/franceconnect/retour"
	op := oidctest.NewFederation(oidctest.FranceConnect, "socle", "fc-secret", callback, "")
	t.Cleanup(op.Close)
	fc, err := space.NewFranceConnect(ctx, svc, st, space.FranceConnectConfig{Issuer: op.URL, ClientID: "socle", ClientSecret: "fc-secret", RedirectURL: callback})
	if err != nil {
		t.Fatal(err)
	}
	g := stack.Gate
	g.PersonRef = ref
	ids := newIdentity(t, st, log, nil, logger)
	h = NewServer(logger, Config{}, Services{Gate: g, Directory: st, Identity: ids, Space: svc, FranceConnect: fc, Auth: FirstOf(ids, svc)})

	client := &http.Client{CheckRedirect: stopRedirects}
	get := func(u string, cookies []*http.Cookie) *http.Response {
		t.Helper()
		return sendWithCookies(t, client, http.MethodGet, u, nil, cookies)
	}
	body := func(resp *http.Response) string { b, _ := io.ReadAll(resp.Body); return string(b) }

	if page := body(get(srv.URL+"/usager", nil)); !strings.Contains(page, `href="/usager/franceconnect"`) {
		t.Fatal("the sign-in page does not offer FranceConnect")
	}
	identityOf := func(sub string, p *socle.Person) oidctest.User {
		return oidctest.User{Subject: sub, GivenName: p.Identity.GivenName, FamilyName: p.Identity.FamilyName, Birthdate: p.Identity.BirthDate.String(),
			Birthplace: p.Identity.NIR[5:10], Gender: map[string]string{"F": "female", "M": "male"}[p.Identity.Sex]}
	}
	stranger := identityOf("fc-2", alice)
	stranger.FamilyName = "Inconnue"
	tests := []struct {
		name   string
		user   oidctest.User
		status int
		want   string // in the page, or the redirect
	}{
		{name: "exact match", user: identityOf("fc-1", alice), status: http.StatusSeeOther, want: "/usager/dossier"},
		{name: "no match", user: stranger, status: http.StatusForbidden, want: "Un conseiller va vérifier votre dossier"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op.SignIn(tt.user)
			start := get(srv.URL+"/usager/franceconnect", nil)
			atOP := get(start.Header.Get("Location"), nil)
			back := get(atOP.Header.Get("Location"), start.Cookies())
			if back.StatusCode != tt.status {
				t.Fatalf("return: %d, want %d: %s", back.StatusCode, tt.status, body(back))
			}
			var session *http.Cookie
			for _, c := range back.Cookies() {
				if c.Name == svc.CookieName() && c.Value != "" {
					session = c
				}
			}
			if tt.status != http.StatusSeeOther {
				if page := body(back); !strings.Contains(page, tt.want) || session != nil {
					t.Fatalf("refusal page (session %v): %s", session, page)
				}
				return
			}
			if back.Header.Get("Location") != tt.want || session == nil {
				t.Fatalf("lands on %q with session %v", back.Header.Get("Location"), session)
			}
			if file := get(srv.URL+"/usager/dossier", []*http.Cookie{session}); file.StatusCode != http.StatusOK {
				t.Fatalf("her file: %d", file.StatusCode)
			}
		})
	}

	// An administrator links the unmatched login to the record of the NIR
	// she reads on the person's documents; an adviser may not.
	org := storetest.NewOrganisation("Mission Locale de Lyon", socle.KindYouth, "69")
	if err := st.CreateOrganisation(ctx, org); err != nil {
		t.Fatal(err)
	}
	staff := &networkEnv{t: t, srv: srv}
	browsers := map[socle.Role]*http.Client{}
	for _, role := range []socle.Role{socle.RolePlatformAdmin, socle.RoleAdviser} {
		a := storetest.NewAgent(org.ID, string(role)+"@ml-lyon.fr")
		a.Roles = []socle.Role{role}
		browsers[role] = staff.enrolAndLogin(st, ids, a)
	}
	if resp, _ := staff.get(browsers[socle.RoleAdviser], "/verifications-identite", ""); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("an adviser sees the identity checks: %d", resp.StatusCode)
	}
	_, page := staff.get(browsers[socle.RolePlatformAdmin], "/verifications-identite", "")
	m := regexp.MustCompile(`action="(/verifications-identite/[^"]+)"`).FindStringSubmatch(page)
	if m == nil || !strings.Contains(page, "Inconnue") {
		t.Fatalf("the open check is not listed: %s", page)
	}
	csrf := csrfInput.FindStringSubmatch(page)[1]
	resolve := func(nir string) (int, string) {
		resp, err := browsers[socle.RolePlatformAdmin].PostForm(srv.URL+m[1], url.Values{"csrf": {csrf}, "decision": {"rattacher"}, "nir": {nir}})
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		return resp.StatusCode, body(resp)
	}
	if status, page := resolve(storetest.NIR(7)); status != http.StatusUnprocessableEntity || !strings.Contains(page, "Aucun dossier unique ne porte ce NIR") {
		t.Fatalf("a NIR of no record: %d %s", status, page)
	}
	if status, page := resolve(alice.Identity.NIR); status != http.StatusOK || !strings.Contains(page, "rattaché au dossier") {
		t.Fatalf("linking: %d %s", status, page)
	}
	op.SignIn(stranger)
	start := get(srv.URL+"/usager/franceconnect", nil)
	back := get(get(start.Header.Get("Location"), nil).Header.Get("Location"), start.Cookies())
	if back.StatusCode != http.StatusSeeOther || back.Header.Get("Location") != "/usager/dossier" {
		t.Fatalf("after the check, FranceConnect login: %d %s", back.StatusCode, back.Header.Get("Location"))
	}
}
