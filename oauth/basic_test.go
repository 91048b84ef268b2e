package oauth_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"socle"
)

// HTTP Basic is a client's authentication at the token and revocation
// endpoints, which the server's authenticator must let through, and no
// credential anywhere else.
func TestAuthenticatorBasicOnlyAtTokenEndpoints(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		method, path string
		wantErr      bool
	}{
		{http.MethodPost, "/oauth/token", false},
		{http.MethodPost, "/oauth/revoke", false},
		{http.MethodGet, "/oauth/token", true},
		{http.MethodGet, "/api/v1/persons", true},
		{http.MethodPost, "/api/v1/persons", true},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.path, nil)
			r.SetBasicAuth("cli_x", "socle_cs_x")
			act, err := e.auth.Authenticate(r)
			if tt.wantErr {
				if socle.ErrorCode(err) != socle.EUNAUTHENTICATED {
					t.Fatalf("err = %v, want EUNAUTHENTICATED", err)
				}
				return
			}
			if err != nil || act.Authenticated() {
				t.Fatalf("actor %+v, err %v: want the anonymous actor, the endpoint checks the client", act, err)
			}
		})
	}
}
