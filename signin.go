package socle

import "time"

// AgentCredential is what an agent proves herself with at sign-in.
type AgentCredential struct {
	AgentID      string
	PasswordHash string // PHC string of argon2id; "" until activation
	TOTPSecret   string // base32; "" when no TOTP is enrolled
	TOTPLastStep int64  // the last time step accepted: a code is never accepted twice
	UpdatedAt    time.Time
}

// WebAuthnCredential is an agent's registered security key or passkey.
type WebAuthnCredential struct {
	ID        []byte // the credential id
	AgentID   string
	Name      string
	Data      []byte // the go-webauthn Credential as JSON
	CreatedAt time.Time
	LastUsed  time.Time
}

// AgentSession is an agent's server-side session. Its id is the SHA-256 of
// the cookie's token, so that a copy of the table does not hold live
// sessions.
type AgentSession struct {
	ID         string // hex SHA-256 of the token
	AgentID    string
	Strength   AuthStrength
	Method     string // "password", "totp", "webauthn"
	CSRF       string // synchronizer token of the session's forms
	Pending    []byte // state of a WebAuthn ceremony in progress (JSON)
	CreatedAt  time.Time
	LastSeen   time.Time
	ExpiresAt  time.Time // absolute timeout
	RemoteAddr string
	UserAgent  string
}

// SignInFailures counts the recent sign-in failures of one key (an
// account, an address), for brute-force throttling.
type SignInFailures struct {
	Key      string
	Failures int
	First    time.Time // first failure of the current run
	Last     time.Time
}

// Purposes of an agent token.
const (
	TokenActivation = "activation" // a new agent sets her password and enrols a factor
	TokenRecovery   = "recovery"   // re-enrolment after a four-eyes approval
)

// AgentToken is a one-time link sent to an agent by mail. Only its keyed
// hash is stored.
type AgentToken struct {
	Hash      string
	AgentID   string
	Purpose   string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// AgentOrigin is where an agent's account comes from and when she first
// proved her own second factor: what tells a second person from a second
// account of the same person.
type AgentOrigin struct {
	AgentID     string
	CreatedBy   string // the administrator who created the account; "" when provisioned
	CreatedFrom string // her address
	// EnrolledFrom and EnrolledUA are the address and browser of the
	// activation; EnrolledBeside the agent already signed in on that
	// browser, if any: whoever activated the account from her own session.
	EnrolledFrom, EnrolledUA, EnrolledBeside string
	// FirstFactor is her first sign-in with her own second factor; zero
	// when she never signed in so.
	FirstFactor time.Time
}
