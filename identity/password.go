package identity

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"

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

// CheckPassword applies the password policy, as NIST SP 800-63B asks: at
// least 12 characters, not a common password (nor one with only digits or
// symbols added to one), and not built from context words — the service,
// the network, the agent's organisation and its city, her name and
// address, the year — so that what is left once they are taken out is
// still a password of its own.
func (s *Service) CheckPassword(ctx context.Context, password string, a *socle.Agent) error {
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
	words, err := s.contextWords(ctx, a)
	if err != nil {
		return err
	}
	if own := withoutContext(password, words); utf8.RuneCountInString(own) < minOwn || repetitive(own) || s.common[own] {
		return socle.Errorf(socle.EINVALID, "Le mot de passe ne doit pas reposer sur le nom du service, de votre structure ou de sa ville, votre nom, votre adresse ou l'année : choisissez plutôt une phrase de plusieurs mots à vous.")
	}
	return nil
}

// minOwn is how many letters and digits a password keeps once its context
// words are taken out.
const minOwn = 8

// networkWords name the service and the network in every context.
var networkWords = []string{"socle", "france", "travail", "emploi", "pole", "mission", "locale", "departement", "motdepasse", "password"}

// contextWords lists the words of the password's context, normalised: the
// service (its name, the site's host), the network, the agent's names,
// address and organisation (whose name holds its city), the years around
// now.
func (s *Service) contextWords(ctx context.Context, a *socle.Agent) ([]string, error) {
	words := append([]string{}, networkWords...)
	add := func(text string) {
		for _, w := range strings.FieldsFunc(normalizeWord(text), func(r rune) bool { return !unicode.IsLetter(r) }) {
			if utf8.RuneCountInString(w) >= 3 {
				words = append(words, w)
			}
		}
	}
	add(s.cfg.Issuer)
	if u, err := url.Parse(s.cfg.BaseURL); err == nil {
		add(strings.TrimSuffix(u.Hostname(), ".fr"))
	}
	if a != nil {
		add(a.GivenName)
		add(a.FamilyName)
		add(a.Email)
		if a.OrganisationID != "" {
			org, err := s.store.Organisation(ctx, a.OrganisationID)
			if err != nil && socle.ErrorCode(err) != socle.ENOTFOUND {
				return nil, fmt.Errorf("reading the organisation for the password check: %w", err)
			}
			if org != nil {
				add(org.Name)
			}
		}
	}
	year := s.Now().Year()
	for y := year - 1; y <= year+1; y++ {
		words = append(words, strconv.Itoa(y))
	}
	// Longest first, so that "lyonnais" goes before "lyon".
	slices.SortFunc(words, func(x, y string) int { return len(y) - len(x) })
	return words, nil
}

// withoutContext returns the letters and digits of password left once the
// context words are taken out: symbols add little to a guess.
func withoutContext(password string, words []string) string {
	p := normalizeWord(password)
	for _, w := range words {
		p = strings.ReplaceAll(p, w, " ")
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return -1
	}, p)
}

// normalizeWord lowercases and strips accents, so that "Lyon", "LYON" and
// "Léon" compare as their letters.
func normalizeWord(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return b.String()
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
