package socle

import "time"

// PersonLink is a one-time login link to a person's own space (espace
// usager), sent to the e-mail address of her file. Only the hash of its
// token is stored.
type PersonLink struct {
	Hash      string
	PersonID  string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// PersonSession is a person's server-side session in her own space. Its id
// is the SHA-256 of the cookie's token, so that a copy of the table holds
// no live session.
type PersonSession struct {
	ID         string
	PersonID   string
	CSRF       string // synchronizer token of the space's forms
	CreatedAt  time.Time
	LastSeen   time.Time
	ExpiresAt  time.Time // absolute timeout
	RemoteAddr string
	UserAgent  string
}
