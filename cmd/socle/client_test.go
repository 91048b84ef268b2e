package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"socle"
	"socle/store/auditsql"
	"socle/store/sqlstore"
)

// socleCmd runs a socle command line and returns its output.
func socleCmd(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), args, noEnv, &out, io.Discard)
	return out.String(), err
}

// demoStore generates a demo network of n persons in a new data directory
// and opens its store, to be closed before a server opens it.
func demoStore(t *testing.T, n int) (string, *sqlstore.DB) {
	t.Helper()
	dir := t.TempDir()
	if out, err := socleCmd(t, "demo", "--data", dir, "--persons", strconv.Itoa(n)); err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	db, err := openStore(context.Background(), storeFlags{data: dir})
	if err != nil {
		t.Fatal(err)
	}
	return dir, db
}

// partnerOrg generates a demo network in a new data directory and returns
// the directory and the id of one partner organisation.
func partnerOrg(t *testing.T) (dir, orgID string) {
	t.Helper()
	dir, db := demoStore(t, 50)
	defer db.Close()
	ctx := context.Background()
	orgs, err := db.Organisations(ctx, socle.OrganisationFilter{Kind: socle.KindPartner, Limit: 1})
	if err != nil || len(orgs) == 0 {
		t.Fatalf("no partner organisation in the demo network: %v", err)
	}
	return dir, orgs[0].ID
}

var (
	clientIDLine     = regexp.MustCompile(`(?m)^client_id: (\S+)$`)
	clientSecretLine = regexp.MustCompile(`(?m)^client_secret: (\S+)$`)
)

// createClient creates a client with a secret through the CLI.
func createClient(t *testing.T, dir, org, scopes string) (id, secret string) {
	t.Helper()
	out, err := socleCmd(t, "client", "create", "--data", dir, "--org", org, "--name", "SI partenaire "+scopes, "--scopes", scopes)
	if err != nil {
		t.Fatalf("client create: %v\n%s", err, out)
	}
	id, secret = firstGroup(clientIDLine, out), firstGroup(clientSecretLine, out)
	if id == "" || secret == "" {
		t.Fatalf("client create printed no id or secret:\n%s", out)
	}
	return id, secret
}

func firstGroup(re *regexp.Regexp, s string) string {
	if m := re.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	return ""
}

func TestClientCreateRefusals(t *testing.T) {
	dir, org := partnerOrg(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown organisation", []string{"--org", "org_nope", "--name", "X", "--scopes", "accompagnement:read"}, "unknown organisation"},
		{"scope beyond the agreements", []string{"--org", org, "--name", "X", "--scopes", "accompagnement:read indemnisation:read"}, `"indemnisation:read" is not allowed`},
		{"malformed scope", []string{"--org", org, "--name", "X", "--scopes", "accompagnement"}, `"accompagnement" is not <purpose>:<action>`},
		{"missing scopes", []string{"--org", org, "--name", "X"}, "--scopes is required"},
		{"secret and key", []string{"--org", org, "--name", "X", "--scopes", "accompagnement:read", "--secret", "--jwk", "k.json"}, "exclude each other"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := socleCmd(t, append([]string{"client", "create", "--data", dir}, tt.args...)...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q (output %q)", err, tt.want, out)
			}
			if strings.Contains(out, "client_secret") {
				t.Errorf("a refused client printed a secret: %q", out)
			}
		})
	}
	for _, args := range [][]string{{"client"}, {"client", "frobnicate"}, {"client", "disable"}, {"client", "revoke", "jti"}} {
		if _, err := socleCmd(t, append(args, "--data", dir)...); !errors.As(err, new(usageError)) {
			t.Errorf("%v: err = %v, want a usage error", args, err)
		}
	}
	if _, err := socleCmd(t, "client", "disable", "cli_nope", "--data", dir); err == nil || !strings.Contains(err.Error(), `no client "cli_nope"`) {
		t.Errorf("disabling an unknown client: %v", err)
	}
}

// token asks the running server for a token with client credentials.
func token(t *testing.T, base, id, secret, scope string) (int, map[string]any) {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {scope}}
	req, err := http.NewRequest(http.MethodPost, base+"oauth/token", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	return doJSON(t, req)
}

func doJSON(t *testing.T, req *http.Request) (int, map[string]any) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("%s %s: %d, body not JSON: %v", req.Method, req.URL, resp.StatusCode, err)
	}
	return resp.StatusCode, body
}

func searchPersons(t *testing.T, base, accessToken string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+"api/v1/persons?purpose=accompagnement&family_name=Martin", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	status, body := doJSON(t, req)
	b, _ := json.Marshal(body)
	return status, string(b)
}

func TestClientCLIThenAPI(t *testing.T) {
	dir, org := partnerOrg(t)
	readOnly, readSecret := createClient(t, dir, org, "accompagnement:read")
	searcher, searchSecret := createClient(t, dir, org, "accompagnement:search accompagnement:read")
	disabled, disabledSecret := createClient(t, dir, org, "accompagnement:read")
	if out, err := socleCmd(t, "client", "disable", disabled, "--data", dir); err != nil || !strings.Contains(out, "disabled") {
		t.Fatalf("client disable: %v %q", err, out)
	}
	out, err := socleCmd(t, "client", "rotate-key", "--data", dir)
	kid := firstGroup(regexp.MustCompile(`new signing key (\S+);`), out)
	if err != nil || kid == "" {
		t.Fatalf("client rotate-key: %v %q", err, out)
	}

	// A real deployment needs a mail relay; this test sends no mail.
	base, _ := startServer(t, "--data", dir, "--smtp-addr", "127.0.0.1:1", "--smtp-from", "socle@example.fr", "--smtp-plain-localhost")
	resp, err := http.Get(base + ".well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	jwks, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(jwks), `"`+kid+`"`) {
		t.Errorf("the JWKS does not publish the rotated key %s: %s", kid, jwks)
	}

	if status, body := token(t, base, disabled, disabledSecret, "accompagnement:read"); status != http.StatusUnauthorized || body["error"] != "invalid_client" {
		t.Errorf("a disabled client got %d %v, want 401 invalid_client", status, body)
	}
	if status, body := token(t, base, readOnly, "socle_cs_wrong", "accompagnement:read"); status != http.StatusUnauthorized {
		t.Errorf("a wrong secret got %d %v", status, body)
	}

	// A token without the search scope: the gate refuses and names the scope.
	status, body := token(t, base, readOnly, readSecret, "accompagnement:read")
	tok, _ := body["access_token"].(string)
	if status != http.StatusOK || tok == "" {
		t.Fatalf("token: %d %v", status, body)
	}
	if status, text := searchPersons(t, base, tok); status != http.StatusForbidden || !strings.Contains(text, "accompagnement:search") {
		t.Errorf("search without the scope: %d %s, want 403 naming accompagnement:search", status, text)
	}

	// With the scope, the policy decides: the partner's system is granted
	// what its advisers are, the persons its organisation follows.
	status, body = token(t, base, searcher, searchSecret, "accompagnement:search")
	tok, _ = body["access_token"].(string)
	if status != http.StatusOK || tok == "" {
		t.Fatalf("token: %d %v", status, body)
	}
	status, text := searchPersons(t, base, tok)
	if status != http.StatusOK {
		t.Errorf("search by a partner's system: %d %s, want 200", status, text)
	}
}

// departementNetwork generates a demo network and returns a département,
// a person it follows and one it does not follow and who is not an RSA
// beneficiary of its territory.
func departementNetwork(t *testing.T) (dir, orgID, followed, stranger string) {
	t.Helper()
	dir, db := demoStore(t, 120)
	defer db.Close()
	ctx := context.Background()
	persons, err := db.SearchPersons(ctx, socle.PersonQuery{Limit: 120}, socle.AllCategories)
	if err != nil {
		t.Fatal(err)
	}
	deps := map[string]bool{}
	orgs, err := db.Organisations(ctx, socle.OrganisationFilter{Kind: socle.KindDepartement, Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range orgs {
		deps[o.ID] = true
	}
	followers := map[string][]string{}
	for _, p := range persons {
		fs, err := db.Followups(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fs {
			if f.End.IsZero() {
				followers[p.ID] = append(followers[p.ID], f.OrganisationID)
			}
		}
	}
	for _, p := range persons {
		for _, o := range followers[p.ID] {
			if deps[o] && orgID == "" {
				orgID, followed = o, p.ID
			}
		}
	}
	if orgID == "" {
		t.Fatal("no département follows anyone in the demo network")
	}
	for _, p := range persons {
		if !slices.Contains(followers[p.ID], orgID) {
			stranger = p.ID
			break
		}
	}
	return dir, orgID, followed, stranger
}

func readPerson(t *testing.T, base, accessToken, personID, purpose string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+"api/v1/persons/"+personID+"?purpose="+purpose, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	return doJSON(t, req)
}

// TestDepartementClientReadsWhatItsAdvisersRead: a département's system
// reads a person the département follows, audited with the client as
// principal, and not a person it does not follow; a purpose its agreement
// does not grant to systems is refused with the reason.
func TestDepartementClientReadsWhatItsAdvisersRead(t *testing.T) {
	dir, org, followed, stranger := departementNetwork(t)
	id, secret := createClient(t, dir, org, "accompagnement:read")
	out, err := socleCmd(t, "client", "create", "--data", dir, "--org", org, "--name", "Contrôle", "--scopes", "controle:read")
	if err == nil || !strings.Contains(err.Error(), `"controle:read" is not allowed by any agreement`) {
		t.Errorf("a scope the agreements grant to managers only: %v %q", err, out)
	}

	// list, show and rotate-secret.
	out, err = socleCmd(t, "client", "list", "--data", dir, "--org", org)
	if err != nil || !strings.Contains(out, id) || !strings.Contains(out, "accompagnement:read") || strings.Count(out, "\n") != 2 {
		t.Errorf("client list --org: %v\n%s", err, out)
	}
	out, err = socleCmd(t, "client", "show", id, "--data", dir)
	if err != nil || !strings.Contains(out, "dep-accompagnement: purpose accompagnement, population suivies") ||
		strings.Contains(out, "dep-controle") || clientSecretLine.MatchString(out) {
		t.Errorf("client show: %v\n%s", err, out)
	}
	if _, err := socleCmd(t, "client", "show", "cli_nope", "--data", dir); err == nil || !strings.Contains(err.Error(), `no client "cli_nope"`) {
		t.Errorf("client show of an unknown client: %v", err)
	}
	out, err = socleCmd(t, "client", "rotate-secret", id, "--data", dir)
	oldSecret := secret
	if secret = firstGroup(clientSecretLine, out); err != nil || secret == "" || secret == oldSecret {
		t.Fatalf("client rotate-secret: %v\n%s", err, out)
	}

	base, _ := startServer(t, "--data", dir, "--smtp-addr", "127.0.0.1:1", "--smtp-from", "socle@example.fr", "--smtp-plain-localhost")
	if status, body := token(t, base, id, oldSecret, "accompagnement:read"); status != http.StatusUnauthorized {
		t.Errorf("the secret before rotation: %d %v, want 401", status, body)
	}
	status, body := token(t, base, id, secret, "accompagnement:read")
	tok, _ := body["access_token"].(string)
	if status != http.StatusOK || tok == "" {
		t.Fatalf("token: %d %v", status, body)
	}
	if status, body := readPerson(t, base, tok, followed, "accompagnement"); status != http.StatusOK || body["id"] != followed {
		t.Errorf("reading a followed person: %d %v, want 200", status, body)
	}
	// Like an adviser's, a refused read answers as if the person did not
	// exist, so that nobody learns who is in the network.
	if status, body := readPerson(t, base, tok, stranger, "accompagnement"); status != http.StatusNotFound {
		t.Errorf("reading a person the département does not follow: %d %v, want 404", status, body)
	}
	if status, body := readPerson(t, base, tok, followed, "controle"); status != http.StatusForbidden ||
		!strings.Contains(fmt.Sprint(body), "controle:read") {
		t.Errorf("reading for a purpose outside the token: %d %v, want 403 naming the scope", status, body)
	}
	if status, body := token(t, base, id, secret, "controle:read"); status != http.StatusBadRequest || body["error"] != "invalid_scope" {
		t.Errorf("token for a purpose outside the agreement: %d %v, want 400 invalid_scope", status, body)
	}

	if allowed, denied := clientPersonAccesses(t, dir, org, id, ""); allowed != 1 || denied < 1 {
		t.Errorf("audit log of the client: %d allowed, %d denied reads, want 1 and at least 1", allowed, denied)
	}
}

// clientPersonAccesses counts the accesses to persons (of action, or any
// when empty) the audit log of the data directory records for the
// client of organisation org, allowed and denied; each must name the
// client and no agent.
func clientPersonAccesses(t *testing.T, dir, org, clientID string, action socle.Action) (allowed, denied int) {
	t.Helper()
	ctx := context.Background()
	db, err := openStore(ctx, storeFlags{data: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	hits, err := auditsql.New(db).AuditSearch(ctx, socle.AuditQuery{OrganisationID: org, Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hits {
		if h.Event.ClientID != clientID || h.Event.ResourceKind != string(socle.ResourcePerson) || action != "" && h.Event.Action != string(action) {
			continue
		}
		if h.Event.AgentID != "" {
			t.Errorf("a client's access recorded an agent: %+v", h.Event)
		}
		if h.Event.Allowed {
			allowed++
		} else {
			denied++
		}
	}
	return allowed, denied
}
