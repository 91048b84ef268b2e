package identity

import (
	"bufio"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"socle"
)

// Params is the cost of argon2id.
type Params struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
}

// DefaultParams is the production cost: above OWASP's floor (19 MiB, t=2,
// p=1), tuned so that one hash takes 50–100 ms on the 2-core reference
// machine: 48 MiB, t=2 measured at ~62 ms (see BenchmarkPasswordHash).
var DefaultParams = Params{MemoryKiB: 48 * 1024, Time: 2, Threads: 1}

// MinParams is OWASP's floor; Validate refuses anything cheaper outside tests.
var MinParams = Params{MemoryKiB: 19 * 1024, Time: 2, Threads: 1}

// MinPasswordLength is the minimum number of characters of a password.
const MinPasswordLength = 12

// maxPasswordLength bounds the work of one hash (argon2 reads it all).
const maxPasswordLength = 256

const saltLen, keyLen = 16, 32

var b64 = base64.RawStdEncoding

// HashPassword returns the PHC string of password under p:
// $argon2id$v=19$m=65536,t=2,p=1$salt$hash.
func HashPassword(password string, p Params) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword reports whether password matches the PHC string, and the
// parameters the hash was made with (to rehash when they are outdated).
func VerifyPassword(password, phc string) (bool, Params, error) {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, Params{}, fmt.Errorf("password hash: not an argon2id PHC string")
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return false, Params{}, fmt.Errorf("password hash: unsupported version")
	}
	var p Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil {
		return false, Params{}, fmt.Errorf("password hash: parameters: %w", err)
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, Params{}, fmt.Errorf("password hash: salt: %w", err)
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil {
		return false, Params{}, fmt.Errorf("password hash: key: %w", err)
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, p, nil
}

//go:embed common-passwords.txt
var builtinCommon string

func commonPasswords(extra []string) map[string]bool {
	m := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(builtinCommon))
	for sc.Scan() {
		if w := strings.TrimSpace(sc.Text()); w != "" && !strings.HasPrefix(w, "#") {
			m[strings.ToLower(w)] = true
		}
	}
	for _, w := range extra {
		m[strings.ToLower(strings.TrimSpace(w))] = true
	}
	return m
}

// CheckPassword applies the password policy: at least 12 characters, not a
// common password (nor one with only digits or symbols added to one), not
// built on the agent's own name or address.
func (s *Service) CheckPassword(password string, a *socle.Agent) error {
	n := utf8.RuneCountInString(password)
	if n < MinPasswordLength {
		return socle.Errorf(socle.EINVALID, "Le mot de passe doit compter au moins %d caractères.", MinPasswordLength)
	}
	if len(password) > maxPasswordLength {
		return socle.Errorf(socle.EINVALID, "Le mot de passe doit compter au plus %d octets.", maxPasswordLength)
	}
	low := strings.ToLower(password)
	core := strings.TrimFunc(low, func(r rune) bool { return r < 'a' || r > 'z' })
	if s.common[low] || s.common[core] || repetitive(low) {
		return socle.Errorf(socle.EINVALID, "Ce mot de passe est trop courant : choisissez-en un autre, par exemple une phrase de plusieurs mots.")
	}
	if a != nil {
		local, _, _ := strings.Cut(strings.ToLower(a.Email), "@")
		for _, w := range []string{local, strings.ToLower(a.GivenName), strings.ToLower(a.FamilyName)} {
			if len(w) >= 4 && strings.Contains(low, w) && len(core) <= len(w)+3 {
				return socle.Errorf(socle.EINVALID, "Le mot de passe ne doit pas reprendre votre nom ou votre adresse.")
			}
		}
	}
	return nil
}

// repetitive reports whether s is one character repeated or one short
// pattern repeated (aaaaaaaaaaaa, abcabcabcabc).
func repetitive(s string) bool {
	for l := 1; l <= 4 && l < len(s); l++ {
		if strings.Repeat(s[:l], len(s)/l+1)[:len(s)] == s {
			return true
		}
	}
	return false
}
