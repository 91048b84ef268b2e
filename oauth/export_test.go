package oauth

import "github.com/golang-jwt/jwt/v5"

// SignWithActiveKey signs claims with the service's active key and the
// given header fields, so that tests can forge tokens that only differ
// from genuine ones by what they test.
func SignWithActiveKey(s *Service, claims jwt.Claims, header map[string]any) string {
	ks := s.keys.Load()
	t := jwt.NewWithClaims(jwt.SigningMethodEdDSA, claims)
	t.Header["kid"] = ks.activeKID
	t.Header["typ"] = accessTokenType
	for k, v := range header {
		if v == nil {
			delete(t.Header, k)
		} else {
			t.Header[k] = v
		}
	}
	signed, err := t.SignedString(ks.active)
	if err != nil {
		panic(err)
	}
	return signed
}

// ActiveKID returns the id of the active signing key.
func ActiveKID(s *Service) string { return s.keys.Load().activeKID }

// VerifyUncached verifies a token as Verify does on a cache miss: the
// signature and claims every time.
func VerifyUncached(s *Service, token string) error {
	_, err := s.parseAccess(token)
	return err
}
