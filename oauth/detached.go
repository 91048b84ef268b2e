package oauth

import (
	"errors"
	"fmt"

	"github.com/go-jose/go-jose/v4"
)

// DetachedType is the typ of the detached signatures of webhook
// deliveries, so that a receiver never mistakes one for an access token.
const DetachedType = "socle-webhook+jws"

// SignDetached signs payload with the active signing key, the key the JWKS
// publishes, as a JWS with detached content (RFC 7515 appendix F):
// "header..signature", the payload travelling as the HTTP body. The
// protected header names the key (kid), the type DetachedType and the
// extra parameters given (a delivery id, a time), so that they are signed
// too.
func (s *Service) SignDetached(payload []byte, extra map[string]any) (string, error) {
	ks := s.keys.Load()
	if ks.active == nil {
		return "", errors.New("oauth: no active signing key")
	}
	opts := (&jose.SignerOptions{}).WithType(DetachedType).WithHeader(jose.HeaderKey("kid"), ks.activeKID)
	for k, v := range extra {
		opts = opts.WithHeader(jose.HeaderKey(k), v)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: ks.active}, opts)
	if err != nil {
		return "", fmt.Errorf("oauth: detached signer: %w", err)
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("oauth: signing: %w", err)
	}
	sig, err := obj.DetachedCompactSerialize()
	if err != nil {
		return "", fmt.Errorf("oauth: serialising the signature: %w", err)
	}
	return sig, nil
}
