package identity

import (
	"context"
	"crypto/subtle"
	"fmt"
	"socle/audit"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"socle"
)

// ErrBadCredentials is the one answer to a wrong address, a wrong password,
// a disabled or locked account: nothing tells them apart.
var ErrBadCredentials = socle.Errorf(socle.EUNAUTHENTICATED, "Adresse ou mot de passe incorrect.")

// errBadCode answers a wrong or replayed second-factor code.
var errBadCode = socle.Errorf(socle.EUNAUTHENTICATED, "Code incorrect ou déjà utilisé.")

var errTooMany = socle.Errorf(socle.ETOOMANY, "Trop de tentatives depuis votre adresse. Réessayez plus tard.")

func accountKey(email string) string { return "account:" + strings.ToLower(strings.TrimSpace(email)) }
func addrKey(addr string) string     { return "addr:" + addr }

// lockedUntil returns the end of the lock of an account with t's failures:
// none below MaxFailures, then LockBase doubled at each further failure.
func (s *Service) lockedUntil(t socle.SignInFailures) time.Time {
	if t.Failures < s.cfg.MaxFailures {
		return time.Time{}
	}
	d := s.cfg.LockBase
	for i := s.cfg.MaxFailures; i < t.Failures && d < s.cfg.LockMax; i++ {
		d *= 2
	}
	return t.Last.Add(min(d, s.cfg.LockMax))
}

// checkAddr refuses an address with too many recent failures.
func (s *Service) checkAddr(ctx context.Context, c Client) error {
	t, err := s.store.Throttle(ctx, addrKey(c.RemoteAddr))
	if err != nil {
		return err
	}
	if t.Failures >= s.cfg.AddrFailures && s.Now().Sub(t.Last) < s.cfg.AddrWindow {
		return errTooMany
	}
	return nil
}

// fail records a failure of the account (and of the address), audits it,
// and notifies the owner and her administrators when the account locks.
func (s *Service) fail(ctx context.Context, email string, a *socle.Agent, c Client, action, reason string) error {
	now := s.Now().UTC()
	if _, err := s.store.RecordFailure(ctx, addrKey(c.RemoteAddr), now, s.cfg.AddrWindow); err != nil {
		return err
	}
	t, err := s.store.RecordFailure(ctx, accountKey(email), now, s.cfg.LockMax)
	if err != nil {
		return err
	}
	ev := audit.Act{Action: action, Allowed: false, RemoteAddr: c.RemoteAddr, Explanation: reason, Records: t.Failures}
	if a != nil {
		ev.AgentID, ev.OrganisationID = a.ID, a.OrganisationID
	}
	if err := s.audit(ctx, ev); err != nil {
		return err
	}
	if a != nil && t.Failures == s.cfg.MaxFailures {
		until := s.lockedUntil(t)
		body := fmt.Sprintf("Votre compte Socle a été verrouillé après %d échecs de connexion consécutifs, jusqu'au %s (heure UTC). Chaque nouvel échec allonge le délai. Si ce n'était pas vous, prévenez l'administrateur de votre structure.",
			t.Failures, until.Format("02/01/2006 à 15:04"))
		s.notify(ctx, a, "Compte verrouillé", body)
		s.notifyAdmins(ctx, a, "Compte d'un agent verrouillé", fmt.Sprintf("Le compte de %s a été verrouillé après %d échecs de connexion consécutifs.", a.FullName(), t.Failures))
	}
	return nil
}

// LoginResult is the outcome of the password step.
type LoginResult struct {
	// Token is the cookie value of the new password-only session.
	Token   string
	Session *socle.AgentSession
	Agent   *socle.Agent
}

// Login checks an address and a password. On success it ends the session
// the client had (no fixation) and opens a password-only session that must
// present a second factor within PendingTimeout. Every failure answers
// ErrBadCredentials after the same work, whether the account exists or not.
func (s *Service) Login(ctx context.Context, email, password string, c Client, previousToken string) (*LoginResult, error) {
	if err := s.checkAddr(ctx, c); err != nil {
		if aerr := s.audit(ctx, audit.Act{Action: "login_failed", RemoteAddr: c.RemoteAddr, Explanation: "address throttled"}); aerr != nil {
			return nil, aerr
		}
		return nil, err
	}
	if len(email) > 254 || len(password) > maxPasswordLength {
		return nil, ErrBadCredentials
	}
	t, err := s.store.Throttle(ctx, accountKey(email))
	if err != nil {
		return nil, err
	}
	a, err := s.store.AgentByEmail(ctx, email)
	if err != nil && socle.ErrorCode(err) != socle.ENOTFOUND {
		return nil, err
	}
	hash := s.dummy
	var cred *socle.AgentCredential
	if a != nil {
		if cred, err = s.store.Credential(ctx, a.ID); err != nil {
			return nil, err
		}
		if cred.PasswordHash != "" {
			hash = cred.PasswordHash
		}
	}
	// The hash runs in every case so that timing does not tell.
	ok, params, err := VerifyPassword(password, hash)
	if err != nil {
		return nil, err
	}
	reason := ""
	switch {
	case a == nil:
		ok, reason = false, "unknown account"
	case cred.PasswordHash == "":
		ok, reason = false, "no password set"
	case a.Disabled:
		ok, reason = false, "account disabled"
	case s.Now().Before(s.lockedUntil(t)):
		ok, reason = false, "account locked"
	case !ok:
		reason = "wrong password"
	}
	if !ok {
		if err := s.fail(ctx, email, a, c, "login_failed", reason); err != nil {
			return nil, err
		}
		return nil, ErrBadCredentials
	}
	if !s.hasFactor(ctx, a.ID, cred) {
		// Answered like a wrong password: a different answer would tell
		// whoever holds the password that the account has no factor yet.
		if err := s.fail(ctx, email, a, c, "login_failed", "no second factor enrolled"); err != nil {
			return nil, err
		}
		return nil, ErrBadCredentials
	}
	if params != s.cfg.Password {
		if h, err := HashPassword(password, s.cfg.Password); err == nil {
			_ = s.store.SetPassword(ctx, a.ID, h) // a stale cost is upgraded on the way; failing to is harmless
		}
	}
	if err := s.dropPrevious(ctx, previousToken); err != nil {
		return nil, err
	}
	token, sess, err := s.newSession(ctx, a.ID, socle.AuthPassword, "password", c)
	if err != nil {
		return nil, err
	}
	if err := s.audit(ctx, audit.Act{Action: "login_password", AgentID: a.ID, OrganisationID: a.OrganisationID, RemoteAddr: c.RemoteAddr, Allowed: true}); err != nil {
		return nil, err
	}
	return &LoginResult{Token: token, Session: sess, Agent: a}, nil
}

// dropPrevious ends the session a client presented before a privilege
// change, so that its id is never promoted.
func (s *Service) dropPrevious(ctx context.Context, token string) error {
	if token == "" || len(token) > 100 {
		return nil
	}
	err := s.store.DeleteSession(ctx, tokenID(token))
	if socle.ErrorCode(err) == socle.ENOTFOUND {
		return nil
	}
	return err
}

func (s *Service) hasFactor(ctx context.Context, agentID string, cred *socle.AgentCredential) bool {
	if cred.TOTPSecret != "" {
		return true
	}
	creds, err := s.store.WebAuthnCredentials(ctx, agentID)
	return err == nil && len(creds) > 0
}

// HasTOTP reports whether the agent has a TOTP enrolled.
func (s *Service) HasTOTP(ctx context.Context, agentID string) (bool, error) {
	cred, err := s.store.Credential(ctx, agentID)
	if err != nil {
		return false, err
	}
	return cred.TOTPSecret != "", nil
}

// totpPeriod is RFC 6238's time step.
const totpPeriod = 30

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// matchTOTP returns the time step whose code is code, within one step of
// now, or -1.
func matchTOTP(secret, code string, now time.Time) int64 {
	code = strings.TrimSpace(code)
	if len(code) != 6 {
		return -1
	}
	step := now.Unix() / totpPeriod
	for _, st := range []int64{step, step - 1, step + 1} {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(st*totpPeriod, 0), totpOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return st
		}
	}
	return -1
}

// checkTOTP verifies code for the agent and marks its step used: a code is
// accepted once, and no earlier code after it.
func (s *Service) checkTOTP(ctx context.Context, agentID, code string) (bool, error) {
	cred, err := s.store.Credential(ctx, agentID)
	if err != nil {
		return false, err
	}
	if cred.TOTPSecret == "" {
		return false, nil
	}
	st := matchTOTP(cred.TOTPSecret, code, s.Now())
	if st < 0 {
		return false, nil
	}
	return s.store.UseTOTPStep(ctx, agentID, st)
}

// pending returns the password-only session of token, or EUNAUTHENTICATED.
func (s *Service) pending(ctx context.Context, token string) (*socle.AgentSession, *socle.Agent, error) {
	sess, a, err := s.live(ctx, token)
	if err != nil {
		return nil, nil, err
	}
	if sess == nil || sess.Strength != socle.AuthPassword {
		return nil, nil, socle.Errorf(socle.EUNAUTHENTICATED, "Votre connexion a expiré : saisissez à nouveau votre mot de passe.")
	}
	return sess, a, nil
}

// VerifyTOTP completes a login with a TOTP code. The password-only session
// of token is replaced by a new full session, whose token it returns.
func (s *Service) VerifyTOTP(ctx context.Context, token, code string, c Client) (string, error) {
	sess, a, err := s.pending(ctx, token)
	if err != nil {
		return "", err
	}
	t, err := s.store.Throttle(ctx, accountKey(a.Email))
	if err != nil {
		return "", err
	}
	ok := false
	if s.Now().Before(s.lockedUntil(t)) {
		ok = false
	} else if ok, err = s.checkTOTP(ctx, a.ID, code); err != nil {
		return "", err
	}
	if !ok {
		if err := s.fail(ctx, a.Email, a, c, "login_failed", "wrong or replayed TOTP code"); err != nil {
			return "", err
		}
		return "", errBadCode
	}
	return s.promote(ctx, sess, a, "totp", c)
}

// promote replaces a password-only session by a full one: a new id at the
// privilege change.
func (s *Service) promote(ctx context.Context, sess *socle.AgentSession, a *socle.Agent, method string, c Client) (string, error) {
	if err := s.store.ResetFailures(ctx, accountKey(a.Email)); err != nil {
		return "", err
	}
	if err := s.store.DeleteSession(ctx, sess.ID); err != nil {
		return "", err
	}
	token, _, err := s.newSession(ctx, a.ID, socle.AuthMFA, method, c)
	if err != nil {
		return "", err
	}
	// The four-eyes rule counts only approvers who proved their own
	// factor before a request (checkSecondEyes).
	if err := s.store.RecordFactorSignIn(ctx, a.ID, s.Now().UTC()); err != nil {
		return "", fmt.Errorf("recording the sign-in with a second factor: %w", err)
	}
	if err := s.audit(ctx, audit.Act{Action: "login", AgentID: a.ID, OrganisationID: a.OrganisationID, RemoteAddr: c.RemoteAddr, Allowed: true, Explanation: "second factor: " + method}); err != nil {
		return "", err
	}
	return token, nil
}
