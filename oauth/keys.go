package oauth

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/go-jose/go-jose/v4"

	"socle"
	"socle/audit"
)

// keySet is the signing keys in force, swapped atomically as a whole.
type keySet struct {
	activeKID string
	active    ed25519.PrivateKey // nil when the store holds no key yet
	verify    map[string]edKey   // kid -> public key, active and retired
	jwks      []byte             // the published JWK set, encoded once
}

// keyGrace is how long a retired key still verifies: the longest lifetime
// of a token it signed, plus the clock leeway.
func (s *Service) keyGrace() time.Duration { return s.cfg.TokenTTL + leeway }

func (s *Service) buildKeySet(stored []*socle.SigningKey) (*keySet, error) {
	ks := &keySet{verify: make(map[string]edKey, len(stored))}
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{}}
	for _, k := range stored { // newest first
		seed, err := s.openKey(k)
		if err != nil {
			return nil, err
		}
		priv := ed25519.NewKeyFromSeed(seed)
		pub := priv.Public().(ed25519.PublicKey)
		e := edKey{pub: pub}
		if !k.RetiredAt.IsZero() {
			e.until = k.RetiredAt.Add(s.keyGrace())
		} else if ks.active == nil {
			ks.activeKID, ks.active = k.KID, priv
		}
		ks.verify[k.KID] = e
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: pub, KeyID: k.KID, Algorithm: "EdDSA", Use: "sig"})
	}
	b, err := json.Marshal(set)
	if err != nil {
		return nil, fmt.Errorf("oauth: encoding the JWK set: %w", err)
	}
	ks.jwks = b
	return ks, nil
}

// setKeys installs a key set. Cached verifications are dropped, so that a
// key removed from the set stops verifying at once.
func (s *Service) setKeys(ks *keySet) {
	old := s.keys.Swap(ks)
	if old != nil && !sameKeys(old, ks) {
		s.cache.clear()
	}
}

func sameKeys(a, b *keySet) bool {
	if len(a.verify) != len(b.verify) {
		return false
	}
	for kid, k := range a.verify {
		if o, ok := b.verify[kid]; !ok || !o.until.Equal(k.until) {
			return false
		}
	}
	return true
}

// JWKS returns the public signing keys as a JWK set (RFC 7517): the active
// key and the retired keys whose tokens may not have expired yet.
func (s *Service) JWKS() []byte { return s.keys.Load().jwks }

// RotateKey creates a new signing key, which signs from now on; the
// previous key is retired but stays published and verifying until the
// tokens it signed have expired. It returns the new key id.
func (s *Service) RotateKey(ctx context.Context) (string, error) {
	s.rotateMu.Lock()
	defer s.rotateMu.Unlock()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", fmt.Errorf("oauth: generating a signing key: %w", err)
	}
	k := &socle.SigningKey{KID: randomString(12), CreatedAt: s.now().UTC()}
	if k.PrivateKey, k.Sealed, err = s.sealKey(k.KID, priv.Seed()); err != nil {
		return "", err
	}
	if err := s.store.CreateSigningKey(ctx, k); err != nil {
		return "", fmt.Errorf("oauth: storing the signing key: %w", err)
	}
	if err := s.Refresh(ctx); err != nil {
		return "", err
	}
	if err := s.audit(ctx, audit.Act{Action: "key_rotated", Allowed: true, ResourceKind: "signing_key", ResourceID: k.KID,
		Explanation: "Nouvelle clé de signature des jetons d'accès."}); err != nil {
		return k.KID, err
	}
	return k.KID, nil
}

// sealKey seals a seed with the key-encryption key when one is configured,
// binding it to its kid.
func (s *Service) sealKey(kid string, seed []byte) ([]byte, bool, error) {
	if s.cfg.KeyEncryptionKey == nil {
		return seed, false, nil
	}
	aead, err := s.keyAEAD()
	if err != nil {
		return nil, false, err
	}
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce)
	return aead.Seal(nonce, nonce, seed, []byte(kid)), true, nil
}

func (s *Service) openKey(k *socle.SigningKey) ([]byte, error) {
	if !k.Sealed {
		if len(k.PrivateKey) != ed25519.SeedSize {
			return nil, fmt.Errorf("oauth: signing key %s: malformed", k.KID)
		}
		return k.PrivateKey, nil
	}
	if s.cfg.KeyEncryptionKey == nil {
		return nil, fmt.Errorf("oauth: signing key %s is sealed and no key-encryption key is configured", k.KID)
	}
	aead, err := s.keyAEAD()
	if err != nil {
		return nil, err
	}
	if len(k.PrivateKey) < aead.NonceSize() {
		return nil, fmt.Errorf("oauth: signing key %s: malformed", k.KID)
	}
	n := aead.NonceSize()
	seed, err := aead.Open(nil, k.PrivateKey[:n], k.PrivateKey[n:], []byte(k.KID))
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("oauth: signing key %s: cannot unseal (wrong key-encryption key?)", k.KID)
	}
	return seed, nil
}

func (s *Service) keyAEAD() (cipher.AEAD, error) {
	block, err := aes.NewCipher(s.cfg.KeyEncryptionKey)
	if err != nil {
		return nil, fmt.Errorf("oauth: key-encryption key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, errors.Join(errors.New("oauth: key-encryption key"), err)
	}
	return aead, nil
}
