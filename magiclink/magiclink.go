// Package magiclink is the mechanism shared by the logins by e-mailed link
// of the person's space and of the employer space: tokens of 256 bits,
// links stored as their keyed hash (LinkHash) and sessions as their
// SHA-256, the rate limits of link requests, the session
// cookie and the synchronizer CSRF token, signed before any session. Each
// space keeps its own storage, its own mails and its own domain rules.
package magiclink

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"socle"
	"socle/identity"
)

// TokenBytes is 256 bits: links and session ids cannot be guessed.
const TokenBytes = 32

// maxTokenLen bounds what is hashed and looked up from a request.
const maxTokenLen = 100

// NewToken returns a random token and its stored hash (hex SHA-256).
func NewToken() (token, hash string, err error) {
	b := make([]byte, TokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("reading randomness: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, Hash(token), nil
}

// Hash is the stored form of a token: a copy of the table holds no live
// link nor session.
func Hash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// LinkHash is the stored form of a one-time link's token: an HMAC under
// the platform's link key, labelled by space ("usager", "employeur") so
// that a link of one space never matches in another. A copy of the
// database alone can neither use a link nor test a guess of one.
func LinkHash(key []byte, space, token string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("socle-" + space + "-link:" + token))
	return hex.EncodeToString(m.Sum(nil))
}

// Plausible reports whether a token from a request is worth looking up.
func Plausible(token string) bool { return token != "" && len(token) <= maxTokenLen }

var (
	// ErrTooMany answers a client that asks too many links.
	ErrTooMany = socle.Errorf(socle.ETOOMANY, "Trop de demandes depuis votre adresse. Réessayez dans un quart d'heure.")
	// ErrBadLink answers a link that is unknown, used or expired.
	ErrBadLink = socle.Errorf(socle.ENOTFOUND, "Ce lien n'est pas valide, a déjà servi ou a expiré. Demandez-en un nouveau.")
	// ErrInvalidEmail answers a malformed address.
	ErrInvalidEmail = socle.Errorf(socle.EINVALID, "Saisissez une adresse électronique valide.")
	// ErrUnrecorded answers a login that the audit log could not record:
	// it does not happen.
	ErrUnrecorded = socle.Errorf(socle.EUNAVAILABLE, "La connexion n'a pas pu être inscrite au journal des accès ; réessayez dans un instant.")
)

// Hits counts one request for key in the current window (a new window
// starts when the current one is older than window) and returns the count.
type Hits func(ctx context.Context, key string, at time.Time, window time.Duration) (int, error)

// Limits rate-limit link requests per client address and per e-mail
// address. Zero fields take the defaults: 10 per address and 3 per e-mail
// in 15 minutes.
type Limits struct {
	// Prefix keeps the counters of one space apart from another's.
	Prefix        string
	Window        time.Duration
	MaxPerAddress int
	MaxPerEmail   int
}

// WithDefaults fills the zero fields.
func (l Limits) WithDefaults() Limits {
	if l.Window <= 0 {
		l.Window = 15 * time.Minute
	}
	if l.MaxPerAddress <= 0 {
		l.MaxPerAddress = 10
	}
	if l.MaxPerEmail <= 0 {
		l.MaxPerEmail = 3
	}
	return l
}

// Allow counts a link request from the client address addr for the
// normalised address emailKey. ErrTooMany when the client asks too often;
// false without error when the mailbox has had its share, which the caller
// answers like any other request: the answer must not depend on the
// address, and a mailbox is not to be flooded.
func (l Limits) Allow(ctx context.Context, hit Hits, addr, emailKey string, now time.Time) (bool, error) {
	n, err := hit(ctx, l.Prefix+"addr:"+addr, now, l.Window)
	if err != nil {
		return false, fmt.Errorf("counting link requests: %w", err)
	}
	if n > l.MaxPerAddress {
		return false, ErrTooMany
	}
	h := sha256.Sum256([]byte(emailKey))
	if n, err = hit(ctx, l.Prefix+"email:"+hex.EncodeToString(h[:]), now, l.Window); err != nil {
		return false, fmt.Errorf("counting link requests: %w", err)
	}
	return n <= l.MaxPerEmail, nil
}

// Mail is the message that carries a link: greeting, what the person
// asked, the link valid ttl and once, and the reassurance for those who
// asked nothing.
func Mail(to, subject, greeting, purpose, link string, ttl time.Duration) identity.Mail {
	return identity.Mail{To: to, Subject: subject, Body: greeting + ",\n\n" + purpose + "\n" +
		"Ouvrez ce lien dans les " + Minutes(ttl) + " ; il ne sert qu'une fois :\n\n" + link + "\n\n" +
		"Si vous n'avez rien demandé, ignorez ce message : personne ne peut se connecter sans ce lien.\n"}
}

// Minutes writes a duration for a mail: "15 minutes".
func Minutes(d time.Duration) string { return fmt.Sprintf("%d minutes", int(d.Minutes())) }

// Mailer holds a mailer that may be replaced before the server starts (the
// demo prints the mails).
type Mailer struct {
	mu sync.RWMutex
	m  identity.Mailer
}

// Set replaces the mailer.
func (m *Mailer) Set(mailer identity.Mailer) {
	m.mu.Lock()
	m.m = mailer
	m.mu.Unlock()
}

// Get returns the mailer.
func (m *Mailer) Get() identity.Mailer {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.m
}
