package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"socle"
	"socle/store/sqlstore"
)

// socleCmd runs a socle command line and returns its output.
func socleCmd(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), args, noEnv, &out, io.Discard)
	return out.String(), err
}

// demoStore generates a demo network of persons persons in a new data
// directory and opens its store, for the caller to close.
func demoStore(t *testing.T, persons string) (dir string, db *sqlstore.DB) {
	t.Helper()
	dir = t.TempDir()
	if out, err := socleCmd(t, "demo", "--data", dir, "--persons", persons); err != nil {
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
	dir, db := demoStore(t, "50")
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

	// With the scope, the policy decides: a client has no role, and the
	// partners' agreements name roles, so nothing is granted.
	status, body = token(t, base, searcher, searchSecret, "accompagnement:search")
	tok, _ = body["access_token"].(string)
	if status != http.StatusOK || tok == "" {
		t.Fatalf("token: %d %v", status, body)
	}
	status, text := searchPersons(t, base, tok)
	if status != http.StatusForbidden && status != http.StatusNotFound {
		t.Errorf("search refused by the policy: %d %s, want 403 or 404", status, text)
	}
	if strings.Contains(text, "scope") || strings.Contains(text, "Martin") {
		t.Errorf("the policy's refusal %s mentions the scope or shows data", text)
	}
}
