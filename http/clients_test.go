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
	"socle/identity"
	"socle/internal/stacktest"
	"socle/oauth"
	"socle/store/sqlstore"
	"socle/store/storetest"
)

// clientsEnv is a real server with the administration of the API clients:
// a département and a mission locale, the département's administrator, a
// platform administrator and an adviser, each signed in.
type clientsEnv struct {
	net                  *networkEnv
	db                   *sqlstore.DB
	ids                  *identity.Service
	auth                 *oauth.Service
	dep, ml              *socle.Organisation
	depAdmin, platform   *http.Client
	mlAdmin, depsAdviser *http.Client
}

func newClientsEnv(t *testing.T) *clientsEnv {
	t.Helper()
	ctx := context.Background()
	s := stacktest.New(t, stacktest.Options{})
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	ids := newIdentity(t, s.DB, s.Log, nil, logger)
	auth, err := oauth.New(ctx, s.DB, s.DB, s.Log, oauth.Config{Issuer: "https://socle.test", SecretKey: make([]byte, 32)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(NewServer(logger, Config{}, Services{Gate: s.Gate, Directory: s.DB, Identity: ids, Auth: ids, OAuth: auth}))
	t.Cleanup(srv.Close)
	e := &clientsEnv{net: &networkEnv{t: t, srv: srv}, db: s.DB, ids: ids, auth: auth,
		dep: storetest.NewOrganisation("Département du Rhône", socle.KindDepartement, "69"),
		ml:  storetest.NewOrganisation("Mission Locale de Lyon", socle.KindYouth, "69")}
	for _, o := range []*socle.Organisation{e.dep, e.ml} {
		if err := s.DB.CreateOrganisation(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	e.depAdmin = e.agent(e.dep, "admin@rhone.fr", socle.RoleOrgAdmin)
	e.platform = e.agent(e.ml, "plateforme@socle.fr", socle.RolePlatformAdmin)
	e.mlAdmin = e.agent(e.ml, "admin@ml-lyon.fr", socle.RoleOrgAdmin)
	e.depsAdviser = e.agent(e.dep, "conseil@rhone.fr", socle.RoleAdviser)
	return e
}

// agent creates an agent of org with roles and signs her in.
func (e *clientsEnv) agent(org *socle.Organisation, email string, roles ...socle.Role) *http.Client {
	e.net.t.Helper()
	a := storetest.NewAgent(org.ID, email)
	a.Roles = roles
	return e.net.enrolAndLogin(e.db, e.ids, a)
}

// token asks the real token endpoint for a token with a client's secret,
// and returns its status.
func (e *clientsEnv) token(id, secret string) int {
	e.net.t.Helper()
	resp, err := http.PostForm(e.net.srv.URL+"/oauth/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {id},
		"client_secret": {secret}, "scope": {"accompagnement:read"}})
	if err != nil {
		e.net.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

var shownSecret = regexp.MustCompile(`<code id="secret">(socle_cs_[^<]+)</code>`)

// TestAPIClientsAdminPages runs the operations of `socle client` through
// the pages: the form's errors next to their fields with the answers
// kept, a creation whose secret is shown once and works at the token
// endpoint, the client's page with its agreements, a renewed secret that
// replaces the old one, a disabled client that gets no token; another
// structure's administrator does not find the client, an adviser may not
// open the page.
func TestAPIClientsAdminPages(t *testing.T) {
	e := newClientsEnv(t)
	page := "/admin/clients"

	_, body := e.net.get(e.depAdmin, page, "")
	if !strings.Contains(body, e.dep.Name) || strings.Contains(body, e.ml.Name) {
		t.Errorf("a structure's administrator chooses among other structures than hers")
	}

	forms := []struct {
		name      string
		form      url.Values
		wantField string
		wantText  string
	}{
		{"nothing", url.Values{}, "erreur-nom", "Indiquez le nom du logiciel"},
		{"no scope", url.Values{"nom": {"Logiciel RSA"}}, "erreur-portees", "Cochez au moins une portée"},
		{"a scope no agreement grants", url.Values{"nom": {"Logiciel RSA"}, "portees": {"controle:export"}}, "erreur-portees", "aucune convention de cette structure"},
	}
	for _, tt := range forms {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := e.net.postForm(e.depAdmin, page, page, tt.form)
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", resp.StatusCode)
			}
			if !strings.Contains(body, `id="`+tt.wantField+`"`) || !strings.Contains(body, tt.wantText) || !strings.Contains(body, `aria-describedby="`+tt.wantField+`"`) {
				t.Errorf("the page lacks the error %s next to its field", tt.wantField)
			}
			if n := tt.form.Get("nom"); n != "" && !strings.Contains(body, `value="`+n+`"`) {
				t.Error("the name typed is lost")
			}
			for _, sc := range tt.form["portees"] {
				if !strings.Contains(body, `value="`+sc+`" checked`) {
					t.Errorf("the scope %s is no longer checked", sc)
				}
			}
		})
	}

	resp, body := e.net.postForm(e.depAdmin, page, page, url.Values{"nom": {"Logiciel RSA"}, "portees": {"accompagnement:read", "accompagnement:search"}})
	m := shownSecret.FindStringSubmatch(body)
	if resp.StatusCode != http.StatusCreated || m == nil {
		t.Fatalf("creation: %d, secret shown: %v", resp.StatusCode, m != nil)
	}
	secret := m[1]
	clients, err := e.auth.Clients(context.Background(), e.dep.ID)
	if err != nil || len(clients) != 1 {
		t.Fatalf("clients of the département: %v, %v", clients, err)
	}
	c := clients[0]
	if c.Name != "Logiciel RSA" || strings.Join(c.Scopes, " ") != "accompagnement:read accompagnement:search" {
		t.Errorf("client stored = %+v", c)
	}
	if got := e.token(c.ID, secret); got != http.StatusOK {
		t.Fatalf("token with the secret shown: %d", got)
	}
	_, body = e.net.get(e.depAdmin, page, "")
	if strings.Contains(body, secret) {
		t.Error("the list shows the secret again")
	}

	show := page + "/" + c.ID
	_, body = e.net.get(e.depAdmin, show, "")
	if !strings.Contains(body, `id="conventions-client"`) || !strings.Contains(body, "Accompagnement : consultation") || strings.Contains(body, secret) {
		t.Errorf("the client's page lacks its agreements or scopes, or shows the secret")
	}
	resp, body = e.net.postForm(e.depAdmin, show, show+"/secret", url.Values{})
	m = shownSecret.FindStringSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil || m[1] == secret {
		t.Fatalf("renewal: %d, new secret shown: %v", resp.StatusCode, m != nil)
	}
	if old, renewed := e.token(c.ID, secret), e.token(c.ID, m[1]); old != http.StatusUnauthorized || renewed != http.StatusOK {
		t.Errorf("token with the old secret: %d, with the new one: %d", old, renewed)
	}

	// Another structure's administrator does not find it; the platform's
	// does, and disables it.
	if resp, _ := e.net.get(e.mlAdmin, show, ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another structure's administrator opens the client: %d", resp.StatusCode)
	}
	if resp, _ := e.net.postForm(e.mlAdmin, page, show+"/desactiver", url.Values{}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another structure's administrator disables the client: %d", resp.StatusCode)
	}
	if resp, body := e.net.get(e.depsAdviser, page, ""); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "Administrateur") {
		t.Errorf("an adviser opens the clients' page: %d", resp.StatusCode)
	}
	resp, body = e.net.postForm(e.platform, show, show+"/desactiver", url.Values{})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Client désactivé") {
		t.Fatalf("disabling: %d", resp.StatusCode)
	}
	if got := e.token(c.ID, m[1]); got == http.StatusOK {
		t.Error("a disabled client still gets a token")
	}
}
